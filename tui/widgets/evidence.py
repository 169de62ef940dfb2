"""A verifier's result as terminal markup: verdict, claims with measured values, derivation, metrics."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from tui.widgets.i18n import tr
from tui.widgets.markup import escape
from tui.widgets.mathtext import readable

if TYPE_CHECKING:
    from verifiers.result import Bilingual, Result
    from verifiers.spec import Verifier

# Colour only repeats what the marks of questions.marks say by their shape (the CLI's colours):
# green for a statement that holds, magenta for a document's claim refuted as expected, red for a
# failure. A run: ✓ passed, ! failed, ? error, and "-" not run yet.
RUN_COLOURS = {"passed": "green", "failed": "red", "error": "red"}
CLAIM_COLOURS = {"holds": "green", "refuted": "magenta", "mismatch": "red", "unchecked": "red"}
NOT_RUN = "-"


def pick(text: "Bilingual", language: str) -> str:
    """Verifier text (``zh``/``en``) in the chosen language, Chinese over English for both."""
    zh, en = escape(readable(text.zh)), escape(readable(text.en))
    if language == "zh":
        return zh
    if language == "en":
        return en
    return f"{zh}\n[dim]{en}[/]"


def when(result: "Result") -> str:
    """When a result was produced, in local time, for "cached results show with their date"."""
    try:
        return datetime.fromisoformat(result.started_at).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return result.started_at or "?"


def status_mark(result: "Result | None") -> str:
    """A verifier's latest run as a mark (questions.marks.run_mark), coloured only to repeat it."""
    from questions.marks import run_mark

    if result is None:
        return f"[dim]{NOT_RUN}[/]"
    status = result.status.value
    return f"[{RUN_COLOURS.get(status, 'red')}]{run_mark(status)}[/]"


def claim_line(expected: bool, observed: "bool | None", statement: str, ui_lang: str) -> str:
    """A claim as markup: its mark (questions.marks.claim_mark), the statement, and, for every
    mark but a plain ✓, what the mark means: ``✗ statement [document's claim — refuted, as expected]``."""
    from questions.marks import ClaimOutcome, claim_mark

    mark = claim_mark(expected, observed)
    colour = CLAIM_COLOURS[mark.outcome.value]
    line = f"[b {colour}]{mark.glyph}[/] {statement}"
    if mark.outcome is not ClaimOutcome.HOLDS:
        line += f" [{colour}]\\[{escape(mark.words.get('zh' if ui_lang == 'zh' else 'en'))}][/]"
    return line


TABLE_ROWS_SHOWN = 12


def table_lines(columns: tuple[str, ...], rows: tuple[tuple, ...]) -> list[str]:
    """A result table as aligned columns (numbers to 4 significant digits), at most 12 rows."""
    from rich.cells import cell_len

    def cell(value) -> str:
        return f"{value:.4g}" if isinstance(value, float) else str(value)

    shown = [[cell(value) for value in row] for row in rows[:TABLE_ROWS_SHOWN]]
    widths = [max([cell_len(name)] + [cell_len(row[i]) for row in shown if i < len(row)]) for i, name in enumerate(columns)]

    def line(values: list[str]) -> str:
        return "  ".join(value + " " * (width - cell_len(value)) for value, width in zip(values, widths)).rstrip()

    out = ["[dim]" + escape(line(list(columns))) + "[/]", *(escape(line(row)) for row in shown)]
    if len(rows) > TABLE_ROWS_SHOWN:
        out.append(f"[dim]… {len(rows) - TABLE_ROWS_SHOWN} more[/]")
    return out


def result_markup(spec: "Verifier", result: "Result | None", language: str, ui_lang: str, *, with_steps: bool = True) -> str:
    """Everything a candidate needs to see about one verifier and its latest run."""
    lines = [
        f"[b]{pick(spec.title, language)}[/b]",
        f"[dim]{escape(spec.id)} · {spec.kind} · ~{spec.cost.quick_s:g}s[/]",
        "",
    ]
    explanation = ["", f"[b $accent]{tr(ui_lang, 'What this checks', '检查什么')}[/]", pick(spec.explanation, language)]
    if result is None:
        lines.append(tr(ui_lang, "[dim]Not run yet.[/]", "[dim]尚未运行。[/]"))
        lines += ["", f"[b $accent]{tr(ui_lang, 'Claims', '论断')}[/]"]
        for claim in spec.claims:
            expect = (
                tr(ui_lang, "expected to hold", "预期成立")
                if claim.expected
                else tr(ui_lang, "a document's claim, expected to be refuted", "文档的说法，预期被推翻")
            )
            lines.append(f"? {pick(claim.statement, language)} [dim]({expect})[/]".replace("\n", "\n  "))
        return "\n".join(lines + explanation)
    verdict = status_mark(result) + " " + {
        "passed": tr(ui_lang, "[b green]PASSED[/]", "[b green]通过[/]"),
        "failed": tr(ui_lang, "[b red]FAILED[/]", "[b red]未通过[/]"),
        "error": tr(ui_lang, "[b red]ERROR[/]", "[b red]出错[/]"),
    }[result.status.value]
    lines.append(
        f"{verdict}  [dim]{tr(ui_lang, 'run', '运行于')} {when(result)} · {result.elapsed_s:.2f}s · "
        f"{result.device} · seed {result.seed} · {result.profile}[/]"
    )
    lines.append(pick(result.summary, language))
    if result.claims:
        lines += ["", f"[b $accent]{tr(ui_lang, 'Claims', '论断')}[/]"]
        for claim in result.claims:
            lines.append(claim_line(claim.expected, claim.observed, pick(claim.statement, language), ui_lang).replace("\n", "\n  "))
            lines.append(f"  [dim]{tr(ui_lang, 'measured', '测量')}: {escape(readable(claim.measured))}[/]")
    if with_steps and result.steps:
        lines += ["", f"[b $accent]{tr(ui_lang, 'Derivation', '推导')}[/]"]
        for number, step in enumerate(result.steps, start=1):
            lines.append(f"{number}. {pick(step.prose, language)}".replace("\n", "\n   "))
            lines.append(f"   [b]{escape(readable('$' + step.latex + '$'))}[/b]")
    if result.metrics:
        lines += ["", f"[b $accent]{tr(ui_lang, 'Measured', '测量值')}[/]"]
        for metric in result.metrics:
            label = pick(metric.label, language).replace("\n", " / ") if metric.label else escape(metric.name)
            lines.append(f"· {label}: [b]{metric.value:.6g}[/b] {escape(metric.unit)}")
    for table in result.tables:
        lines += ["", f"[b $accent]{pick(table.title, language)}[/]", *table_lines(table.columns, table.rows)]
    if result.has_figures:
        figures = len(result.plots) + len(result.heatmaps)
        lines += ["", tr(ui_lang, f"[dim]{figures} plot(s): press g to show them.[/]", f"[dim]{figures} 张图：按 g 查看。[/]")]
    if result.error:
        lines += ["", f"[b red]{tr(ui_lang, 'Error', '错误')}[/]", escape(result.error.strip().splitlines()[-1])]
    return "\n".join(lines + explanation)
