from __future__ import annotations

import pytest

from questions.render import latex_to_unicode, render_math


@pytest.mark.parametrize(
    "latex, expected",
    [
        (r"\sqrt{d_k}", "√d_k"),
        (r"\frac{QK^T}{\sqrt{d_k}}", "QKᵀ/√d_k"),
        (r"\frac{QK^\top}{\sqrt{d_k}}", "QKᵀ/√d_k"),
        (r"\frac{1}{\sqrt{d_k}}", "1/√d_k"),
        (r"\frac{a+b}{2}", "(a+b)/2"),
        (r"\sqrt{a+b}", "√(a+b)"),
        (r"\sqrt[3]{x}", "∛x"),
        (r"x^2 + y^{10}", "x² + y¹⁰"),
        (r"x^{-1}", "x⁻¹"),
        (r"W_1 x_{10}", "W₁ x₁₀"),
        (r"d_{model}", "d_model"),
        (r"e^{x_i}", "e^(x_i)"),
        (r"PE_{(pos,2i)} = \sin(pos/10000^{2i/d_{model}})", "PE_(pos,2i) = sin(pos/10000^(2i/d_model))"),
        (r"\alpha, \beta, \gamma, \epsilon, \lambda, \sigma, \theta", "α, β, γ, ϵ, λ, σ, θ"),
        (r"\mathrm{Var}(q\cdot k)=d_k", "Var(q·k)=d_k"),
        (r"q \cdot k = \sum_{i=1}^{d_k} q_i k_i", "q · k = ∑_(i=1)^(d_k) q_i k_i"),
        (r"O(n^2 d)", "O(n² d)"),
        (r"\operatorname{softmax}(z)_i", "softmax(z)_i"),
        (r"\|x\|_2 \le 1", "‖x‖₂ ≤ 1"),
        (r"h \times d_{head} = d_{model}", "h × d_head = d_model"),
        (r"\mathbb{R}^{n \times d}", "ℝ^(n × d)"),
        (r"\text{if } x > 0", "if x > 0"),
        (r"\left( \frac{a}{b} \right)", "( a/b )"),
        (r"T \to 0^+", "T → 0⁺"),
    ],
)
def test_latex_to_unicode(latex, expected):
    assert latex_to_unicode(latex) == expected


def test_render_math_replaces_only_math_spans():
    text = r"Divide by $\sqrt{d_k}$ so that $\mathrm{Var}=1$ (costs \$5); display: $$O(n^2)$$."
    assert render_math(text) == "Divide by √d_k so that Var=1 (costs $5); display: O(n²)."


def test_text_without_math_is_returned_unchanged():
    assert render_math("没有公式的答案 / plain answer, 100% sure") == "没有公式的答案 / plain answer, 100% sure"


def test_chinese_text_around_math():
    assert render_math(r"除以 $\sqrt{d_k}$ 使方差回到 1") == "除以 √d_k 使方差回到 1"


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
