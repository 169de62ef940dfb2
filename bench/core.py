"""Benchmark of transformer_core against PyTorch's own Transformer, measured in one run.

    .venv/bin/python -m bench.core [--repeats N] [--device cpu|cuda|auto] [--json PATH]

Prints three figures:

1. training step (forward + backward + Adam) of our ``EncoderDecoder`` and of
   ``torch.nn.Transformer`` with the same configuration, embeddings and output
   head (d_model 256, 8 heads, d_ff 1024, 4 + 4 layers, batch 16, length 128,
   dropout 0.1), runs alternating, medians; the ratio ours / theirs has a
   target of <= 1.05;
2. greedy generation of 256 tokens with and without the KV cache; target
   speedup >= 5x;
3. achieved FLOP/s of our training step next to a plain matrix multiply
   measured in the same run (how close the model gets to the machine's peak).

Timings on a shared machine are noisy; the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from transformer_core import DeviceUnavailableError, EncoderDecoder, TransformerConfig, greedy_decode, select_device
from transformer_core.embeddings import Embeddings

D_MODEL, HEADS, D_FF, LAYERS = 256, 8, 1024, 4
BATCH, LENGTH, VOCAB = 16, 128, 1000
GENERATED_TOKENS, SOURCE_LENGTH = 256, 32
MATMUL_SIZE = 2048

TRAINING_RATIO_TARGET = 1.05
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


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


@dataclass
class TrainingStep:
    model: nn.Module
    optimizer: torch.optim.Optimizer

    def __call__(self, src, tgt_in, tgt_out) -> None:
        self.optimizer.zero_grad(set_to_none=True)
        logits = self.model(src, tgt_in)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), tgt_out.reshape(-1))
        loss.backward()
        self.optimizer.step()


def bench_training(device: torch.device, repeats: int, warmup: int) -> dict:
    torch.manual_seed(0)
    config = bench_config()
    ours = EncoderDecoder(config).to(device).train()
    theirs = TorchReference(config).to(device).train()
    matmul = Matmul(device)
    steps = {
        "ours": TrainingStep(ours, torch.optim.Adam(ours.parameters(), lr=1e-4)),
        "torch": TrainingStep(theirs, torch.optim.Adam(theirs.parameters(), lr=1e-4)),
        "matmul": matmul,
    }
    generator = torch.Generator().manual_seed(0)
    # Ids from 1: no padding, so both sides run the same unpadded, causal attention.
    src = torch.randint(1, VOCAB, (BATCH, LENGTH), generator=generator).to(device)
    tgt = torch.randint(1, VOCAB, (BATCH, LENGTH + 1), generator=generator).to(device)
    tgt_in, tgt_out = tgt[:, :-1], tgt[:, 1:]

    for _ in range(warmup):
        for step in steps.values():
            step(src, tgt_in, tgt_out)
    times: dict[str, list[float]] = {name: [] for name in steps}
    for i in range(repeats):
        # Alternate the order so drifts in machine load hit every side equally.
        order = list(steps.items()) if i % 2 == 0 else list(reversed(steps.items()))
        for name, step in order:
            _sync(device)
            start = time.perf_counter()
            step(src, tgt_in, tgt_out)
            _sync(device)
            times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(values) for name, values in times.items()}
    # Each pair of steps ran back to back under the same machine load, so the
    # median of per-pair ratios resists load swings better than the ratio of medians.
    paired_ratios = [a / b for a, b in zip(times["ours"], times["torch"])]
    flops = training_step_flops(config)
    matmul_flops_per_s = matmul.flops / medians["matmul"]
    return {
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


def bench_generation(device: torch.device, repeats: int) -> dict:
    torch.manual_seed(0)
    config = bench_config(max_len=GENERATED_TOKENS + 1)
    model = EncoderDecoder(config).to(device).eval()
    src = torch.randint(3, VOCAB, (1, SOURCE_LENGTH), generator=torch.Generator().manual_seed(1)).to(device)
    times: dict[str, list[float]] = {"cached": [], "uncached": []}
    outputs = {}
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
    cached, uncached = statistics.median(times["cached"]), statistics.median(times["uncached"])
    return {
        "tokens": GENERATED_TOKENS,
        "cached_s": cached,
        "uncached_s": uncached,
        "speedup": uncached / cached,
        "target_speedup": CACHE_SPEEDUP_TARGET,
        "same_tokens": bool(torch.equal(outputs["cached"], outputs["uncached"])),
    }


def _si(value: float, unit: str) -> str:
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M")):
        if value >= factor:
            return f"{value / factor:.2f} {prefix}{unit}"
    return f"{value:.2f} {unit}"


def render(figures: dict) -> str:
    t, g = figures["training"], figures["generation"]
    ok = lambda good: "ok" if good else "MISSED"  # noqa: E731
    lines = [
        f"transformer_core benchmark on {figures['device']} ({figures['threads']} threads, torch {figures['torch']})",
        "",
        f"Training step, d_model {D_MODEL}, {HEADS} heads, {LAYERS}+{LAYERS} layers, batch {BATCH}, length {LENGTH} "
        f"(median of {len(t['ours_all_s'])}, alternating)",
        f"  ours (EncoderDecoder)        {t['ours_s'] * 1e3:9.1f} ms",
        f"  torch.nn.Transformer         {t['torch_s'] * 1e3:9.1f} ms",
        f"  ratio ours / torch           {t['ratio']:9.3f}    target <= {t['target_ratio']:.2f}  {ok(t['ratio'] <= t['target_ratio'])}",
        f"    (median of paired ratios {t['paired_ratio_median']:.3f}, fastest / fastest {t['ratio_of_fastest']:.3f})",
        "",
        f"Greedy generation of {g['tokens']} tokens (batch 1, source length {SOURCE_LENGTH})",
        f"  with KV cache                {g['cached_s'] * 1e3:9.1f} ms",
        f"  without (recompute prefix)   {g['uncached_s'] * 1e3:9.1f} ms",
        f"  speedup                      {g['speedup']:9.2f}x   target >= {g['target_speedup']:.0f}x  "
        f"{ok(g['speedup'] >= g['target_speedup'])}   same tokens: {g['same_tokens']}",
        "",
        "Achieved throughput",
        f"  training step ({_si(t['step_flops'], 'FLOP')} per step)  ours {_si(t['ours_flops_per_s'], 'FLOP/s')}, "
        f"torch {_si(t['torch_flops_per_s'], 'FLOP/s')}",
        f"  plain {t['matmul_size']}x{t['matmul_size']} matmul, timed between the steps  {_si(t['matmul_flops_per_s'], 'FLOP/s')}",
        f"  our training step / matmul   {t['fraction_of_matmul']:9.1%}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10, help="timed runs per side (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed training steps per side first (default 2)")
    parser.add_argument("--generation-repeats", type=int, default=3, help="timed generations per mode (default 3)")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or auto (default cpu)")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's own choice)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.generation_repeats < 1 or args.warmup < 0:
        parser.error("--repeats and --generation-repeats must be >= 1, --warmup >= 0")
    if args.threads is not None:
        if args.threads < 1:
            parser.error("--threads must be >= 1")
        torch.set_num_threads(args.threads)
    try:
        device = select_device(args.device)
    except DeviceUnavailableError as error:
        print(f"bench/core.py: {error}", file=sys.stderr)
        return error.exit_code

    figures = {
        "device": str(device),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "config": {
            "d_model": D_MODEL, "n_heads": HEADS, "d_ff": D_FF, "layers": LAYERS,
            "batch": BATCH, "length": LENGTH, "vocab": VOCAB,
        },
        "training": bench_training(device, args.repeats, args.warmup),
        "generation": bench_generation(device, args.generation_repeats),
    }
    print(render(figures))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(figures, handle, indent=2)
            handle.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
