"""With the padding mask, real tokens do not see padding; a naive −inf fill of a fully masked row gives NaN."""

from __future__ import annotations

from verifiers.experiments._common import at_least, at_most, fmt, max_abs_difference, pick, seeded_model, small_config, text, torch_session
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

SIZES = {
    "tiny": dict(length=6, pads=(0, 3, 9), d_model=32, layers=1, trials=2),
    "quick": dict(length=10, pads=(0, 4, 12, 30), d_model=64, layers=2, trials=4),
    "full": dict(length=40, pads=(0, 8, 40, 200), d_model=256, layers=6, trials=16),
}
HEATMAP_REAL, HEATMAP_PADS = 5, 3  # the one example whose attention weights are shown: real tokens, then padding
EQUAL_TOLERANCE = 1e-5  # relative; float32 round-off of sums over different key counts
CHANGED_AT_LEAST = 1e-2  # relative


BOUNDS = {  # what bench/seeds.py measures each claim's margin against (the recorded value is the one compared)
    "masked-invariant-to-padding": at_most(EQUAL_TOLERANCE),
    "unmasked-changes-with-padding": at_least(CHANGED_AT_LEAST),
}

@verifier(
    id="padding-mask-invariance",
    kind="experiment",
    title=text(
        zh="有填充掩码时真实词的输出与填充无关；整行 −∞ 的朴素写法会产生 NaN",
        en="With the padding mask real-token outputs ignore padding; a naive −∞ fill of a fully masked row gives NaN",
    ),
    explanation=text(
        zh="同一句话补上不同数量、不同内容的填充词后送入编码器：带填充掩码时真实词的输出完全不变（在浮点舍入内），"
        "去掉掩码后填充词会被注意力“看到”，输出随填充改变。文档中的示例把填充位置作为查询的整行都填成 −∞，"
        "此时 softmax 的分子分母都是 0，得到 NaN，并会污染梯度；transformer_core 对全被屏蔽的行输出 0，前向与反向都保持有限。",
        en="The same sentence is padded with different amounts and contents of padding and run through the encoder: "
        "with the padding mask its real-token outputs do not change (up to float round-off); without the mask attention "
        "sees the padding and the outputs change with it. A document's example fills the whole row of a padded query "
        "with −∞; softmax then divides 0 by 0 and gives NaN, which poisons the gradients. transformer_core returns zero "
        "for a fully masked row and stays finite in the forward and backward pass.",
    ),
    cost=Cost(quick_s=0.5, full_s=5.0),
    claims=(
        Claim(
            "masked-invariant-to-padding",
            text(
                zh="有填充掩码时，真实词的输出不受填充长度与填充内容影响",
                en="With the padding mask, real-token outputs are unaffected by the padding's length and contents",
            ),
        ),
        Claim(
            "unmasked-changes-with-padding",
            text(
                zh="没有填充掩码时，真实词的输出随填充改变",
                en="Without the padding mask, real-token outputs change with the padding",
            ),
        ),
        Claim(
            "naive-fully-masked-row-is-safe",
            text(
                zh="把整行（填充查询）都填成 −∞ 是安全的：softmax 之后被屏蔽的权重都是 0",
                en="Filling a whole row (a padded query) with −∞ is safe: after softmax the masked weights are 0",
            ),
            expected=False,
        ),
        Claim(
            "ours-finite-on-fully-masked-rows",
            text(
                zh="transformer_core 的注意力（两种实现）对全被屏蔽的行给出有限的输出与梯度",
                en="transformer_core's attention (both implementations) gives finite outputs and gradients for fully masked rows",
            ),
        ),
    ),
    libraries=("torch",),
)
def padding_mask_invariance(ctx: Context, evidence: Evidence) -> None:
    import torch

    from transformer_core import EncoderOnly

    size = pick(ctx, SIZES)
    pad_id = 0
    with torch_session(ctx) as device:
        generator = ctx.seed_torch(1)
        config = small_config(
            vocab_size=50, d_model=size["d_model"], d_ff=2 * size["d_model"], n_encoder_layers=size["layers"],
            pad_id=pad_id, max_len=size["length"] + max(size["pads"]),
        )
        model = seeded_model(EncoderOnly, config, ctx.seed, device).eval()
        rows = []
        worst_masked, worst_unmasked = 0.0, float("inf")
        with torch.no_grad():
            for _ in range(size["trials"]):
                sentence = torch.randint(1, 50, (1, size["length"]), generator=generator).to(device)
                reference = model.encode(sentence)
                scale = float(reference.abs().max())
                for pads in size["pads"][1:]:
                    for contents in ("pad id", "random ids"):
                        filler = (
                            torch.full((1, pads), pad_id, dtype=torch.long)
                            if contents == "pad id"
                            else torch.randint(1, 50, (1, pads), generator=generator)
                        ).to(device)
                        padded = torch.cat([sentence, filler], dim=1)
                        real = torch.zeros_like(padded, dtype=torch.bool)
                        real[:, : size["length"]] = True
                        masked = model.encode(padded, real)[:, : size["length"]]
                        unmasked = model.encode(padded, torch.ones_like(real))[:, : size["length"]]
                        masked_error = max_abs_difference(masked, reference) / scale
                        unmasked_error = max_abs_difference(unmasked, reference) / scale
                        worst_masked = max(worst_masked, masked_error)
                        worst_unmasked = min(worst_unmasked, unmasked_error)
                        rows.append((pads, contents, masked_error, unmasked_error))
        evidence.table(
            "padding",
            text(zh="真实词输出相对于不加填充时的最大相对差异", en="Largest relative change of real-token outputs vs no padding"),
            ("padding tokens", "padding contents", "with mask", "without mask"),
            rows,
        )
        by_length = {}
        for pads, _, masked_error, unmasked_error in rows:
            entry = by_length.setdefault(pads, [0.0, 0.0])
            entry[0], entry[1] = max(entry[0], masked_error), max(entry[1], unmasked_error)
        lengths = sorted(by_length)
        evidence.plot(
            "padding_change",
            text(zh="真实词输出随填充数量的变化", en="Change of real-token outputs with the amount of padding"),
            text(zh="填充词数", en="padding tokens"),
            text(zh="最大相对差异", en="largest relative difference"),
            {
                "with mask": (lengths, [max(by_length[n][0], 1e-9) for n in lengths]),
                "without mask": (lengths, [by_length[n][1] for n in lengths]),
            },
            y_log=True,
        )
        naive, ours = _fully_masked_rows(torch, device, generator)
        _attention_heatmaps(evidence, model, size["length"], pad_id, device, generator)

    evidence.metric("masked_max_relative_change", worst_masked, zh="有掩码时的最大相对变化", en="largest relative change, with mask")
    evidence.metric("unmasked_min_relative_change", worst_unmasked, zh="无掩码时的最小相对变化", en="smallest relative change, without mask")
    evidence.step(
        r"\mathrm{softmax}(-\infty,\dots,-\infty)_j = \frac{e^{-\infty}}{\sum_k e^{-\infty}} = \frac{0}{0} = \mathrm{NaN}",
        "整行都被屏蔽时分子分母同为 0；只屏蔽填充键所在的列，或把全屏蔽行显式置 0，才能避免 NaN。",
        "When a whole row is masked, numerator and denominator are both 0; mask only the padding key columns, or zero "
        "fully masked rows explicitly, to avoid NaN.",
    )
    evidence.claim(
        "masked-invariant-to-padding",
        holds=worst_masked <= EQUAL_TOLERANCE,
        measured=f"largest relative change {fmt(worst_masked)} over padding lengths {list(size['pads'][1:])}, pad-id and random contents",
        value=worst_masked,
    )
    evidence.claim(
        "unmasked-changes-with-padding",
        holds=worst_unmasked >= CHANGED_AT_LEAST,
        measured=f"smallest relative change without the mask {fmt(worst_unmasked)} (≥ {CHANGED_AT_LEAST})",
        value=worst_unmasked,
    )
    evidence.claim(
        "naive-fully-masked-row-is-safe",
        holds=naive["finite"],
        measured=f"naive masked_fill(−inf) + softmax on a fully masked row: {naive['nan']} NaN weights of {naive['total']}; "
        f"gradients (queries, values) finite: {naive['grad_finite']}",
    )
    evidence.claim(
        "ours-finite-on-fully-masked-rows",
        holds=all(v["finite"] and v["grad_finite"] and v["zero_output"] for v in ours.values()),
        measured="; ".join(
            f"{name}: finite output {v['finite']}, finite gradient {v['grad_finite']}, masked row output 0 {v['zero_output']}"
            for name, v in ours.items()
        ),
    )
    evidence.set_summary(
        zh=f"有掩码时填充让真实词输出最多变化 {fmt(worst_masked)}（相对），无掩码时至少变化 {fmt(worst_unmasked)}；"
        f"朴素 −∞ 整行屏蔽得到 {naive['nan']} 个 NaN，transformer_core 两种实现都保持有限。",
        en=f"With the mask, padding moves real-token outputs by at most {fmt(worst_masked)} (relative); without it by at "
        f"least {fmt(worst_unmasked)}. A naive −∞ fill of a full row gives {naive['nan']} NaN weights; both of "
        "transformer_core's attention paths stay finite.",
    )


