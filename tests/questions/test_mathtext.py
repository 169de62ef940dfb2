"""The one splitter of bank math: ``$...$`` and ``$$...$$`` spans."""

from questions.mathtext import Span, split_math


def test_inline_and_display_spans_in_order():
    assert split_math(r"a $x^2$ b $$\sum_i y_i$$ c") == [
        Span("a "),
        Span("x^2", is_math=True),
        Span(" b "),
        Span(r"\sum_i y_i", is_math=True, display=True),
        Span(" c"),
    ]


def test_prices_escaped_and_unmatched_dollars_stay_text():
    assert split_math("costs $5 and $10") == [Span("costs $5 and $10")]
    assert split_math(r"a \$ sign") == [Span("a $ sign")]
    assert split_math("one $ alone") == [Span("one $ alone")]


def test_text_without_math_is_one_span():
    assert split_math("plain") == [Span("plain")]
    assert split_math("") == []
