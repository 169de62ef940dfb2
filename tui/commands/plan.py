"""`tprep plan`: study to an interview date, and see how ready you will be.

    tprep plan                                   the plan, its pace, readiness and its trend
    tprep plan --interview-date 2026-03-12       set the date (saved in the settings)
               [--scope TOPIC[,TOPIC...]]        ... for some topics only (repeatable; 'all' for the whole bank)
               [--final-days N]                  ... with N review-only days before it (default 3)
    tprep plan --clear                           remove the date
    tprep plan --json                            the same report as JSON, for scripts

Once a date is set, no card's next review lands after it (cards reviewed in
the final days excepted) and new questions of the scope are introduced at the
pace needed to have seen them all before the final days. The rules are in
``questions/study/plan.py``; readiness is ``questions/study/forecast.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from datetime import date, timedelta, tzinfo


class PlanUsageError(Exception):
    exit_code = 2


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="set an interview date; see your pace and predicted readiness",
        description="Plan your study to an interview date: intervals are capped to land before it, new questions "
        "are paced to be seen in time, and readiness is the recall FSRS predicts for the day. "
        "With no options, shows the plan (or, without a date, readiness a week ahead).",
    )
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--interview-date", metavar="YYYY-MM-DD", help="the day of the interview (saved in the settings)")
    when.add_argument("--clear", action="store_true", help="remove the interview date (and its scope)")
    parser.add_argument(
        "--scope",
        action="append",
        default=[],
        metavar="TOPIC[,TOPIC...]",
        help="study for these topics only (repeatable; 'all' for the whole bank, the default)",
    )
    parser.add_argument(
        "--final-days", type=int, default=None, metavar="N", help="review-only days before the interview (1-30, default 3)"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from questions import load_bank
    from questions.study.clock import utc_now
    from questions.study.readiness import apply_interview_cap, plan_report
    from questions.study.store import ProgressStore
    from tui.paths import settings_path, store_path
    from tui.settings import load_settings, save_settings

    bank = load_bank(args.bank)
    now = utc_now()
    settings_file = settings_path()
    loaded = load_settings(settings_file)
    if loaded.notice:
        print(f"tprep plan: {loaded.notice}", file=sys.stderr)
    settings = loaded.settings
    zone = settings.study_settings().day_timezone
    today = now.astimezone(zone).date()

    changes = _requested_changes(args, settings, bank, today)
    store_file = store_path(args.store)
    # Open the store before saving anything, so a store that cannot be used (exit 2) leaves the settings as they were.
    with contextlib.ExitStack() as stack:
        store = stack.enter_context(ProgressStore.open(store_file)) if store_file.exists() else None
        moved = 0
        if changes is not None:
            settings = settings.with_changes(**changes)
            save_settings(settings, settings_file)
            if store is not None and settings.interview_date is not None:
                moved = apply_interview_cap(store, settings.study_settings())
        report = plan_report(store, bank, settings.study_settings(), now)

    if args.json:
        data = report.to_dict()
        if changes is not None:
            data["saved"] = {"settings": str(settings_file), "cards_moved_before_interview": moved}
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    lang = "zh" if (args.lang or settings.language) == "zh" else "en"
    if changes is not None:
        print(_saved_line(settings, settings_file, moved))
    print(_render(report, lang, today, zone))
    return 0


def _requested_changes(args: argparse.Namespace, settings, bank, today: date) -> dict | None:
    """The settings fields the options change, validated; None when nothing is to change."""
    from tui.settings import FINAL_DAYS_RANGE, parse_date

    if args.clear:
        if args.scope or args.final_days is not None:
            raise PlanUsageError("--clear removes the plan; it takes no --scope or --final-days.")
        return {"interview_date": None, "plan_topics": ()}
    changes: dict = {}
    if args.interview_date is not None:
        day = parse_date(args.interview_date, "--interview-date")
        if day <= today:
            raise PlanUsageError(
                f"--interview-date {day.isoformat()} is {'today' if day == today else 'in the past'} "
                f"(today is {today.isoformat()}); give a later date, or --clear to remove the plan."
            )
        changes["interview_date"] = day
    elif (args.scope or args.final_days is not None) and settings.interview_date is None:
        raise PlanUsageError("no interview date is set; give --interview-date YYYY-MM-DD with --scope or --final-days.")
    if args.scope:
        topics = {topic.strip() for option in args.scope for topic in option.split(",") if topic.strip()}
        if "all" in topics:
            if len(topics) > 1:
                raise PlanUsageError("--scope all means the whole bank; give either 'all' or topics.")
            topics = set()
        unknown = sorted(topics - set(bank.topics()))
        if unknown:
            raise PlanUsageError(f"--scope: unknown topic {', '.join(unknown)}; the topics are: {', '.join(bank.topics())}.")
        changes["plan_topics"] = tuple(sorted(topics))
    if args.final_days is not None:
        low, high = FINAL_DAYS_RANGE
        if not low <= args.final_days <= high:
            raise PlanUsageError(f"--final-days must be from {low} to {high}, got {args.final_days}.")
        changes["plan_final_days"] = args.final_days
    return changes or None


def _saved_line(settings, settings_file, moved: int) -> str:
    if settings.interview_date is None:
        return f"Removed the interview date (saved in {settings_file})."
    line = f"Saved: interview on {settings.interview_date.isoformat()} (in {settings_file})."
    if moved:
        line += f" {moved} card{'s' if moved != 1 else ''} due after it now come due in the final days before it."
    return line


def _day(day: date, lang: str) -> str:
    return f"{day.month}月{day.day}日" if lang == "zh" else f"{day.day} {day.strftime('%b')}"


def _percent(value: float | None) -> str:
    return "  –" if value is None else f"{value * 100:3.0f}%"


def _render(report, lang: str, today: date, zone: tzinfo) -> str:
    from questions.topics import topic_order, topic_title

    zh = lang == "zh"
    lines: list[str] = []
    plan, pacing, readiness = report.plan, report.pacing, report.readiness
    at_day = readiness.at.astimezone(zone).date() if plan is None else plan.date
    if plan is None:
        lines.append(
            "未设置面试日期：tprep plan --interview-date YYYY-MM-DD [--scope 主题,...] 可设置。"
            if zh
            else "No interview date set; set one with: tprep plan --interview-date YYYY-MM-DD [--scope TOPIC,...]"
        )
    else:
        days = (plan.date - today).days
        scope = ", ".join(sorted(plan.topics)) if plan.topics else ("全部题目" if zh else "the whole bank")
        final_first, final_last = plan.deadline, plan.date - timedelta(days=1)
        if zh:
            lines.append(
                f"面试：{plan.date.isoformat()}（还有 {days} 天）· 范围：{scope} · 最后复习日：{_day(final_first, lang)}–{_day(final_last, lang)}"
            )
        else:
            lines.append(
                f"Interview: {plan.date.isoformat()} (in {days} day{'s' if days != 1 else ''}) · scope: {scope} · "
                f"final review days: {_day(final_first, lang)}–{_day(final_last, lang)}"
            )
        if report.unknown_scope_topics:
            missing = ", ".join(sorted(report.unknown_scope_topics))
            lines.append(f"范围中的主题不在题库里：{missing}" if zh else f"Scope topics not in the bank: {missing}")
        if pacing is not None:
            lines.append(pacing.summary(lang))
            lines.append(
                f"最近 {pacing.pace_days} 天平均每天学 {pacing.recent_per_day:.1f} 道新题。"
                if zh
                else f"Your pace lately: {pacing.recent_per_day:.1f} new a day over the last {pacing.pace_days} day{'s' if pacing.pace_days != 1 else ''}."
            )
    lines.append("")
    headline = (
        f"{'备考度' if plan else '一周后掌握度'}（{_day(at_day, lang)}）：{_percent(readiness.recall).strip()}，已见 {readiness.seen}/{readiness.questions}"
        if zh
        else f"Readiness on {_day(at_day, lang)}: {_percent(readiness.recall).strip()} of the bank ({readiness.seen} of {readiness.questions} questions seen)"
    )
    if report.scope_readiness is not None:
        headline += f"；范围内 {_percent(report.scope_readiness).strip()}" if zh else f"; scope: {_percent(report.scope_readiness).strip()}"
    lines.append(headline)
    lines.append(readiness.legend(lang))
    from rich.cells import cell_len

    topics = sorted(readiness.topics, key=lambda t: topic_order(t.topic))
    titles = [topic_title(t.topic, lang) for t in topics]
    width = max((cell_len(title) for title in titles), default=0)
    for title, topic in zip(titles, topics):
        padding = " " * (width - cell_len(title))
        lines.append(f"  {title}{padding}  {_percent(topic.recall)}  {topic.seen:>3}/{topic.questions}")
    lines.append("")
    lines.append("趋势（每周，当时的预测）：" if zh else "Trend (the same forecast as it stood each week):")
    points = []
    for point in report.trend:
        day = point.as_of.astimezone(zone).date()
        label = ("今天" if zh else "today") if day == today else _day(day, lang)
        points.append(f"{label} {_percent(point.recall).strip()}")
    lines.append("  " + " · ".join(points))
    weak = len(report.weak_question_ids)
    lines.append(
        f"薄弱题：{weak} 道（tprep export --weak，或 Cram 只练薄弱题）"
        if zh
        else f"Weak questions: {weak} (tprep export --weak, or Cram with 'weak only')"
    )
    return "\n".join(lines)

