from __future__ import annotations

import pytest

from questions.render import latex_to_unicode, render_math


@pytest.mark.parametrize(
    "latex, expected",
    [
        (r"\sqrt{d_k}", "√dₖ"),
        (r"\frac{QK^T}{\sqrt{d_k}}", "QKᵀ/√dₖ"),
        (r"\frac{QK^\top}{\sqrt{d_k}}", "QKᵀ/√dₖ"),
        (r"\frac{1}{\sqrt{d_k}}", "1/√dₖ"),
        (r"\frac{a+b}{2}", "(a+b)/2"),
        (r"\sqrt{a+b}", "√(a+b)"),
        (r"\sqrt[3]{x}", "∛x"),
        (r"x^2 + y^{10}", "x² + y¹⁰"),
        (r"x^{-1}", "x⁻¹"),
        (r"W_1 x_{10}", "W₁ x₁₀"),
        # A script with a Unicode form for every character is written with them...
        (r"d_{k}", "dₖ"),
        (r"a_{ij}", "aᵢⱼ"),
        (r"h_{t-1}", "hₜ₋₁"),
        # ...otherwise in parentheses when longer than one character, so it cannot run on.
        (r"d_{model}", "d_(model)"),
        (r"e^{x_i}", "e^(xᵢ)"),
        (r"PE_{(pos,2i)} = \sin(pos/10000^{2i/d_{model}})", "PE_(pos,2i) = sin(pos/10000^(2i/d_(model)))"),
        (r"\alpha, \beta, \gamma, \epsilon, \lambda, \sigma, \theta", "α, β, γ, ϵ, λ, σ, θ"),
        (r"\mathrm{Var}(q\cdot k)=d_k", "Var(q·k)=dₖ"),
        (r"q \cdot k = \sum_{i=1}^{d_k} q_i k_i", "q · k = ∑ᵢ₌₁^(dₖ) qᵢ kᵢ"),
        (r"O(n^2 d)", "O(n² d)"),
        (r"\operatorname{softmax}(z)_i", "softmax(z)ᵢ"),
        (r"\|x\|_2 \le 1", "‖x‖₂ ≤ 1"),
        (r"h \times d_{head} = d_{model}", "h × d_(head) = d_(model)"),
        (r"\mathbb{R}^{n \times d}", "ℝ^(n × d)"),
        (r"\text{if } x > 0", "if x > 0"),
        (r"\left( \frac{a}{b} \right)", "( a/b )"),
        (r"T \to 0^+", "T → 0⁺"),
        # The run-together scripts and leaked macros of issue #14.
        (r"\sum_j a_{ij}v_j", "∑ⱼ aᵢⱼvⱼ"),
        (r"E[q_ik_i]", "E[qᵢkᵢ]"),
        (r"v^\top\tanh(W_qq_i+W_kk_j)", "vᵀ tanh(W_q qᵢ+Wₖkⱼ)"),
        (r"p\odot(g - \textstyle\sum_j p_j g_j)", "p⊙(g - ∑ⱼ pⱼ gⱼ)"),
        (r"\binom{16}{2}", "C(16, 2)"),
        (r"a \bmod b", "a mod b"),
        (r"a \equiv b \pmod{p}", "a ≡ b (mod p)"),
        (r"\log\frac{a}{b}", "log(a/b)"),
        # Operator names and fractions are set apart from what follows them.
        (r"\nabla\log\pi_\theta(y|x)", "∇log π_θ(y|x)"),
        (r"\max_\pi\mathbb{E}[r]", "max_π 𝔼[r]"),
        (r"x\cos\theta", "x cos θ"),
        (r"\frac{1}{G}\sum_i x_i", "1/G ∑ᵢ xᵢ"),
        (r"\tfrac12(p_a+p_b)", "1/2 (pₐ+p_b)"),
        (r"\frac{1}{BT}", "1/(BT)"),
        (r"\frac{\partial L}{\partial W}", "∂L/∂W"),
        (r"p_i=\frac{\exp(z_i/T)}{\sum_j\exp(z_j/T)}", "pᵢ=exp(zᵢ/T)/(∑ⱼ exp(zⱼ/T))"),
        (r"s_{ij}\le\sqrt{s_{ii}s_{jj}}", "sᵢⱼ≤√(sᵢᵢsⱼⱼ)"),
        (r"W_Qx", "W_Q x"),
        (r"A_{ij}=[j<P]\lor[j\le i]", "Aᵢⱼ=[j<P]∨[j≤i]"),
        (r"p(x\mid y)", "p(x | y)"),
        (r"\overline{x} + \vec{v}", "x̅ + v⃗"),
        (
            r"\begin{pmatrix}\cos m\theta&-\sin m\theta\\\sin m\theta&\cos m\theta\end{pmatrix}",
            "(cos mθ, -sin mθ; sin mθ, cos mθ)",
        ),
        (r"M_{ij} = \begin{cases} 0 & j \le i \\ -\infty & j > i \end{cases}", "Mᵢⱼ = {0, j ≤ i; -∞, j > i}"),
        (r"\mathrm{rotate\_half}(x)", "rotate_half(x)"),
    ],
)
def test_latex_to_unicode(latex, expected):
    assert latex_to_unicode(latex) == expected


def test_render_math_replaces_only_math_spans():
    text = r"Divide by $\sqrt{d_k}$ so that $\mathrm{Var}=1$ (costs \$5); display: $$O(n^2)$$."
    assert render_math(text) == "Divide by √dₖ so that Var=1 (costs $5); display: O(n²)."


def test_text_without_math_is_returned_unchanged():
    assert render_math("没有公式的答案 / plain answer, 100% sure") == "没有公式的答案 / plain answer, 100% sure"


def test_chinese_text_around_math():
    assert render_math(r"除以 $\sqrt{d_k}$ 使方差回到 1") == "除以 √dₖ 使方差回到 1"


@pytest.mark.parametrize("broken", [r"\frac{a}", r"\sqrt", r"x^", r"\unknownmacro{x}", "{", r"\left("])
def test_broken_latex_never_raises(broken):
    result = latex_to_unicode(broken)
    assert isinstance(result, str)


def test_an_unbalanced_dollar_leaves_the_text_readable():
    assert render_math("costs $5 and more") == "costs $5 and more"


def test_dollar_amounts_are_not_math():
    assert render_math("costs $5 and $10 more") == "costs $5 and $10 more"
    assert render_math(r"between $x_1$ and $x_2$") == "between x₁ and x₂"


def test_macros_beyond_pylatexenc_are_rendered_not_dropped():
    from questions.render import latex_to_unicode

    assert latex_to_unicode(r"a \ne b") == "a ≠ b"
    assert latex_to_unicode(r"A \iff B") == "A ⇔ B"
    assert latex_to_unicode(r"\tfrac{1}{2}") == "1/2"
    assert latex_to_unicode(r"\det(M)") == "det(M)"
    assert "f" in latex_to_unicode(r"a \xrightarrow{f} b")
    # Unknown macros keep their name rather than vanishing.
    assert latex_to_unicode(r"\frobnicate x") == "frobnicate x"
