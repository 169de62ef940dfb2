"""Discovery of the shipped verifiers, and its promise not to import sympy or torch."""

import subprocess
import sys

import pytest

from tests.verifiers.fakes import FAILS, PASSES
from verifiers.registry import Registry, UnknownVerifierError, default_registry, discover, known_ids
from verifiers.spec import Claim, Cost, verifier
from verifiers.result import Bilingual

SYMBOLIC_IDS = {
    "sqrt-dk-variance",
    "softmax-saturation",
    "sinusoidal-pe-linearity",
    "sinusoidal-pe-offset-dot-product",
    "parameter-counts",
    "attention-flops",
    "multihead-parameter-invariance",
    "embedding-scale-sqrt-dmodel",
    "dropout-expectation",
    "temperature-limits",
    "warmup-schedule",
    "label-smoothing-optimum",
    "attention-soft-knn",
    "shared-qk-symmetric-scores",
    "greedy-vs-beam-exact",
    # beyond the list, where the bank's answers make a derivable claim:
    "online-softmax-exact",
    "rope-relative-position",
    "gqa-kv-cache-size",
    "linear-attention-associativity",
    # issue #17: the modern LLM questions (alignment, serving, MoE, scaling, quantisation, distributed training, ...)
    "dpo-loss-and-optimum",
    "speculative-sampling-exact",
    "moe-load-balancing-loss",
    "chinchilla-compute-optimal",
    "int8-quantization-error",
    "kv-cache-memory-arithmetic",
    "zero-stage-memory",
    "ring-allreduce-volume",
    "pipeline-bubble",
    "rope-long-range-decay",
    "bf16-master-weights",
    "grpo-advantage-and-kl",
    "llama-parameter-count",
    "alibi-slopes",
    "flash-attention-backward",
}


def test_discovery_imports_neither_sympy_nor_torch():
    code = (
        "import sys; from verifiers.registry import known_ids, default_registry; ids = known_ids(); "
        "assert len(ids) >= 1; print(sorted(m for m in ('torch', 'sympy', 'numpy') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_every_symbolic_id_of_the_contract_is_registered():
    registry = default_registry()
    assert not registry.problems, registry.problems
    symbolic = {v.id for v in registry if v.kind == "symbolic"}
    assert symbolic == SYMBOLIC_IDS
    assert SYMBOLIC_IDS <= known_ids()


def test_every_verifier_is_fully_described():
    for spec in default_registry():
        for text in (spec.title, spec.explanation, *(c.statement for c in spec.claims)):
            assert text.zh.strip() and text.en.strip(), spec.id
            assert text.zh != text.en, f"{spec.id}: the Chinese text is a copy of the English"
        assert spec.cost.quick_s > 0
        assert spec.module.startswith(f"verifiers.{'symbolic' if spec.kind == 'symbolic' else 'experiments'}.")


def test_select_by_ids_and_kind_keeps_registry_order():
    registry = Registry.of([PASSES, FAILS])
    assert [v.id for v in registry.select(["fake-passes", "fake-fails"])] == ["fake-fails", "fake-passes"]
    assert registry.select(None, kind="experiment") == ()
    assert len(registry.select(None, kind="symbolic")) == 2


def test_unknown_ids_name_every_unknown_one_and_list_the_known():
    registry = Registry.of([PASSES, FAILS])
    with pytest.raises(UnknownVerifierError) as caught:
        registry.select(["fake-pases", "nothing-like-it", "fake-fails"])
    message = str(caught.value)
    assert "'fake-pases' (did you mean 'fake-passes'?)" in message
    assert "'nothing-like-it'" in message
    assert "Known ids: fake-fails, fake-passes" in message
    assert caught.value.exit_code == 2


def _declare(**overrides):
    fields = dict(
        id="ok-id",
        kind="symbolic",
        title=Bilingual("中", "en"),
        explanation=Bilingual("中", "en"),
        cost=Cost(0.1),
        claims=(Claim("c", Bilingual("中", "en")),),
    )
    fields.update(overrides)
    return verifier(**fields)(lambda ctx, evidence: None)


def test_duplicate_ids_are_reported_and_the_first_kept():
    registry = Registry.of([PASSES, _declare(id="fake-passes")])
    assert len(registry) == 1 and registry.get("fake-passes") is PASSES
    assert any("declared twice" in p for p in registry.problems)


def test_a_broken_module_is_reported_without_hiding_the_others(tmp_path, monkeypatch):
    package = tmp_path / "fake_verifier_package"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "broken.py").write_text("raise ImportError('half-written module')\n")
    (package / "_helper.py").write_text("raise AssertionError('private modules are not imported')\n")
    (package / "good.py").write_text(
        "from tests.verifiers.fakes import PASSES\n"  # imported from elsewhere: not declared here
        "from verifiers.spec import Claim, Cost, verifier\n"
        "from verifiers.result import Bilingual\n"
        "@verifier(id='declared-here', kind='symbolic', title=Bilingual('中', 'en'), explanation=Bilingual('中', 'en'),\n"
        "          cost=Cost(0.1), claims=(Claim('c', Bilingual('中', 'en')),))\n"
        "def declared_here(ctx, evidence):\n"
        "    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = discover(["fake_verifier_package", "no_such_package_here"])
    assert registry.ids() == {"declared-here"}
    assert any("fake_verifier_package.broken" in p and "half-written module" in p for p in registry.problems)
    assert any("no_such_package_here" in p for p in registry.problems)


def test_the_declarations_digest_follows_the_source_without_importing_it(tmp_path, monkeypatch):
    import sys

    from verifiers.sources import declarations_digest

    package = tmp_path / "digested_verifier_package"
    (package / "nested").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "one.py").write_text("raise AssertionError('never imported')\n")
    (package / "nested" / "two.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    first = declarations_digest(["digested_verifier_package"])
    assert declarations_digest(["digested_verifier_package"]) == first
    assert "digested_verifier_package.one" not in sys.modules
    (package / "nested" / "two.py").write_text("X = 2\n")
    second = declarations_digest(["digested_verifier_package"])
    (package / "three.py").write_text("")
    assert len({first, second, declarations_digest(["digested_verifier_package"])}) == 3
    assert declarations_digest(["no_such_package_here"]) != first


def test_declaring_a_malformed_verifier_fails_at_once():
    with pytest.raises(ValueError, match="lowercase"):
        _declare(id="Bad_Id")
    with pytest.raises(ValueError, match="kind"):
        _declare(kind="magic")
    with pytest.raises(ValueError, match="no claims"):
        _declare(claims=())
    with pytest.raises(ValueError, match="declared twice"):
        _declare(claims=(Claim("c", Bilingual("中", "en")), Claim("c", Bilingual("中", "en"))))