def _attention_heatmaps(evidence: Evidence, model, length: int, pad_id: int, device, generator) -> None:
    """Layer 0, head 0 attention weights of one padded sentence, with and without the padding mask.

    With the mask the padding columns are 0 and every row spreads its weight over the real tokens only.
    """
    import torch

    real_count = min(HEATMAP_REAL, length)
    ids = torch.cat(
        [torch.randint(1, 50, (1, real_count), generator=generator), torch.full((1, HEATMAP_PADS), pad_id, dtype=torch.long)],
        dim=1,
    ).to(device)
    real = torch.zeros_like(ids, dtype=torch.bool)
    real[:, :real_count] = True
    labels = [str(i) for i in range(real_count)] + ["pad"] * HEATMAP_PADS
    with torch.no_grad():
        for padding_mask, name, title in (
            (real, "attention_with_mask", text(zh="注意力权重（带填充掩码；第 0 层第 0 头，最后 3 个是填充）", en="Attention weights with the padding mask (layer 0, head 0; the last 3 are padding)")),
            (torch.ones_like(real), "attention_without_mask", text(zh="注意力权重（不带填充掩码；第 0 层第 0 头，最后 3 个是填充）", en="Attention weights without the padding mask (layer 0, head 0; the last 3 are padding)")),
        ):
            _, weights = model(ids, padding_mask, return_attention=True)
            evidence.heatmap(
                name,
                title,
                text(zh="键位置", en="key position"),
                text(zh="查询位置", en="query position"),
                weights["encoder.0.self_attention"][0, 0].tolist(),
                row_labels=labels,
                column_labels=labels,
                value_range=(0.0, 1.0),
            )


