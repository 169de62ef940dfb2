"""One self-contained HTML study sheet: no scripts, no network, math as
MathML, plots as inline SVG, print-ready CSS with an optional two-column
cheat-sheet layout. Every piece of bank text is escaped.

The PDF export renders this same document with math as Unicode text instead
of MathML (``math="unicode"``), because the PDF engine does not lay out MathML.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any, Callable, Literal, Mapping

from questions.export.evidence import claim_lines, run_date, status_mark, svg_heatmap, svg_plot, text_of
from questions.export.sheet import LABELS, StudySheet
from questions.export.writing import write_atomically
from questions.mathtext import split_math
from questions.model import Lang, Question, Text

Layout = Literal["single", "two-column"]
MathMode = Literal["mathml", "unicode"]

# The family the PDF export's shipped Chinese font is declared under (questions/export/pdf.py): named
# after any installed Chinese font, so that one is preferred. The HTML sheet does not ship the font.
BUNDLED_CJK_FAMILY = "Transformer Prep CJK"

CSS = """
:root { --muted: #5b6470; --rule: #d8dde3; --ok: #1a7f37; --bad: #cf222e; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei",
       "BUNDLED_CJK_FAMILY", system-ui, -apple-system, "Segoe UI", sans-serif;
       line-height: 1.5; color: #1f2328; margin: 0 auto; max-width: 60rem; padding: 1.5rem; font-size: 15px; }
h1 { font-size: 1.7rem; margin: 0 0 .2rem; }
h2 { font-size: 1.3rem; border-bottom: 2px solid var(--accent); padding-bottom: .2rem; margin-top: 2rem;
     break-after: avoid; }
h3 { font-size: 1.05rem; margin: 0 0 .3rem; break-after: avoid; }
.meta, .generated { color: var(--muted); font-size: .85em; }
.meta code, .sources code { font-size: .95em; }
article.question { border-top: 1px solid var(--rule); padding: .8rem 0; }
.label { font-weight: 600; margin: .5rem 0 .15rem; color: var(--accent); font-size: .92em; break-after: avoid; }
p { margin: .25rem 0; }
[lang="en"].second { color: var(--muted); }
ul { margin: .2rem 0; padding-left: 1.3rem; }
li { margin: .1rem 0; }
.caveat { background: #fff8e6; border-left: 3px solid #d4a72c; padding: .3rem .6rem; margin: .3rem 0; }
.evidence { background: #f3f8ff; border-left: 3px solid var(--accent); padding: .3rem .6rem; margin: .3rem 0; }
.ok { color: var(--ok); font-weight: 700; } .bad { color: var(--bad); font-weight: 700; }
.measured { color: var(--muted); font-size: .9em; }
svg.plot { max-width: 100%; height: auto; display: block; margin: .3rem 0; }
svg.plot text { font-family: inherit; font-size: 10px; fill: #333; }
svg.plot .plot-title { font-size: 11px; font-weight: 600; }
math { font-size: 1.05em; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
nav ol { columns: 2; }
body.two-column { max-width: none; font-size: 12px; padding: .8rem; }
body.two-column main { column-count: 2; column-gap: 1.6rem; column-rule: 1px solid var(--rule); }
body.two-column article.question { break-inside: avoid; }
body.two-column h2 { column-span: all; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  .caveat, .evidence { break-inside: avoid; }
  nav { break-after: page; }
}
""".replace("BUNDLED_CJK_FAMILY", BUNDLED_CJK_FAMILY)


def render_html(sheet: StudySheet, *, layout: Layout = "single", math: MathMode = "mathml") -> str:
    render_math = _mathml if math == "mathml" else _unicode_math
    page_lang = "zh-CN" if sheet.langs[0] == "zh" else "en"
    title = escape(sheet.label("title"))
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{page_lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title><style>{CSS}</style></head>",
        f'<body class="{"two-column" if layout == "two-column" else "single"}">',
        f"<header><h1>{title}</h1>",
        f'<p class="generated">{escape(sheet.label("generated"))} {sheet.generated_at:%Y-%m-%d} · '
        f'{len(sheet.questions)} {escape(sheet.label("questions"))}</p></header>',
        f'<nav><p class="label">{escape(sheet.label("contents"))}</p><ol>',
    ]
    for topic, questions in sheet.sections():
        parts.append(f'<li><a href="#topic-{escape(topic)}">{escape(sheet.topic_heading(topic))}</a> ({len(questions)})</li>')
    parts.append("</ol></nav><main>")
    number = 0
    # Several questions cite the same verifier: its claims and plots are drawn once, at the
    # first question, and later ones link there (shorter sheets, a much faster PDF).
    evidence_at: dict[str, tuple[int, str]] = {}
    for topic, questions in sheet.sections():
        parts.append(f'<section class="topic" id="topic-{escape(topic)}"><h2>{escape(sheet.topic_heading(topic))}</h2>')
        for question in questions:
            number += 1
            parts.append(_question(sheet, number, question, render_math, evidence_at))
        parts.append("</section>")
    parts.append("</main></body></html>")
    return "\n".join(parts)


def write_html(sheet: StudySheet, path: Path, *, layout: Layout = "single", force: bool = False) -> Path:
    document = render_html(sheet, layout=layout)
    return write_atomically(path, lambda temporary: temporary.write_text(document, encoding="utf-8"), force=force)


# --- pieces -----------------------------------------------------------------------------


def rich_text(text: str, render_math: Callable[[str, bool], str]) -> str:
    """Escaped prose with each math span rendered by ``render_math(latex, display)``."""
    return "".join(
        render_math(span.text, span.display) if span.is_math else escape(span.text) for span in split_math(text)
    )


def _mathml(latex: str, display: bool) -> str:
    from latex2mathml.converter import convert

    try:
        return convert(latex, display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - latex2mathml raises many types; show the source instead
        return f'<code class="math-source">{escape(latex)}</code>'


def _unicode_math(latex: str, display: bool) -> str:
    from questions.render import latex_to_unicode

    return f'<span class="math">{escape(latex_to_unicode(latex))}</span>'


def _paragraphs(sheet: StudySheet, text: Text, render_math: Callable[[str, bool], str]) -> str:
    out = []
    for index, lang in enumerate(sheet.langs):
        css = ' class="second"' if index else ""
        for paragraph in filter(None, (p.strip() for p in text.get(lang).split("\n\n"))):
            out.append(f'<p lang="{lang}"{css}>{rich_text(paragraph, render_math)}</p>')
    return "".join(out)


def _question(
    sheet: StudySheet,
    number: int,
    question: Question,
    render_math: Callable[[str, bool], str],
    evidence_at: dict[str, tuple[int, str]],
) -> str:
    qid = escape(question.id)
    titles = [rich_text(question.question.get(lang), render_math) for lang in sheet.langs]
    parts = [f'<article class="question" id="q-{qid}">', f"<h3>{number}. {titles[0]}</h3>"]
    parts += [f'<p lang="en" class="second">{title}</p>' for title in titles[1:]]
    meta = [f"<code>{qid}</code>", f"{escape(sheet.label('difficulty'))} {'★' * question.difficulty}"]
    if question.tags:
        meta.append(escape(", ".join(question.tags)))
    parts.append(f'<p class="meta">{" · ".join(meta)}</p>')

    parts.append(f'<p class="label">{escape(sheet.label("answer"))}</p>')
    parts.append(_paragraphs(sheet, question.answer, render_math))

    parts.append(f'<p class="label">{escape(sheet.label("key_points"))}</p>')
    for lang in sheet.langs:
        items = "".join(f"<li>{rich_text(point, render_math)}</li>" for point in question.key_points.get(lang))
        parts.append(f'<ul lang="{lang}">{items}</ul>')

    if question.caveats:
        parts.append(f'<p class="label">{escape(sheet.label("caveats"))}</p>')
        for caveat in question.caveats:
            body = [f"<code>{escape(caveat.doc)}</code>"]
            for lang in sheet.langs:
                body.append(
                    f'<p lang="{lang}">“{rich_text(caveat.claim.get(lang), render_math)}” → '
                    f"{rich_text(caveat.correction.get(lang), render_math)}</p>"
                )
            parts.append(f'<div class="caveat">{"".join(body)}</div>')

    if question.verifiers and sheet.with_evidence:
        parts.append(f'<p class="label">{escape(sheet.label("evidence"))}</p>')
        for verifier_id, result in sheet.results_for(question):
            if result is not None and verifier_id in evidence_at:
                parts.append(_evidence_reference(sheet, verifier_id, result, *evidence_at[verifier_id]))
                continue
            parts.append(_evidence(sheet, verifier_id, result, render_math))
            evidence_at.setdefault(verifier_id, (number, question.id))

    if question.follow_ups:
        links = ", ".join(f'<a href="#q-{escape(f)}"><code>{escape(f)}</code></a>' for f in question.follow_ups)
        parts.append(f'<p class="meta">{escape(sheet.label("follow_ups"))}: {links}</p>')

    sources = "".join(
        f"<li><code>{escape(source.doc)}</code> — {escape(source.heading)}</li>" for source in question.sources
    )
    parts.append(f'<p class="label">{escape(sheet.label("sources"))}</p><ul class="sources">{sources}</ul>')
    parts.append("</article>")
    return "\n".join(parts)


def _evidence_reference(
    sheet: StudySheet, verifier_id: str, result: Mapping[str, Any], number: int, question_id: str
) -> str:
    mark = status_mark(result)
    return (
        f'<div class="evidence"><span class="{"ok" if mark == "✓" else "bad"}">{mark}</span> '
        f"<code>{escape(verifier_id)}</code> — {escape(sheet.label('evidence_at'))} "
        f'<a href="#q-{escape(question_id)}">{number}</a></div>'
    )


def _evidence(
    sheet: StudySheet,
    verifier_id: str,
    result: Mapping[str, Any] | None,
    render_math: Callable[[str, bool], str],
) -> str:
    if result is None:
        return (
            f'<div class="evidence"><code>{escape(verifier_id)}</code>: {escape(sheet.label("not_run"))} '
            f"(<code>tprep verify {escape(verifier_id)}</code>)</div>"
        )
    mark = status_mark(result)
    css = "ok" if mark == "✓" else "bad"
    parts = [
        f'<div class="evidence"><p><span class="{css}">{mark}</span> <code>{escape(verifier_id)}</code> '
        f'<span class="measured">{escape(run_date(result))}</span></p>'
    ]
    for lang in sheet.langs:
        parts.append(f'<p lang="{lang}">{rich_text(text_of(result.get("summary"), lang), render_math)}</p>')
    primary: Lang = sheet.langs[0]
    items = []
    for claim in claim_lines(result, primary):
        expected = "" if claim.expected_true else f" <em>({escape(LABELS['expected_false'].get(primary))})</em>"
        claim_css = "ok" if claim.mark == "✓" else "bad"
        items.append(
            f'<li><span class="{claim_css}">{claim.mark}</span> {rich_text(claim.statement, render_math)}{expected}'
            f' <span class="measured">— {escape(claim.measured)}</span></li>'
        )
    if items:
        parts.append(f"<ul>{''.join(items)}</ul>")
    for plot in result.get("plots") or ():
        parts.append(svg_plot(plot, primary))
    for heatmap in result.get("heatmaps") or ():
        parts.append(svg_heatmap(heatmap, primary))
    parts.append("</div>")
    return "".join(parts)
