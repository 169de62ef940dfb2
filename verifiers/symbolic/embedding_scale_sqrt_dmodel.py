"""Multiplying embeddings by √d_model puts them on the scale of the positional encoding."""

from __future__ import annotations

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

D_MODEL = 512
VOCAB = 37000  # the shared source/target BPE vocabulary of the original paper


@verifier(
    id="embedding-scale-sqrt-dmodel",
    kind="symbolic",
    title=Bilingual(
        zh="嵌入乘以 √d_model：让词嵌入与位置编码处于同一量级",
        en="Scaling embeddings by √d_model puts them on the scale of the positional encoding",
    ),
    explanation=Bilingual(
        zh="原论文的实现（tensor2tensor）把嵌入初始化为 N(0, 1/d_model)，每个分量方差只有 1/d；正弦位置编码每个分量的均方值恒为 1/2"
        "（因为 ‖PE(p)‖² = d/2）。不缩放时位置编码的能量是嵌入的 d/2 倍（d=512 时 256 倍），会淹没词义；乘以 √d 后嵌入方差为 1，"
        "两者同一量级。这个理由依赖初始化：若用 PyTorch nn.Embedding 默认的 N(0,1)，再乘 √d 反而让嵌入比位置编码大上千倍；"
        "而 Xavier 初始化对 V×d 的嵌入矩阵给出的方差是 2/(V+d)，并不是某些资料说的 1/d。",
        en="The original implementation (tensor2tensor) initialises embeddings from N(0, 1/d_model), so each component has "
        "variance 1/d, while each component of the sinusoidal encoding has mean square 1/2 (because ‖PE(p)‖² = d/2). "
        "Unscaled, the encoding carries d/2 times the embedding's energy (256× at d=512) and drowns the word identity; "
        "times √d the embedding has variance 1, the same order as the encoding. The argument depends on the "
        "initialisation: with PyTorch's nn.Embedding default N(0, 1), scaling by √d makes embeddings about a thousand times "
        "larger than the encoding, and Xavier initialisation of a V×d embedding matrix gives variance 2/(V+d), not the "
        "1/d some notes claim.",
    ),
    cost=Cost(quick_s=0.6, full_s=3.0),  # plus torch's import when transformer_core is first loaded
    claims=(
        Claim(
            "scaled-embedding-variance-one",
            Bilingual(zh="嵌入 ~ N(0, 1/d) 时，√d·嵌入 的方差为 1", en="With embeddings ~ N(0, 1/d), √d·embedding has variance 1"),
        ),
        Claim(
            "pe-mean-square-half",
            Bilingual(zh="正弦位置编码每个分量的均方值为 1/2（每个位置都一样）", en="Each component of the sinusoidal encoding has mean square 1/2 (at every position)"),
        ),
        Claim(
            "scaled-comparable-unscaled-drowned",
            Bilingual(
                zh="缩放后 嵌入:位置编码 的能量比为 2（同一量级）；不缩放则为 2/d（d=512 时位置编码大 256 倍）",
                en="Scaled, the embedding-to-encoding energy ratio is 2 (same order); unscaled it is 2/d (the encoding 256× larger at d=512)",
            ),
        ),
        Claim(
            "transformer-core-embeddings-comparable",
            Bilingual(
                zh="transformer_core 的嵌入层（d_model=512）：缩放后的词嵌入每分量方差在 1 的 5% 以内，与其位置编码表同一量级",
                en="transformer_core's embedding layer (d_model=512): the scaled token embedding's variance per component is within 5% "
                "of 1, the same order as its positional-encoding table",
            ),
        ),
        Claim(
            "scaling-helps-with-any-initialisation",
            Bilingual(
                zh="无论嵌入如何初始化，乘以 √d_model 都能让它与位置编码同一量级",
                en="Whatever the initialisation, multiplying by √d_model makes the embedding comparable to the encoding",
            ),
            expected=False,
        ),
        Claim(
            "xavier-variance-is-one-over-d",
            Bilingual(
                zh="Xavier 初始化使 V×d 嵌入矩阵的方差为 1/d（《Transformer 面试突击》的说法）",
                en="Xavier initialisation gives a V×d embedding matrix variance 1/d (as “Transformer 面试突击” says)",
            ),
            expected=False,
        ),
    ),
    libraries=("sympy", "numpy", "torch"),
)
def embedding_scale_sqrt_dmodel(ctx: Context, evidence: Evidence) -> None:
    import numpy as np
    import sympy as sp

    from verifiers.symbolic._numeric import sinusoidal_positional_encoding

    d, vocab, omega, p = sp.symbols("d V omega p", positive=True)
    embedding_variance = 1 / d
    scaled_variance = sp.simplify(sp.sqrt(d) ** 2 * embedding_variance)
    evidence.step(
        r"e_j \sim \mathcal{N}(0, 1/d):\ \operatorname{Var}(\sqrt{d}\,e_j) = d\cdot\frac{1}{d} = " + sp.latex(scaled_variance),
        "常数 c 缩放使方差乘以 c²。",
        "Scaling by a constant c multiplies the variance by c².",
    )
    pe_pair_mean_square = sp.simplify((sp.sin(omega * p) ** 2 + sp.cos(omega * p) ** 2) / 2)
    evidence.step(
        r"\frac{1}{d}\|PE(p)\|^2 = \frac{1}{d}\sum_{i<d/2}\big(\sin^2\omega_i p + \cos^2\omega_i p\big) = " + sp.latex(pe_pair_mean_square),
        "每对维度 sin² + cos² = 1，平均到每个分量为 1/2。",
        "Each pair gives sin² + cos² = 1, i.e. 1/2 per component.",
    )
    ratio_scaled = sp.simplify(scaled_variance / pe_pair_mean_square)
    ratio_unscaled = sp.simplify(embedding_variance / pe_pair_mean_square)
    ratio_default_init = sp.simplify(d * 1 / pe_pair_mean_square)
    xavier = 2 / (vocab + d)
    evidence.step(
        r"\frac{\mathbb{E}\|\sqrt{d}e\|^2}{\|PE\|^2} = " + sp.latex(ratio_scaled) + r",\quad \frac{\mathbb{E}\|e\|^2}{\|PE\|^2} = " + sp.latex(ratio_unscaled)
        + r",\quad e\sim\mathcal{N}(0,1):\ \frac{\mathbb{E}\|\sqrt{d}e\|^2}{\|PE\|^2} = " + sp.latex(ratio_default_init),
        "缩放后两者同一量级；不缩放时位置编码大 d/2 倍；若初始化为 N(0,1)，缩放后嵌入大 2d 倍。",
        "Scaled, the two are of the same order; unscaled, the encoding is d/2 times larger; with an N(0,1) init, the "
        "scaled embedding is 2d times larger.",
    )
    evidence.step(
        r"\operatorname{Var}_{\text{Xavier}}(E \in \mathbb{R}^{V\times d}) = \frac{2}{\text{fan}_{in}+\text{fan}_{out}} = " + sp.latex(xavier),
        f"V = {VOCAB}、d = {D_MODEL} 时为 {float(xavier.subs({vocab: VOCAB, d: D_MODEL})):.2e}，而 1/d = {1 / D_MODEL:.2e}。",
        f"For V = {VOCAB}, d = {D_MODEL} that is {float(xavier.subs({vocab: VOCAB, d: D_MODEL})):.2e}, while 1/d = {1 / D_MODEL:.2e}.",
    )

    rng = ctx.numpy_rng()
    tokens = 4000 if ctx.quick else 37000
    embeddings = rng.normal(0.0, D_MODEL**-0.5, size=(tokens, D_MODEL))
    encodings = sinusoidal_positional_encoding(np.arange(tokens), D_MODEL)
    pe_mean_square = float((encodings**2).mean())
    pe_per_position = (encodings**2).mean(axis=1)
    scaled_mean_square = float(((np.sqrt(D_MODEL) * embeddings) ** 2).mean())
    unscaled_mean_square = float((embeddings**2).mean())
    default_init_scaled = float(((np.sqrt(D_MODEL) * rng.standard_normal((tokens, D_MODEL))) ** 2).mean())
    evidence.table(
        "energy",
        Bilingual(zh=f"每分量均方值（d={D_MODEL}，{tokens} 个词/位置）", en=f"Mean square per component (d={D_MODEL}, {tokens} tokens/positions)"),
        ("quantity", "mean square", "÷ PE"),
        [
            ("PE", round(pe_mean_square, 4), 1.0),
            ("e ~ N(0,1/d)", round(unscaled_mean_square, 6), round(unscaled_mean_square / pe_mean_square, 5)),
            ("√d·e, e ~ N(0,1/d)", round(scaled_mean_square, 4), round(scaled_mean_square / pe_mean_square, 3)),
            ("√d·e, e ~ N(0,1)", round(default_init_scaled, 1), round(default_init_scaled / pe_mean_square, 1)),
        ],
    )
    evidence.metric("scaled_to_pe_ratio", scaled_mean_square / pe_mean_square, en="scaled embedding / PE energy", zh="缩放后嵌入与 PE 能量比")
    evidence.metric("unscaled_to_pe_ratio", unscaled_mean_square / pe_mean_square, en="unscaled embedding / PE energy", zh="未缩放嵌入与 PE 能量比")

    d_value = {d: D_MODEL}
    evidence.claim(
        "scaled-embedding-variance-one",
        holds=scaled_variance == 1 and abs(scaled_mean_square - 1) < 0.02,
        measured=f"Var(√d·e) = {scaled_variance}; sampled {scaled_mean_square:.4f}",
        value=scaled_mean_square,
    )
    evidence.claim(
        "pe-mean-square-half",
        holds=pe_pair_mean_square == sp.Rational(1, 2) and float(np.abs(pe_per_position - 0.5).max()) < 1e-12,
        measured=f"symbolic {pe_pair_mean_square}; per position {pe_per_position.min():.12f} … {pe_per_position.max():.12f}",
        value=pe_mean_square,
    )
    evidence.claim(
        "scaled-comparable-unscaled-drowned",
        holds=ratio_scaled == 2 and ratio_unscaled == 2 / d and abs(scaled_mean_square / pe_mean_square - 2) < 0.05
        and int(1 / ratio_unscaled.subs(d_value)) == 256,
        measured=f"scaled ratio {ratio_scaled} (sampled {scaled_mean_square / pe_mean_square:.3f}); unscaled {ratio_unscaled} = "
        f"1/{int(1 / ratio_unscaled.subs(d_value))} at d={D_MODEL} (sampled {unscaled_mean_square / pe_mean_square:.5f})",
        value=scaled_mean_square / pe_mean_square,
    )
    core_variance, core_pe_mean_square, core_scale = _transformer_core_embedding(ctx)
    evidence.claim(
        "transformer-core-embeddings-comparable",
        holds=abs(core_variance - 1) < 0.05 and abs(core_scale - np.sqrt(D_MODEL)) < 1e-9 and abs(core_pe_mean_square - 0.5) < 0.01,
        measured=f"scale factor {core_scale:.4f} (√512 = {np.sqrt(D_MODEL):.4f}); variance of scaled token embeddings "
        f"{core_variance:.4f}; mean square of its PE table {core_pe_mean_square:.4f}",
        value=core_variance,
    )
    evidence.claim(
        "scaling-helps-with-any-initialisation",
        holds=float(ratio_default_init.subs(d_value)) < 10,
        measured=f"with N(0,1) init the scaled embedding has {float(ratio_default_init.subs(d_value)):g}× the encoding's energy "
        f"(sampled {default_init_scaled / pe_mean_square:.0f}×)",
        value=float(ratio_default_init.subs(d_value)),
    )
    xavier_value = float(xavier.subs({vocab: VOCAB, d: D_MODEL}))
    evidence.claim(
        "xavier-variance-is-one-over-d",
        holds=sp.simplify(xavier - 1 / d) == 0,
        measured=f"Xavier variance 2/(V+d) = {xavier_value:.2e} for V={VOCAB}, d={D_MODEL}; 1/d = {1 / D_MODEL:.2e}",
        value=xavier_value,
    )
    evidence.set_summary(
        zh=f"初始化 N(0,1/d) 时，√d 缩放后嵌入方差为 1，与位置编码每分量均方值 1/2 同量级；不缩放时位置编码大 {D_MODEL // 2} 倍。这一理由依赖初始化。",
        en=f"With an N(0, 1/d) init, the √d-scaled embedding has variance 1, the same order as the encoding's 1/2 per component; "
        f"unscaled, the encoding is {D_MODEL // 2}× larger. The argument depends on the initialisation.",
    )


def _transformer_core_embedding(ctx: Context) -> tuple[float, float, float]:
    """(variance of scale·token embedding, mean square of the PE table, scale) of a freshly built transformer_core model."""
    import torch

    from transformer_core import TransformerConfig
    from transformer_core.models import DecoderOnly

    ctx.seed_torch()
    config = TransformerConfig(vocab_size=4000, d_model=D_MODEL, n_heads=8, d_ff=64, n_decoder_layers=1, max_len=1024)
    model = DecoderOnly(config)
    with torch.no_grad():
        scaled = model.embed.token.weight.double() * model.embed.scale
        table = model.embed.position(config.max_len).double()
    return float(scaled.var()), float((table**2).mean()), float(model.embed.scale)