def _fully_masked_rows(torch, device, generator):
    """A naive −inf fill vs transformer_core's attention, on a batch whose last query row sees no key."""
    from transformer_core import MultiHeadAttention, scaled_dot_product_attention

    q = torch.randn(1, 2, 4, 8, generator=generator).to(device)
    k = torch.randn(1, 2, 4, 8, generator=generator).to(device)
    v = torch.randn(1, 2, 4, 8, generator=generator).to(device)
    mask = torch.ones(4, 4, dtype=torch.bool, device=device)
    mask[-1] = False  # the padded query: the document's example masks its whole row

    scores, values = q.clone().requires_grad_(True), v.clone().requires_grad_(True)
    naive_weights = torch.softmax((scores @ k.transpose(-2, -1)).masked_fill(~mask, float("-inf")), dim=-1)
    (naive_weights @ values).sum().backward()
    naive = {
        "nan": int(torch.isnan(naive_weights).sum()),
        "total": naive_weights.numel(),
        "finite": bool(torch.isfinite(naive_weights).all()),
        "grad_finite": bool(torch.isfinite(scores.grad).all() and torch.isfinite(values.grad).all()),
    }

    ours = {}
    query = q.clone().requires_grad_(True)
    output, _ = scaled_dot_product_attention(query, k, v, mask)
    output.sum().backward()
    ours["math formula"] = {
        "finite": bool(torch.isfinite(output).all()),
        "grad_finite": bool(torch.isfinite(query.grad).all()),
        "zero_output": bool((output[..., -1, :] == 0).all()),
    }
    for impl in ("sdpa", "math"):
        torch.manual_seed(0)
        module = MultiHeadAttention(small_config(d_model=16, n_heads=2, attention_impl=impl)).to(device)
        x = torch.randn(1, 4, 16, generator=generator).to(device).requires_grad_(True)
        out = module(x, mask=mask)
        out.sum().backward()
        bias = module.out_proj.bias.detach()
        ours[f"MultiHeadAttention ({impl})"] = {
            "finite": bool(torch.isfinite(out).all()),
            "grad_finite": bool(torch.isfinite(x.grad).all() and all(torch.isfinite(p.grad).all() for p in module.parameters())),
            # a zero attention output leaves only the output projection's bias
            "zero_output": bool(torch.allclose(out[0, -1], bias, atol=1e-6)),
        }
    return naive, ours
