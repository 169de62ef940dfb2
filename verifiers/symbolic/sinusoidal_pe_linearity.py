"""PE(pos+k) = M(k)·PE(pos): a block-diagonal rotation that does not depend on pos."""

from __future__ import annotations

from verifiers.result import Bilingual
from verifiers.spec import Claim, Context, Cost, Evidence, verifier

D_MODEL = 512


@verifier(
    id="sinusoidal-pe-linearity",
    kind="symbolic",
    title=Bilingual(
        zh="正弦位置编码的线性性：PE(pos+k) = M(k)·PE(pos)",
        en="Sinusoidal PE is linear in the offset: PE(pos+k) = M(k)·PE(pos)",
    ),
    explanation=Bilingual(
        zh="原论文选择正弦/余弦，是因为对任意固定偏移 k，PE(pos+k) 是 PE(pos) 的线性函数。"
        "每对维度 (sin ωp, cos ωp) 在偏移 k 后恰好被旋转角度 ωk，所以 M(k) 是由 2×2 旋转块组成的块对角矩阵，"
        "只依赖 k、不依赖 pos，且是正交矩阵（长度不变）。这里用和角公式对一般频率 ω 符号证明，"
        "验证 M(a)M(b) = M(a+b)，再在 d_model = 512 上数值检验。",
        en="The original paper chose sines and cosines because, for any fixed offset k, PE(pos+k) is a linear function "
        "of PE(pos). Each pair of dimensions (sin ωp, cos ωp) is rotated by the angle ωk when the position moves by "
        "k, so M(k) is block-diagonal with 2×2 rotation blocks, depends on k only, not on pos, and is orthogonal "
        "(lengths are kept). This proves it symbolically for a generic frequency ω with the angle-addition "
        "formulas, checks M(a)M(b) = M(a+b), and checks d_model = 512 numerically.",
    ),
    cost=Cost(quick_s=0.6),
    claims=(
        Claim(
            "offset-is-a-linear-map",
            Bilingual(
                zh="对一般频率 ω：(sin ω(p+k), cos ω(p+k)) = R(ωk)·(sin ωp, cos ωp)，R 为 2×2 旋转矩阵",
                en="For a generic frequency ω: (sin ω(p+k), cos ω(p+k)) = R(ωk)·(sin ωp, cos ωp) with R a 2×2 rotation",
            ),
        ),
        Claim(
            "map-independent-of-position",
            Bilingual(zh="M(k) 不含 pos：同一矩阵适用于所有位置", en="M(k) does not involve pos: one matrix serves every position"),
        ),
        Claim(
            "map-is-a-rotation",
            Bilingual(
                zh="M(k) 是正交矩阵且行列式为 1（旋转），并满足 M(a)M(b) = M(a+b)",
                en="M(k) is orthogonal with determinant 1 (a rotation) and M(a)M(b) = M(a+b)",
            ),
        ),
        Claim(
            "numeric-check-dmodel-512",
            Bilingual(
                zh="d_model = 512：对随机位置与偏移，‖M(k)PE(p) − PE(p+k)‖∞ < 1e-9",
                en="d_model = 512: for random positions and offsets, ‖M(k)PE(p) − PE(p+k)‖∞ < 1e-9",
            ),
        ),
    ),
    libraries=("sympy", "numpy"),
)
def sinusoidal_pe_linearity(ctx: Context, evidence: Evidence) -> None:
    import numpy as np
    import sympy as sp

    from verifiers.symbolic._algebra import expand_angles
    from verifiers.symbolic._numeric import pe_frequencies, sinusoidal_positional_encoding

    omega, p, k, a, b = sp.symbols("omega p k a b", real=True)
    pair = sp.Matrix([sp.sin(omega * p), sp.cos(omega * p)])
    shifted = sp.Matrix([sp.sin(omega * (p + k)), sp.cos(omega * (p + k))])

    def rotation(angle: sp.Expr) -> sp.Matrix:
        return sp.Matrix([[sp.cos(angle), sp.sin(angle)], [-sp.sin(angle), sp.cos(angle)]])

    block = rotation(omega * k)
    # Expanding the angle sums is enough: the difference cancels term by term (no simplify search needed).
    residual = (shifted.applyfunc(expand_angles) - block * pair).applyfunc(sp.expand)
    is_linear = residual == sp.zeros(2, 1)
    evidence.step(
        r"\begin{pmatrix}\sin\omega(p+k)\\ \cos\omega(p+k)\end{pmatrix} = "
        r"\begin{pmatrix}\cos\omega k & \sin\omega k\\ -\sin\omega k & \cos\omega k\end{pmatrix}"
        r"\begin{pmatrix}\sin\omega p\\ \cos\omega p\end{pmatrix}",
        "和角公式：sin(x+y) = sin x cos y + cos x sin y，cos(x+y) = cos x cos y − sin x sin y。",
        "Angle addition: sin(x+y) = sin x cos y + cos x sin y, cos(x+y) = cos x cos y − sin x sin y.",
    )
    independent_of_position = p not in block.free_symbols
    evidence.step(
        r"M(k) = \operatorname{diag}\big(R(\omega_0 k), \dots, R(\omega_{d/2-1} k)\big),\quad \omega_i = 10000^{-2i/d_{\text{model}}}",
        f"每对维度一个旋转块；块中只出现 ω 与 k（自由符号：{sorted(map(str, block.free_symbols))}），与 pos 无关。",
        f"One rotation block per pair of dimensions; a block only involves ω and k (free symbols: "
        f"{sorted(map(str, block.free_symbols))}), never pos.",
    )
    orthogonal = (block.T * block).applyfunc(sp.trigsimp) == sp.eye(2)
    unit_determinant = sp.trigsimp(block.det()) == 1
    composes = (rotation(omega * a) * rotation(omega * b) - rotation(omega * (a + b))).applyfunc(
        expand_angles
    ) == sp.zeros(2, 2)
    evidence.step(
        r"R^\top R = I,\ \operatorname{det} R = 1,\ R(\omega a)R(\omega b) = R(\omega(a+b))",
        "每个块是旋转：保持长度，偏移可叠加。",
        "Each block is a rotation: it keeps lengths, and offsets compose by addition.",
    )

    rng = ctx.numpy_rng()
    frequencies = pe_frequencies(D_MODEL)
    trials = 50 if ctx.quick else 500
    positions = rng.integers(0, 10_000, size=trials)
    offsets = rng.integers(-500, 500, size=trials)
    worst = 0.0
    for position, offset in zip(positions, offsets):
        angles = frequencies * offset
        cos, sin = np.cos(angles), np.sin(angles)
        rotation_matrix = np.zeros((D_MODEL, D_MODEL))
        rotation_matrix[0::2, 0::2] = np.diag(cos)
        rotation_matrix[0::2, 1::2] = np.diag(sin)
        rotation_matrix[1::2, 0::2] = np.diag(-sin)
        rotation_matrix[1::2, 1::2] = np.diag(cos)
        encodings = sinusoidal_positional_encoding([position, position + offset], D_MODEL)
        worst = max(worst, float(np.abs(rotation_matrix @ encodings[0] - encodings[1]).max()))
    evidence.metric("max_abs_error", worst, en=f"max |M(k)PE(p) − PE(p+k)| over {trials} random (p, k)", zh="最大绝对误差")

    evidence.claim(
        "offset-is-a-linear-map",
        holds=is_linear,
        measured=f"sympy: shifted pair − R(ωk)·pair simplifies to {list(residual)}",
    )
    evidence.claim(
        "map-independent-of-position",
        holds=independent_of_position,
        measured=f"free symbols of the block: {sorted(map(str, block.free_symbols))}",
    )
    evidence.claim(
        "map-is-a-rotation",
        holds=orthogonal and unit_determinant and composes,
        measured=f"RᵀR = I: {orthogonal}; det R = 1: {unit_determinant}; R(ωa)R(ωb) = R(ω(a+b)): {composes}",
    )
    evidence.claim(
        "numeric-check-dmodel-512",
        holds=worst < 1e-9,
        measured=f"max abs error {worst:.2e} over {trials} random positions in [0, 10000) and offsets in [−500, 500)",
        value=worst,
    )
    evidence.set_summary(
        zh=f"PE(pos+k) = M(k)·PE(pos)：M(k) 为块对角旋转矩阵，只依赖 k；d_model=512 数值误差 {worst:.1e}。",
        en=f"PE(pos+k) = M(k)·PE(pos) with M(k) a block-diagonal rotation that depends on k only; numeric error {worst:.1e} at d_model=512.",
    )
