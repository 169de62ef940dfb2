"""Without positional encoding self-attention is permutation-equivariant (not invariant); with it, it is neither."""

from __future__ import annotations

from verifiers.experiments._common import at_least, at_most, fmt, max_abs_difference, pick, seeded_model, small_config, text, torch_session
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

SIZES = {
    "tiny": dict(batch=2, length=8, d_model=32, layers=1, permutations=2),
    "quick": dict(batch=4, length=16, d_model=64, layers=2, permutations=4),
    "full": dict(batch=16, length=64, d_model=256, layers=6, permutations=16),
}
EQUAL_TOLERANCE = 1e-5  # float32 round-off of a re-ordered sum
DIFFERENT_AT_LEAST = 1e-2  # relative to the outputs' scale


BOUNDS = {  # what bench/seeds.py measures each claim's margin against (the recorded value is the one compared)
    "no-pe-equivariant": at_most(EQUAL_TOLERANCE),
    "no-pe-invariant": at_most(EQUAL_TOLERANCE),
    "mean-pool-invariant": at_most(EQUAL_TOLERANCE),
    "pe-breaks-equivariance": at_least(DIFFERENT_AT_LEAST),
    "causal-mask-breaks-equivariance": at_least(DIFFERENT_AT_LEAST),
}

@verifier(
    id="permutation-equivariance",
    kind="experiment",
    title=text(
        zh="没有位置编码时自注意力是置换等变（而非不变）的；加上位置编码后两者都不是",
        en="Without positional encoding self-attention is permutation-equivariant (not invariant); with it, neither",
    ),
    explanation=text(
        zh="把输入序列打乱后送入没有位置编码的编码器：输出恰好以同样方式被打乱（等变），每个词保留自己的表示，"
        "所以说“打乱输入输出不变”是不准确的，只有池化后的句向量（如平均）才不变。加上正弦位置编码后，"
        "同一个词在不同位置得到不同输入，等变性被打破，模型才能区分词序。带因果掩码的解码器即使没有位置编码也不是等变的。",
        en="Shuffle the input of an encoder that has no positional encoding: its output is shuffled the same way "
        "(equivariant), each token keeping its own representation, so 'shuffling leaves the output unchanged' is "
        "imprecise: only a pooled summary such as the mean is invariant. With sinusoidal positional encoding the same "
        "token gets a different input at a different position, equivariance breaks, and the model can tell word order "
        "apart. A decoder with a causal mask is not equivariant even without positional encoding.",
    ),
    cost=Cost(quick_s=0.5, full_s=5.0),
    claims=(
        Claim(
            "no-pe-equivariant",
            text(
                zh="没有位置编码时，编码器输出满足 f(Px) = P f(x)（误差在浮点舍入以内）",
                en="Without positional encoding the encoder satisfies f(Px) = P f(x) (up to float round-off)",
            ),
        ),
        Claim(
            "no-pe-invariant",
            text(
                zh="没有位置编码时，打乱输入不会改变各位置的输出（f(Px) = f(x)）",
                en="Without positional encoding, shuffling the input leaves each position's output unchanged (f(Px) = f(x))",
            ),
            expected=False,
        ),
        Claim(
            "mean-pool-invariant",
            text(
                zh="没有位置编码时，输出的平均池化向量对打乱不变",
                en="Without positional encoding the mean-pooled output is invariant to shuffling",
            ),
        ),
        Claim(
            "pe-breaks-equivariance",
            text(
                zh="加上正弦位置编码后 f(Px) ≠ P f(x)：模型能感知词序",
                en="With sinusoidal positional encoding f(Px) ≠ P f(x): the model sees word order",
            ),
        ),
        Claim(
            "causal-mask-breaks-equivariance",
            text(
                zh="带因果掩码的解码器即使没有位置编码也不是置换等变的",
                en="A decoder with a causal mask is not permutation-equivariant even without positional encoding",
            ),
        ),
    ),
    libraries=("torch",),
)
def permutation_equivariance(ctx: Context, evidence: Evidence) -> None:
    import torch

    from transformer_core import DecoderOnly, EncoderOnly

    size = pick(ctx, SIZES)
    with torch_session(ctx) as device, torch.no_grad():
        generator = ctx.seed_torch(1)
        base = dict(d_model=size["d_model"], d_ff=2 * size["d_model"], n_encoder_layers=size["layers"],
                    n_decoder_layers=size["layers"], vocab_size=50, pad_id=None)
        models = {
            "encoder, no PE": seeded_model(EncoderOnly, small_config(positional_encoding="none", **base), ctx.seed, device),
            "encoder, sinusoidal PE": seeded_model(EncoderOnly, small_config(positional_encoding="sinusoidal", **base), ctx.seed, device),
            "causal decoder, no PE": seeded_model(DecoderOnly, small_config(positional_encoding="none", **base), ctx.seed, device),
        }
        ids = torch.randint(0, 50, (size["batch"], size["length"]), generator=generator).to(device)
        rows = []
        worst: dict[str, dict[str, float]] = {name: {"equivariance": 0.0, "invariance": 0.0, "pooled": 0.0} for name in models}
        for _ in range(size["permutations"]):
            order = torch.randperm(size["length"], generator=generator).to(device)
            for name, model in models.items():
                model.eval()
                hidden = _hidden(model, ids)
                shuffled = _hidden(model, ids[:, order])
                scale = float(hidden.abs().max())
                figures = worst[name]
                figures["equivariance"] = max(figures["equivariance"], max_abs_difference(shuffled, hidden[:, order]) / scale)
                figures["invariance"] = max(figures["invariance"], max_abs_difference(shuffled, hidden) / scale)
                figures["pooled"] = max(figures["pooled"], max_abs_difference(shuffled.mean(1), hidden.mean(1)) / scale)
        for name, figures in worst.items():
            rows.append((name, figures["equivariance"], figures["invariance"], figures["pooled"]))
    evidence.table(
        "permutation",
        text(zh="打乱输入后的最大相对差异", en="Largest relative difference after shuffling the input"),
        ("model", "|f(Px) − P f(x)|", "|f(Px) − f(x)|", "|mean f(Px) − mean f(x)|"),
        rows,
    )
    for name, figures in worst.items():
        key = name.replace(",", "").replace(" ", "_")
        evidence.metric(f"{key}_equivariance_error", figures["equivariance"], zh=f"{name} 的等变误差", en=f"equivariance error, {name}")

    no_pe, with_pe, causal = worst["encoder, no PE"], worst["encoder, sinusoidal PE"], worst["causal decoder, no PE"]
    evidence.step(
        r"\mathrm{Attn}(PX) = \mathrm{softmax}\big(PXW_Q (PXW_K)^\top/\sqrt{d_k}\big)PXW_V = P\,\mathrm{Attn}(X)",
        "置换矩阵 P 穿过 softmax（按行作用）与逐位置的 FFN、LayerNorm，所以没有位置信息的编码器是等变的。",
        "A permutation matrix P passes through the row-wise softmax, the position-wise FFN and LayerNorm, so an encoder "
        "without position information is equivariant.",
    )
    evidence.claim(
        "no-pe-equivariant",
        holds=no_pe["equivariance"] <= EQUAL_TOLERANCE,
        measured=f"max |f(Px) − P f(x)| / max|f| = {fmt(no_pe['equivariance'])} over {size['permutations']} permutations",
        value=no_pe["equivariance"],
    )
    evidence.claim(
        "no-pe-invariant",
        holds=no_pe["invariance"] <= EQUAL_TOLERANCE,
        measured=f"max |f(Px) − f(x)| / max|f| = {fmt(no_pe['invariance'])}: the outputs move with their tokens",
        value=no_pe["invariance"],
    )
    evidence.claim(
        "mean-pool-invariant",
        holds=no_pe["pooled"] <= EQUAL_TOLERANCE,
        measured=f"max |mean f(Px) − mean f(x)| / max|f| = {fmt(no_pe['pooled'])}",
        value=no_pe["pooled"],
    )
    evidence.claim(
        "pe-breaks-equivariance",
        holds=with_pe["equivariance"] >= DIFFERENT_AT_LEAST,
        measured=f"with sinusoidal PE, max |f(Px) − P f(x)| / max|f| = {fmt(with_pe['equivariance'])} (≥ {DIFFERENT_AT_LEAST})",
        value=with_pe["equivariance"],
    )
    evidence.claim(
        "causal-mask-breaks-equivariance",
        holds=causal["equivariance"] >= DIFFERENT_AT_LEAST,
        measured=f"causal decoder without PE: max |f(Px) − P f(x)| / max|f| = {fmt(causal['equivariance'])}",
        value=causal["equivariance"],
    )
    evidence.set_summary(
        zh=f"无位置编码：等变误差 {fmt(no_pe['equivariance'])}，但输出随词移动（差异 {fmt(no_pe['invariance'])}），"
        f"所以是等变而非不变；加正弦位置编码后等变误差升至 {fmt(with_pe['equivariance'])}。",
        en=f"No positional encoding: equivariance error {fmt(no_pe['equivariance'])}, but the outputs move with their "
        f"tokens (difference {fmt(no_pe['invariance'])}), so equivariant, not invariant; with sinusoidal PE the "
        f"equivariance error rises to {fmt(with_pe['equivariance'])}.",
    )


def _hidden(model, ids):
    """The last hidden states (before the output projection), where equivariance is a statement about vectors."""
    if hasattr(model, "encode"):
        return model.encode(ids)
    return model.decoder(model.embed(ids))
