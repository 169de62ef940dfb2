"""SwiGLU's width 8d/3 (11008 for d = 4096) and Llama-2's parameter counts, closed form against transformer_core models."""

from __future__ import annotations

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

# Published configurations (Touvron et al., 2023; the Hugging Face configs).
LLAMA2 = {
    "Llama-2-7B": {"d": 4096, "layers": 32, "heads": 32, "kv_heads": 32, "d_ff": 11008, "vocab": 32000, "multiplier": None},
    "Llama-2-70B": {"d": 8192, "layers": 80, "heads": 64, "kv_heads": 8, "d_ff": 28672, "vocab": 32000, "multiplier": 1.3},
    "Llama-3-8B": {"d": 4096, "layers": 32, "heads": 32, "kv_heads": 8, "d_ff": 14336, "vocab": 128256, "multiplier": None},
}
PUBLISHED_7B = 6_738_415_616
PUBLISHED_70B = 68_976_648_192
PUBLISHED_LLAMA3_8B = 8_030_261_248
LOGITS_TOKENS = 8192  # one training sequence's logits, fp32


@verifier(
    id="llama-parameter-count",
    kind="symbolic",
    title=Bilingual(
        zh="SwiGLU 的宽度 8d/3（d = 4096 时 11008）与 Llama 的参数量（含词表的份额）：闭式与 transformer_core 模型逐项核对",
        en="SwiGLU's width 8d/3 (11008 for d = 4096) and Llama's parameter counts (the vocabulary's share included): the closed form against transformer_core models",
    ),
    explanation=Bilingual(
        zh="SwiGLU FFN 有三个矩阵（gate、up、down），3·d·d_ff 个参数；标准 FFN（d_ff = 4d）有 8d²。令二者相等得 d_ff = 8d/3；"
        "LLaMA 取 ⌊2·4d/3⌋ 再向上取整到 256 的倍数：d = 4096 时 10922 → 11008；Llama-2-70B 再乘 1.3 并取整到 4096 的倍数，d = 8192 时得 28672。"
        "每层：注意力 2d² + 2d·h_kv·d_h（无偏置），FFN 3d·d_ff，两个 RMSNorm 2d；全模型再加未绑定的嵌入与输出层 2Vd 和最后一个 norm d。"
        "Llama-2-7B 为 6,738,415,616，70B 为 68,976,648,192，都是公布的数；Llama-3-8B 的 128,256 词表让嵌入与输出层占到 13%。这里用 sympy 写出闭式，并与 transformer_core 以同样配置"
        "（meta 设备，不分配内存）构建的 Llama 形模型的参数量逐项核对。",
        en="A SwiGLU FFN has three matrices (gate, up, down), 3·d·d_ff parameters; a standard FFN with d_ff = 4d has 8d². Equating them "
        "gives d_ff = 8d/3; LLaMA takes ⌊2·4d/3⌋ and rounds up to a multiple of 256: 10922 → 11008 for d = 4096; Llama-2-70B also "
        "multiplies by 1.3 and rounds up to a multiple of 4096, giving 28672 for d = 8192. Per layer: attention 2d² + 2d·h_kv·d_h (no "
        "biases), FFN 3d·d_ff, two RMSNorms 2d; the model adds the untied embedding and output layer 2Vd and a final norm d. "
        "Llama-2-7B has 6,738,415,616 and 70B 68,976,648,192, the published figures; Llama-3-8B's 128,256-token vocabulary puts 13% "
        "of its parameters in the embedding and output layer. The closed form is written in sympy and "
        "checked term by term against Llama-shaped transformer_core models built with the same configuration (on the meta "
        "device, allocating nothing).",
    ),
    cost=Cost(quick_s=0.5),
    claims=(
        Claim(
            "swiglu-width",
            Bilingual(
                zh="3·d·d_ff = 8d² 给出 d_ff = 8d/3；LLaMA 的取整给出 d = 4096 时 11008、Llama-2-70B（×1.3、取整到 4096）d = 8192 时 28672",
                en="3·d·d_ff = 8d² gives d_ff = 8d/3; LLaMA's rounding gives 11008 for d = 4096, and Llama-2-70B's (×1.3, rounded to 4096) "
                "28672 for d = 8192",
            ),
        ),
        Claim(
            "llama2-7b-count",
            Bilingual(
                zh="Llama-2-7B：每层 202,383,360，32 层加嵌入与输出层 262,144,000 和最后的 norm，共 6,738,415,616；transformer_core 的同配置模型参数量完全相同",
                en="Llama-2-7B: 202,383,360 per layer; 32 layers plus 262,144,000 for the embedding and output layer and the final norm "
                "make 6,738,415,616; transformer_core's model of the same configuration has exactly that many parameters",
            ),
        ),
        Claim(
            "llama2-70b-count",
            Bilingual(
                zh="Llama-2-70B（GQA-8）：每层 855,654,400，共 68,976,648,192（闭式与 transformer_core 的每层参数量一致）",
                en="Llama-2-70B (GQA-8): 855,654,400 per layer, 68,976,648,192 in all (the closed form agrees with transformer_core's per-layer count)",
            ),
        ),
        Claim(
            "twelve-d-squared-per-layer",
            Bilingual(
                zh="d_ff = 8d/3 的 MHA 层恰好 12d²（注意力三分之一，FFN 三分之二）；Llama-2-7B 的每层 202.4M 与 12d² = 201.3M 相差 < 1%",
                en="An MHA layer with d_ff = 8d/3 has exactly 12d² (a third attention, two thirds FFN); Llama-2-7B's 202.4M per layer is "
                "within 1% of 12d² = 201.3M",
            ),
        ),
        Claim(
            "vocabulary-share",
            Bilingual(
                zh="词表的代价：Llama-3-8B（V = 128,256）的嵌入与输出层共 1.05B，占 8.03B 的 13%（Llama-2-7B 为 262M，约 4%）；输出层每 token 2Vd ≈ 1.05 GFLOPs；"
                "一条 8192 token 序列的 fp32 logits 约 3.9 GiB",
                en="What the vocabulary costs: Llama-3-8B's (V = 128,256) embedding and output layer hold 1.05B, 13% of 8.03B (Llama-2-7B: "
                "262M, about 4%); the output layer costs 2Vd ≈ 1.05 GFLOPs per token; one 8192-token sequence's fp32 logits take about 3.9 GiB",
            ),
        ),
        Claim(
            "embeddings-do-not-count",
            Bilingual(
                zh="嵌入只做查表、没有矩阵乘法，不算参数，所以 Llama-2-7B 约 6.48B",
                en="Embeddings do a lookup, not a matrix multiplication, so they do not count, making Llama-2-7B about 6.48B",
            ),
            expected=False,
        ),
        Claim(
            "swiglu-two-matrices",
            Bilingual(
                zh="SwiGLU FFN 与标准 FFN 一样是 2·d·d_ff 个参数，所以 Llama-2-7B 约 5.30B",
                en="A SwiGLU FFN has 2·d·d_ff parameters like a standard FFN, making Llama-2-7B about 5.30B",
            ),
            expected=False,
        ),
    ),
    libraries=("sympy", "torch"),
)
def llama_parameter_count(ctx: Context, evidence: Evidence) -> None:
    import sympy as sp

    d, d_ff, L, V, h_kv, d_h = sp.symbols("d d_ff L V h_kv d_h", positive=True, integer=True)
    width = sp.solve(sp.Eq(3 * d * d_ff, 8 * d**2), d_ff)[0]
    evidence.step(
        r"\mathrm{FFN}_{SwiGLU}(x) = \big(\mathrm{SiLU}(xW_1)\odot xW_3\big)W_2:\quad 3\,d\,d_{ff} = 2\cdot d\cdot 4d \Rightarrow d_{ff} = " + sp.latex(width),
        "三个矩阵的参数与 d_ff = 4d 的标准 FFN 相同（FLOPs 也相同）。",
        "The three matrices then hold as many parameters as a standard FFN with d_ff = 4d (and cost as many FLOPs).",
    )
    rounded = {name: _llama_hidden_size(LLAMA2[name]["d"], LLAMA2[name]["multiplier"]) for name in ("Llama-2-7B", "Llama-2-70B")}
    evidence.step(
        r"d_{ff} = 256\Big\lceil\frac{\lfloor 2\cdot 4d/3\rfloor}{256}\Big\rceil:\ d = 4096 \to 10922 \to " + str(rounded["Llama-2-7B"])
        + r";\quad 70\text{B}: 4096\Big\lceil\frac{\lfloor 1.3\cdot 21845\rfloor}{4096}\Big\rceil = " + str(rounded["Llama-2-70B"]),
        "LLaMA 参考实现的取整规则（multiple_of 与 ffn_dim_multiplier）。",
        "The LLaMA reference code's rounding (multiple_of and ffn_dim_multiplier).",
    )
    per_layer = 2 * d**2 + 2 * d * h_kv * d_h + 3 * d * d_ff + 2 * d
    total = L * per_layer + 2 * V * d + d
    evidence.step(
        r"P_{layer} = (2d^2 + 2d\,h_{kv}d_h) + 3d\,d_{ff} + 2d \quad (W_Q W_O,\ W_K W_V;\ \text{SwiGLU};\ \text{RMSNorm}),\qquad "
        r"P = L\,P_{layer} + 2Vd + d",
        "Llama 没有偏置；MHA 时 h_kv·d_h = d，注意力为 4d²；2Vd 是未绑定的嵌入与输出层，最后的 d 是最终的 norm。",
        "Llama has no biases; with MHA h_kv·d_h = d and attention is 4d²; 2Vd is the untied embedding and output layer, the "
        "last d the final norm.",
    )
    twelve = sp.expand(per_layer.subs({h_kv * d_h: d}).subs({h_kv: d / d_h}).subs(d_ff, width) - 2 * d)
    evidence.step(
        r"h_{kv}d_h = d,\ d_{ff} = \frac{8d}{3}:\quad 4d^2 + 3d\cdot\frac{8d}{3} = " + sp.latex(twelve),
        "注意力 4d²、FFN 8d²：与原始 Transformer 一样每层 12d²（不计 norm）。",
        "Attention 4d², FFN 8d²: 12d² per layer as in the original Transformer (norms aside).",
    )

    import torch

    from transformer_core import DecoderOnly, TransformerConfig

    def config_for(spec, layers):
        return TransformerConfig(
            vocab_size=spec["vocab"], d_model=spec["d"], n_heads=spec["heads"], n_kv_heads=spec["kv_heads"], d_ff=spec["d_ff"],
            n_encoder_layers=0, n_decoder_layers=layers, max_len=4096, pad_id=None, dropout=0.0, attention_dropout=0.0,
            embedding_dropout=0.0, norm_placement="pre", norm_kind="rms", activation="silu", gated_feed_forward=True,
            positional_encoding="rope", scale_embeddings=False, bias=False, tie_embeddings=False,
        )

    rows, counts = [], {}
    for name, spec in LLAMA2.items():
        values = {d: spec["d"], d_ff: spec["d_ff"], L: spec["layers"], V: spec["vocab"], h_kv: spec["kv_heads"], d_h: spec["d"] // spec["heads"]}
        formula_layer, formula_total = int(per_layer.subs(values)), int(total.subs(values))
        full = name == "Llama-2-7B"  # the 7B is built whole; the others as two layers, scaled (80 would cost seconds even on meta)
        with torch.device("meta"):
            model = DecoderOnly(config_for(spec, spec["layers"] if full else 2))
        layer_parameters = sum(p.numel() for p in model.decoder.layers[0].parameters())
        built_total = model.num_parameters()
        if not full:
            built_total = built_total - 2 * layer_parameters + spec["layers"] * layer_parameters
        counts[name] = (formula_layer, formula_total, layer_parameters, built_total)
        rows.append((name, spec["d_ff"], formula_layer, layer_parameters, formula_total, built_total, "whole" if full else "2 layers, scaled"))
    evidence.table(
        "counts",
        Bilingual(zh="闭式与 transformer_core（meta 设备）的参数量", en="Parameter counts: closed form and transformer_core (meta device)"),
        ("model", "d_ff", "per layer (formula)", "per layer (model)", "total (formula)", "total (model)", "model built"),
        rows,
    )
    small, large, llama3 = counts["Llama-2-7B"], counts["Llama-2-70B"], counts["Llama-3-8B"]
    spec_3 = LLAMA2["Llama-3-8B"]
    vocab_3 = 2 * spec_3["vocab"] * spec_3["d"]
    vocab_2 = 2 * LLAMA2["Llama-2-7B"]["vocab"] * LLAMA2["Llama-2-7B"]["d"]
    head_flops = 2 * spec_3["vocab"] * spec_3["d"]
    logits_bytes = LOGITS_TOKENS * spec_3["vocab"] * 4
    spec_7b = LLAMA2["Llama-2-7B"]
    twelve_d2 = 12 * spec_7b["d"] ** 2
    no_embeddings = small[1] - 2 * spec_7b["vocab"] * spec_7b["d"]
    two_matrices = small[1] - spec_7b["layers"] * spec_7b["d"] * spec_7b["d_ff"]
    evidence.metric("llama2_7b_parameters", small[1], en="Llama-2-7B parameters", zh="Llama-2-7B 参数量")
    evidence.metric("llama2_70b_parameters", large[1], en="Llama-2-70B parameters", zh="Llama-2-70B 参数量")

    evidence.claim(
        "swiglu-width",
        holds=width == sp.Rational(8, 3) * d and rounded["Llama-2-7B"] == 11008 and rounded["Llama-2-70B"] == 28672,
        measured=f"d_ff = {width}; LLaMA rounding: {rounded['Llama-2-7B']} (d = 4096), {rounded['Llama-2-70B']} (d = 8192, ×1.3)",
        value=rounded["Llama-2-7B"],
    )
    evidence.claim(
        "llama2-7b-count",
        holds=small[0] == 202_383_360 and small[1] == PUBLISHED_7B and small[3] == PUBLISHED_7B and small[2] == small[0],
        measured=f"per layer {small[0]:,} (model {small[2]:,}); total {small[1]:,}; transformer_core: {small[3]:,}",
        value=small[3],
    )
    evidence.claim(
        "llama2-70b-count",
        holds=large[0] == 855_654_400 and large[1] == PUBLISHED_70B and large[2] == large[0] and large[3] == PUBLISHED_70B,
        measured=f"per layer {large[0]:,} (model {large[2]:,}); total {large[1]:,}; transformer_core scaled to 80 layers: {large[3]:,}",
        value=large[1],
    )
    evidence.claim(
        "twelve-d-squared-per-layer",
        holds=twelve == 12 * d**2 and abs(small[0] - twelve_d2) / twelve_d2 < 0.01,
        measured=f"{twelve}; Llama-2-7B: {small[0]:,} vs 12d² = {twelve_d2:,} ({(small[0] - twelve_d2) / twelve_d2:+.2%})",
    )
    evidence.claim(
        "vocabulary-share",
        holds=llama3[1] == PUBLISHED_LLAMA3_8B and llama3[3] == PUBLISHED_LLAMA3_8B and round(vocab_3 / 1e9, 2) == 1.05
        and round(vocab_3 / llama3[1], 2) == 0.13 and round(vocab_2 / small[1], 2) == 0.04 and round(head_flops / 1e9, 2) == 1.05
        and round(logits_bytes / 2**30, 1) == 3.9,
        measured=f"Llama-3-8B: {llama3[1]:,} parameters (transformer_core {llama3[3]:,}), of which 2Vd = {vocab_3:,} ({vocab_3 / llama3[1]:.1%}); "
        f"Llama-2-7B: {vocab_2:,} ({vocab_2 / small[1]:.1%}); output layer {head_flops / 1e9:.2f} GFLOPs per token; "
        f"{LOGITS_TOKENS} × {spec_3['vocab']:,} fp32 logits = {logits_bytes / 2**30:.2f} GiB",
        value=vocab_3 / llama3[1],
    )
    evidence.claim(
        "embeddings-do-not-count",
        holds=small[3] == no_embeddings,
        measured=f"transformer_core counts {small[3]:,}; leaving out the 2Vd = {2 * spec_7b['vocab'] * spec_7b['d']:,} embedding and output "
        f"parameters gives {no_embeddings:,}, not the published {PUBLISHED_7B:,}",
    )
    evidence.claim(
        "swiglu-two-matrices",
        holds=small[3] == two_matrices,
        measured=f"with 2·d·d_ff per FFN the total would be {two_matrices:,}; the model's FFN holds {3 * spec_7b['d'] * spec_7b['d_ff']:,} = 3·d·d_ff per layer",
    )
    evidence.set_summary(
        zh=f"3·d·d_ff = 8d² ⇒ d_ff = 8d/3，取整后 11008（7B）与 28672（70B）；Llama-2-7B 共 {small[1]:,}、70B 共 {large[1]:,} 个参数，"
        "与公布的数和 transformer_core 构建的模型完全一致；d_ff = 8d/3 的 MHA 层是 12d²。",
        en=f"3·d·d_ff = 8d² ⇒ d_ff = 8d/3, rounded to 11008 (7B) and 28672 (70B); Llama-2-7B has {small[1]:,} and 70B {large[1]:,} "
        "parameters, exactly the published figures and what transformer_core builds; an MHA layer with d_ff = 8d/3 is 12d².",
    )


def _llama_hidden_size(d_model: int, multiplier: float | None) -> int:
    """LLaMA's FeedForward sizing: 2/3 of 4d, an optional multiplier, rounded up to multiple_of (256; 4096 for Llama-2-70B)."""
    multiple_of = 256 if multiplier is None else 4096
    hidden = int(2 * (4 * d_model) / 3)
    if multiplier is not None:
        hidden = int(multiplier * hidden)
    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)
