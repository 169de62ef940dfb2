"""A shared Q/K projection makes the score matrix a Gram matrix: symmetric and positive semi-definite."""

from __future__ import annotations

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier


@verifier(
    id="shared-qk-symmetric-scores",
    kind="symbolic",
    title=Bilingual(
        zh="Q、K 共用一个投影时，分数矩阵对称且半正定",
        en="Sharing one projection for Q and K makes the score matrix symmetric positive semi-definite",
    ),
    explanation=Bilingual(
        zh="若 W_Q = W_K = W，分数矩阵 S = XW(XW)ᵀ 是 Gram 矩阵：对称（i 对 j 的分数等于 j 对 i），半正定。由 Cauchy–Schwarz，"
        "s_ij ≤ √(s_ii·s_jj)：一个词与自己的分数限制了它与其他词的分数；投影后范数相同时，每个词都最关注自己。"
        "这就是 Q、K 要用不同权重的原因：不同投影让分数可以不对称（“A 关注 B”不必等于“B 关注 A”），也不再偏向自身。"
        "注意范数不同时，自身分数并不总是一行中最大的。",
        en="With W_Q = W_K = W the score matrix S = XW(XW)ᵀ is a Gram matrix: symmetric (i's score for j equals j's score "
        "for i) and positive semi-definite. By Cauchy–Schwarz s_ij ≤ √(s_ii·s_jj): a token's score with itself bounds its "
        "scores with others, and when the projected norms are equal every token attends most to itself. That is why Q "
        "and K use different weights: separate projections let scores be asymmetric ('A attends to B' need not equal 'B "
        "attends to A') and remove the pull toward oneself. Note that with unequal norms the self-score is not always "
        "the largest in its row.",
    ),
    cost=Cost(quick_s=0.5),
    claims=(
        Claim("symmetric", Bilingual(zh="共享投影时 S = Sᵀ（符号证明）", en="With a shared projection S = Sᵀ (proved symbolically)")),
        Claim(
            "positive-semi-definite",
            Bilingual(zh="xᵀSx = ‖(XW)ᵀx‖² ≥ 0；随机实例的最小特征值 ≥ 0", en="xᵀSx = ‖(XW)ᵀx‖² ≥ 0; random instances have no negative eigenvalue"),
        ),
        Claim(
            "self-score-bounds-others",
            Bilingual(zh="s_ij² ≤ s_ii·s_jj；投影后范数相同时每行最大值都在对角线上", en="s_ij² ≤ s_ii·s_jj; with equal projected norms every row peaks on the diagonal"),
        ),
        Claim(
            "separate-projections-asymmetric",
            Bilingual(zh="W_Q ≠ W_K 时分数矩阵一般不对称", en="With W_Q ≠ W_K the score matrix is in general not symmetric"),
        ),
        Claim(
            "self-score-always-largest",
            Bilingual(zh="共享投影时，无论范数如何，每个词与自己的分数总是一行中最大的", en="With a shared projection a token's self-score is always the largest in its row, whatever the norms"),
            expected=False,
        ),
    ),
    libraries=("sympy", "numpy"),
)
def shared_qk_symmetric_scores(ctx: Context, evidence: Evidence) -> None:
    import numpy as np
    import sympy as sp

    X = sp.Matrix(3, 4, lambda i, j: sp.Symbol(f"x_{i}{j}", real=True))
    W = sp.Matrix(4, 2, lambda i, j: sp.Symbol(f"w_{i}{j}", real=True))
    S = (X * W) * (X * W).T
    symmetric = (S - S.T).applyfunc(sp.expand) == sp.zeros(3, 3)
    u = sp.Matrix(3, 1, lambda i, j: sp.Symbol(f"u_{i}", real=True))
    projected = (X * W).T * u
    quadratic_form_is_square = sp.expand((u.T * S * u)[0] - (projected.T * projected)[0]) == 0
    evidence.step(
        r"S = (XW)(XW)^\top \Rightarrow S^\top = (XW)(XW)^\top = S",
        "对 3 个词、d=4、投影到 2 维的一般符号矩阵展开验证。",
        "Expanded for general symbolic matrices: 3 tokens, d = 4, projected to 2 dimensions.",
    )
    evidence.step(
        r"u^\top S u = \big((XW)^\top u\big)^\top\big((XW)^\top u\big) = \|(XW)^\top u\|^2 \ge 0",
        "二次型是一个向量的平方范数，所以 S 半正定。",
        "The quadratic form is a squared norm, so S is positive semi-definite.",
    )
    evidence.step(
        r"s_{ij} = \langle W^\top x_i, W^\top x_j\rangle \le \|W^\top x_i\|\,\|W^\top x_j\| = \sqrt{s_{ii}\, s_{jj}}",
        "Cauchy–Schwarz：若投影后范数相同，s_ij ≤ s_ii。",
        "Cauchy–Schwarz: if the projected norms are equal, s_ij ≤ s_ii.",
    )

    rng = ctx.numpy_rng()
    trials, tokens, d_model, d_k = (200 if ctx.quick else 2000), 10, 32, 8
    min_eigenvalue, worst_symmetry, worst_cauchy = np.inf, 0.0, -np.inf
    diagonal_rows_equal_norm = total_rows = 0
    diagonal_rows_free = 0
    asymmetry = np.inf
    for _ in range(trials):
        x = rng.standard_normal((tokens, d_model))
        w = rng.standard_normal((d_model, d_k)) / np.sqrt(d_model)
        projected_tokens = x @ w
        scores = projected_tokens @ projected_tokens.T
        worst_symmetry = max(worst_symmetry, float(np.abs(scores - scores.T).max()))
        min_eigenvalue = min(min_eigenvalue, float(np.linalg.eigvalsh(scores).min()))
        diagonal = np.diag(scores)
        worst_cauchy = max(worst_cauchy, float((scores**2 - np.outer(diagonal, diagonal)).max()))
        diagonal_rows_free += int((scores.argmax(axis=1) == np.arange(tokens)).sum())
        unit = projected_tokens / np.linalg.norm(projected_tokens, axis=1, keepdims=True)
        diagonal_rows_equal_norm += int(((unit @ unit.T).argmax(axis=1) == np.arange(tokens)).sum())
        total_rows += tokens
        w_k = rng.standard_normal((d_model, d_k)) / np.sqrt(d_model)
        separate = projected_tokens @ (x @ w_k).T
        asymmetry = min(asymmetry, float(np.abs(separate - separate.T).max() / np.abs(separate).max()))
    evidence.table(
        "random-instances",
        Bilingual(zh=f"{trials} 个随机实例（{tokens} 个词，d={d_model}，d_k={d_k}）", en=f"{trials} random instances ({tokens} tokens, d={d_model}, d_k={d_k})"),
        ("quantity", "value"),
        [
            ("max |S − Sᵀ| (shared)", float(f"{worst_symmetry:.3g}")),
            ("min eigenvalue (shared)", float(f"{min_eigenvalue:.3g}")),
            ("max (s_ij² − s_ii s_jj)", float(f"{worst_cauchy:.3g}")),
            ("rows peaking on the diagonal, equal norms", diagonal_rows_equal_norm / total_rows),
            ("rows peaking on the diagonal, raw norms", diagonal_rows_free / total_rows),
            ("min relative asymmetry, W_Q ≠ W_K", float(f"{asymmetry:.3g}")),
        ],
    )
    evidence.claim(
        "symmetric",
        holds=symmetric and worst_symmetry < 1e-9,
        measured=f"S − Sᵀ expands to 0: {symmetric}; numerically max |S − Sᵀ| = {worst_symmetry:.1e}",
        value=worst_symmetry,
    )
    evidence.claim(
        "positive-semi-definite",
        holds=quadratic_form_is_square and min_eigenvalue > -1e-9,
        measured=f"uᵀSu = ‖(XW)ᵀu‖²: {quadratic_form_is_square}; smallest eigenvalue over {trials} instances {min_eigenvalue:.1e} "
        f"(rank ≤ d_k = {d_k} < {tokens} tokens, so zeros are expected)",
        value=min_eigenvalue,
    )
    evidence.claim(
        "self-score-bounds-others",
        holds=worst_cauchy < 1e-9 and diagonal_rows_equal_norm == total_rows,
        measured=f"max (s_ij² − s_ii s_jj) = {worst_cauchy:.1e}; with equal norms {diagonal_rows_equal_norm}/{total_rows} rows peak on the diagonal",
        value=worst_cauchy,
    )
    evidence.claim(
        "separate-projections-asymmetric",
        holds=asymmetry > 1e-3,
        measured=f"smallest relative asymmetry max|S − Sᵀ|/max|S| over {trials} instances: {asymmetry:.3f}",
        value=asymmetry,
    )
    evidence.claim(
        "self-score-always-largest",
        holds=diagonal_rows_free == total_rows,
        measured=f"with raw norms only {diagonal_rows_free}/{total_rows} rows ({diagonal_rows_free / total_rows:.0%}) peak on the diagonal",
        value=diagonal_rows_free / total_rows,
    )
    evidence.set_summary(
        zh=f"共享投影时 S = (XW)(XW)ᵀ 对称半正定，s_ij ≤ √(s_ii s_jj)，范数相同时每个词最关注自己；分开的 W_Q、W_K 让分数可以不对称。"
        f"范数不同时只有 {diagonal_rows_free / total_rows:.0%} 的行在对角线上取最大。",
        en=f"With a shared projection S = (XW)(XW)ᵀ is symmetric PSD and s_ij ≤ √(s_ii s_jj): with equal norms every token "
        f"attends most to itself; separate W_Q, W_K make scores asymmetric. With raw norms only {diagonal_rows_free / total_rows:.0%} "
        "of rows peak on the diagonal.",
    )
