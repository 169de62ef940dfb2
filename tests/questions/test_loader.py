"""load_bank: the built-in bank merged with a user's directories, validated first."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

import questions.files as files
import questions.lint as lint
from questions import load_bank
from questions.errors import BankDirectoryError, BankError
from questions.files import BankFile
from questions.lint import lint_files, lint_targets
from tests.questions.bank_factory import question_yaml, write_question_file

VERIFIERS = frozenset({"sqrt-dk-variance"})


@pytest.fixture
def builtin(tmp_path, monkeypatch) -> Path:
    """A small stand-in for the shipped bank, and a fixed verifier registry."""
    directory = tmp_path / "builtin"
    write_question_file(directory, "attention", [question_yaml("attention-a", follow_ups=["attention-b"], choices=True),
                                                   question_yaml("attention-b", verifiers=["sqrt-dk-variance"])])  # fmt: skip
    write_question_file(directory, "layers", [question_yaml("layers-a", difficulty=1)])
    monkeypatch.setattr(files, "BUILTIN_BANK_DIR", directory)
    monkeypatch.setattr(lint, "known_verifier_ids", lambda: (VERIFIERS, None))
    return directory


def test_loads_and_indexes_the_builtin_bank(builtin):
    bank = load_bank()
    assert bank.ids == ("attention-a", "attention-b", "layers-a")
    assert bank.topics() == ("attention", "layers")
    assert [q.id for q in bank.by_verifier("sqrt-dk-variance")] == ["attention-b"]
    assert [q.id for q in bank.by_doc("000_b1566269e68ea388.txt")] == list(bank.ids)
    first = bank.get("attention-a")
    assert first.follow_ups == ("attention-b",)
    assert len(first.choices) == 4 and sum(c.correct for c in first.choices) == 1
    assert first.origin is not None and first.origin.path == builtin / "attention.yaml" and first.origin.line == 3


def test_user_directories_merge_after_the_builtin_bank(builtin, tmp_path):
    mine = tmp_path / "mine"
    write_question_file(mine, "my-topic", [question_yaml("my-question", follow_ups=["attention-a"], source=None)])
    bank = load_bank([mine])
    assert bank.ids[-1] == "my-question"
    assert bank.get("my-question").sources == ()  # sources are optional in a user's own files


def test_user_files_may_not_cite_builtin_ids_without_the_builtin_bank(builtin, tmp_path):
    mine = tmp_path / "mine"
    write_question_file(mine, "my-topic", [question_yaml("my-question", follow_ups=["attention-a"])])
    with pytest.raises(BankError, match="no question has the id 'attention-a'"):
        load_bank([mine], include_builtin=False)


def test_a_user_question_never_overwrites_a_builtin_one(builtin, tmp_path):
    mine = tmp_path / "mine"
    write_question_file(mine, "attention", [question_yaml("attention-a")])
    with pytest.raises(BankError) as caught:
        load_bank([mine])
    error = caught.value
    assert error.exit_code == 2
    (problem,) = error.problems
    assert problem.path == mine / "attention.yaml" and problem.line == 3
    assert "conflicts with the built-in question 'attention-a'" in problem.message
    assert f"at {builtin / 'attention.yaml'}:3" in problem.message


def test_the_error_lists_every_problem_with_file_line_id_and_field(builtin, tmp_path):
    mine = tmp_path / "mine"
    path = write_question_file(mine, "mine", [question_yaml("one").replace("difficulty: 2", "difficulty: 9"),
                                               question_yaml("two", follow_ups=["nowhere"])])  # fmt: skip
    with pytest.raises(BankError) as caught:
        load_bank([mine])
    message = str(caught.value)
    assert message.startswith("the question bank has 2 problems:")
    assert f"  {path}:4: one: difficulty: expected 1, 2 or 3" in message
    assert f"  {path}:16: two: follow_ups: no question has the id 'nowhere'" in message
    assert "docs/bank-schema.md" in message


def test_a_missing_or_wrong_directory_is_a_clear_error(builtin, tmp_path):
    with pytest.raises(BankDirectoryError, match="does not exist") as caught:
        load_bank([tmp_path / "nowhere"])
    assert caught.value.exit_code == 2
    a_file = tmp_path / "file.yaml"
    a_file.write_text("topic: file\n", encoding="utf-8")
    with pytest.raises(BankDirectoryError, match="not a directory"):
        load_bank([a_file])


def test_files_other_than_yaml_are_ignored(builtin, tmp_path):
    mine = tmp_path / "mine"
    write_question_file(mine, "mine", [question_yaml("mine-one")])
    (mine / "notes.txt").write_text("not a bank file", encoding="utf-8")
    (mine / "draft.yaml.bak").write_text("::: broken", encoding="utf-8")
    assert load_bank([mine]).ids[-1] == "mine-one"


def test_linting_one_file_resolves_references_to_the_rest_of_the_bank(builtin):
    # attention-a follows up attention-b in the same file; layers.yaml alone refers to nothing.
    extra = builtin / "layers.yaml"
    extra.write_text(extra.read_text(encoding="utf-8").replace("difficulty: 1", "difficulty: 1\n    follow_ups: [attention-b]"), encoding="utf-8")
    report = lint_targets([extra])
    assert report.ok and [q.id for q in report.questions] == ["layers-a"]
    # A problem elsewhere in the bank is not this file's problem.
    (builtin / "attention.yaml").write_text("topic: attention\nquestions: [oops]\n", encoding="utf-8")
    report = lint_targets([extra])
    assert [p.message for p in report.problems] == ["no question has the id 'attention-b': add that question or remove the reference"]


def test_a_target_in_the_builtin_bank_follows_its_rules_and_is_not_read_twice(builtin):
    target = builtin / "attention.yaml"
    report = lint_targets([target])
    assert report.ok  # read twice, its ids would clash with themselves
    assert report.files == (target,)


def test_lint_targets_rejects_a_missing_path(builtin, tmp_path):
    with pytest.raises(BankDirectoryError, match="no such file or directory"):
        lint_targets([tmp_path / "missing.yaml"])


def test_verifier_ids_come_from_the_registry(tmp_path, monkeypatch):
    path = write_question_file(tmp_path, "topic", [question_yaml("uses-verifier", verifiers=["known-one", "unknown-one"])])
    registry = types.ModuleType("verifiers.registry")
    registry.known_ids = lambda: frozenset({"known-one"})
    monkeypatch.setitem(sys.modules, "verifiers.registry", registry)
    report = lint_files([BankFile(path)])
    assert [p.message.split(":")[0] for p in report.problems] == ["unknown verifier id 'unknown-one'"]
    assert report.notes == ()


def test_without_a_registry_only_the_verifier_check_is_skipped_with_a_note(tmp_path, monkeypatch):
    path = write_question_file(tmp_path, "topic", [question_yaml("uses-verifier", verifiers=["anything"], follow_ups=["gone"])])
    monkeypatch.setitem(sys.modules, "verifiers.registry", None)  # importing it raises ImportError
    report = lint_files([BankFile(path)])
    assert [p.field for p in report.problems] == ["follow_ups"]
    assert len(report.notes) == 1 and "verifier ids not checked" in report.notes[0]


def test_follow_up_chains_deeper_than_the_recursion_limit_are_checked():
    # The cycle search (graphlib) is iterative: a chain of thousands of follow-ups must not overflow.
    from questions.lint import follow_up_cycles

    depth = 5 * sys.getrecursionlimit()
    chain = {f"q{n}": [f"q{n + 1}"] for n in range(depth)} | {f"q{depth}": []}
    assert follow_up_cycles(chain) == []
    chain[f"q{depth}"] = ["q10"]
    order = {f"q{n}": n for n in range(depth + 1)}
    (cycle,) = follow_up_cycles(chain, order=order.__getitem__)
    assert cycle == [f"q{n}" for n in range(10, depth + 1)] + ["q10"]


def test_each_follow_up_cycle_is_reported_once_from_its_first_question():
    from questions.lint import follow_up_cycles

    # Two cycles sharing b; the same link listed twice; a chain that only leads into a cycle.
    graph = {"a": ["b"], "b": ["c", "a", "a"], "c": ["b"], "d": ["a"]}
    cycles = follow_up_cycles(graph, order="abcd".index)
    assert sorted(cycles) == [["a", "b", "a"], ["b", "c", "b"]]


def test_a_directory_given_twice_or_the_builtin_one_given_as_bank_is_read_once(builtin, tmp_path):
    mine = tmp_path / "mine"
    write_question_file(mine, "mine", [question_yaml("mine-one")])
    assert load_bank([mine, mine, builtin]).ids == ("attention-a", "attention-b", "layers-a", "mine-one")


def test_a_directory_without_bank_files_is_reported_not_silently_empty(builtin, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.md").write_text("my questions will go here", encoding="utf-8")
    with pytest.raises(BankDirectoryError, match=r"holds no bank files \(\*\.yaml or \*\.yml\)"):
        load_bank([empty])


def test_a_partly_broken_registry_adds_a_note_naming_what_failed(tmp_path, monkeypatch):
    path = write_question_file(tmp_path, "topic", [question_yaml("uses-verifier", verifiers=["lost-one"])])
    registry = types.ModuleType("verifiers.registry")
    registry.known_ids = lambda: frozenset()
    registry.default_registry = lambda: types.SimpleNamespace(problems=("verifiers.experiments.lost could not be loaded",))
    monkeypatch.setitem(sys.modules, "verifiers.registry", registry)
    report = lint_files([BankFile(path)])
    assert [p.field for p in report.problems] == ["verifiers"]
    assert report.notes == ("some verifiers could not be loaded, so their ids count as unknown: verifiers.experiments.lost could not be loaded",)


def test_a_crashing_registry_only_skips_the_verifier_check(tmp_path, monkeypatch):
    path = write_question_file(tmp_path, "topic", [question_yaml("uses-verifier", verifiers=["anything"])])
    registry = types.ModuleType("verifiers.registry")
    registry.known_ids = lambda: 1 / 0
    monkeypatch.setitem(sys.modules, "verifiers.registry", registry)
    report = lint_files([BankFile(path)])
    assert report.ok and "ZeroDivisionError" in report.notes[0]


def test_the_bank_indexes_agree_with_a_plain_scan(builtin):
    bank = load_bank()
    for topic in ("attention", "layers", "nowhere"):
        assert bank.by_topic(topic) == tuple(q for q in bank if q.topic == topic)
    assert bank.by_tag("basics") == tuple(bank) and bank.by_tag("missing") == ()
    assert bank.by_verifier("sqrt-dk-variance") == (bank.get("attention-b"),)
    assert bank.by_doc("000_b1566269e68ea388.txt") == tuple(bank)
    assert bank == load_bank()  # the kept indexes are not part of equality
