"""Browse: search both languages, filter by topic/tag/difficulty/document/evidence, open any question."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Checkbox, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from tui.screens.base import AppScreen
from tui.widgets.bars import lines_each, one_line_each
from tui.widgets.footer import AppFooter
from tui.widgets.long_list import LazyPrompt, LongOptionList
from tui.widgets.marked import CurrentRowMark, TickBox, current_row_css
from tui.widgets.question_view import DIFFICULTY_STARS, QuestionView, question_markup
from tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from textual.timer import Timer

    from questions.model import Question
    from tui.context import StudyApp


SEARCH_DEBOUNCE_S = 0.12  # a pause in typing this long redraws the results


class BrowseResults(CurrentRowMark, LongOptionList):
    """The matching questions; ▸ marks the current one besides its highlight."""

    DEFAULT_CSS = current_row_css("BrowseResults")


class BrowseScreen(AppScreen):
    CSS_PATH = "browse.tcss"
    BINDINGS = [
        Binding("slash", "focus_search", "Search", key_display="/", id="browse.search"),
        Binding("ctrl+r", "clear_filters", "Clear", id="browse.clear"),
        Binding("p", "prove", "Prove it", id="browse.prove"),
        Binding("down", "results", "Results", key_display="↓", show=False),  # from the search field to the results
    ]

    app: "StudyApp"

    def __init__(self) -> None:
        super().__init__()
        self._pending_refresh: Timer | None = None
        # A search redraw was pending when the screen was left: done when it is shown again.
        self._results_stale = False

    def compose(self) -> ComposeResult:
        bank = self.app.bank
        yield TitleBar()
        with Horizontal(id="browse-search-row"):
            yield Input(id="browse-query")
            yield TickBox(id="browse-verified")
        with Horizontal(id="browse-filter-row"):
            yield Select((), id="browse-topic")
            yield Select([(tag, tag) for tag in bank.tags()], id="browse-tag")
            yield Select([(DIFFICULTY_STARS[level], level) for level in (1, 2, 3)], id="browse-difficulty")
            yield Select((), id="browse-doc")
        yield Static(id="browse-count")
        yield BrowseResults(id="browse-results")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#browse-query", Input).focus()
        # After the first paint: a worker started before it would compete with it for the GIL.
        self.call_after_refresh(self._prepare_search)

    @work(thread=True, exclusive=True, group="browse-prepare")
    def _prepare_search(self) -> None:
        """What the session's first search costs once (rapidfuzz, the stored search index, the
        LaTeX parser for the math in the result rows: ~15 ms), paid off the UI thread while the
        query is typed, not on the key that submits it."""
        from questions.render import load_latex_parser
        from questions.search import prepare_search

        prepare_search(self.app.bank)
        load_latex_parser()

    def show_language(self) -> None:
        from questions.topics import topic_order, topic_title

        lang = self.app.ui_lang
        self.query_one("#browse-query", Input).placeholder = self.tr(
            "Search questions, answers, key points (中文 or English)", "搜索题目、答案、要点（中文或英文）"
        )
        self.query_one("#browse-verified", Checkbox).label = self.tr("verified", "有验证")
        topic_select = self.query_one("#browse-topic", Select)
        chosen_topic = topic_select.value
        topics = sorted(self.app.bank.topics(), key=topic_order)
        topic_select.set_options([(topic_title(topic, lang), topic) for topic in topics])
        if chosen_topic in topics:
            topic_select.value = chosen_topic
        self._show_documents()
        for select_id, english, chinese in (
            ("#browse-topic", "topic", "主题"),
            ("#browse-tag", "tag", "标签"),
            ("#browse-difficulty", "difficulty", "难度"),
            ("#browse-doc", "document", "文档"),
        ):
            self.query_one(select_id, Select).prompt = self.tr(english, chinese)
        self._refresh_results()

    def _show_documents(self) -> None:
        """The document filter's options: each document by its title, never its file name."""
        from questions.documents import document_title

        doc_select = self.query_one("#browse-doc", Select)
        chosen = doc_select.value
        docs = sorted({doc for question in self.app.bank for doc in question.docs})
        with self.prevent(Select.Changed):
            doc_select.set_options([(document_title(doc, self.app.ui_lang), doc) for doc in docs])
            if chosen in docs:
                doc_select.value = chosen

    # --- filtering ------------------------------------------------------------

    def matching(self) -> list["Question"]:
        """The questions that pass every filter, best search matches first."""
        def chosen(select_id: str):
            value = self.query_one(select_id, Select).value
            return None if value is Select.NULL else value

        topic, tag = chosen("#browse-topic"), chosen("#browse-tag")
        difficulty, doc = chosen("#browse-difficulty"), chosen("#browse-doc")
        verified = self.query_one("#browse-verified", Checkbox).value
        candidates = [
            question
            for question in self.app.bank
            if (topic is None or question.topic == topic)
            and (tag is None or tag in question.tags)
            and (difficulty is None or question.difficulty == difficulty)
            and (doc is None or doc in question.docs)
            and (not verified or question.verifiers)
        ]
        query = self.query_one("#browse-query", Input).value.strip()
        if not query:
            return candidates
        from questions.search import search_questions

        # Rank over the filtered questions only, best match first.
        return [hit.question for hit in search_questions(self.app.bank.subset(candidates), query)]

    def on_screen_suspend(self) -> None:
        # Typed, then left at once (escape): nobody sees the list now, so the pending redraw (a
        # search and a line per result, ~80 ms) must not run on the key that left.
        if self._pending_refresh is not None:
            self._pending_refresh.stop()
            self._pending_refresh = None
            self._results_stale = True

    def on_screen_resume(self) -> None:
        if self._results_stale:  # the list must match the query
            self._refresh_results()

    def _refresh_results(self) -> None:
        self._pending_refresh = None
        self._results_stale = False
        results = self.query_one("#browse-results", LongOptionList)
        found = self.matching()
        language = self.app.language
        # What fits beside the mark and stars: the list's width less its border, padding and scrollbar.
        width = max(20, (results.size.width or self.app.size.width) - 6 - 6)

        def prompt(question: "Question") -> Content:
            text = one_line_each(question.question, language, width, indent=6)
            mark = ("✓", "green") if question.verifiers else " "
            return Content.assemble(mark, f" {DIFFICULTY_STARS[question.difficulty]} ", text)

        def option(question: "Question") -> Option:
            # Made when shown: a list of the whole bank draws a screenful of it.
            return Option(LazyPrompt(lambda: prompt(question), lines=lines_each(language), width=width + 6), id=question.id)

        results.fill(found, option)
        total = len(self.app.bank)
        self.query_one("#browse-count", Static).update(
            self.tr(
                f"{len(found)} of {total} questions · enter opens · ✓ has evidence",
                f"{len(found)} / {total} 道题 · 回车打开 · ✓ 有验证",
            )
        )

    @on(Input.Changed, "#browse-query")
    def _query_changed(self) -> None:
        # Redraw once typing pauses: rebuilding a long result list on every keystroke would
        # make each key wait for it.
        if self._pending_refresh is not None:
            self._pending_refresh.stop()
        self._pending_refresh = self.set_timer(SEARCH_DEBOUNCE_S, self._refresh_results)

    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _filters_changed(self) -> None:
        self._refresh_results()

    @on(Input.Submitted, "#browse-query")
    def _query_submitted(self) -> None:
        if self._pending_refresh is not None:  # enter right after typing: show the final results now
            self._pending_refresh.stop()
            self._refresh_results()
        self.query_one("#browse-results", OptionList).focus()

    @on(OptionList.OptionSelected, "#browse-results")
    def _question_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.push_screen(QuestionDetailScreen(self.app.bank.get(event.option.id)))

    def _highlighted_question(self) -> "Question | None":
        results = self.query_one("#browse-results", OptionList)
        if results.highlighted is None or results.option_count == 0:
            return None
        option_id = results.get_option_at_index(results.highlighted).id
        return self.app.bank.get(option_id) if option_id else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "prove":
            question = self._highlighted_question()
            # In the search field "p" is a letter; on the list it proves the highlighted question.
            return bool(question and question.verifiers) and not self.query_one("#browse-query", Input).has_focus
        return True

    @on(OptionList.OptionHighlighted, "#browse-results")
    def _highlight_moved(self) -> None:
        self.refresh_bindings()

    def action_prove(self) -> None:
        question = self._highlighted_question()
        if question is not None:
            self.app.action_prove(question.id)

    def action_results(self) -> None:
        """Down in the search field moves to the results (the other fields keep their own Down)."""
        if self.query_one("#browse-query", Input).has_focus:
            self.query_one("#browse-results", OptionList).focus()

    def action_focus_search(self) -> None:
        self.query_one("#browse-query", Input).focus()

    def action_clear_filters(self) -> None:
        with self.prevent(Input.Changed, Select.Changed, Checkbox.Changed):
            self.query_one("#browse-query", Input).value = ""
            for select in self.query(Select):
                select.clear()
            self.query_one("#browse-verified", Checkbox).value = False
        self._refresh_results()


class QuestionDetailScreen(AppScreen):
    """One question in full: answer, key points, caveats, evidence, follow-ups, sources."""

    BINDINGS = [Binding("p", "prove", "Prove it", id="detail.prove")]

    app: "StudyApp"

    def __init__(self, question: "Question") -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield QuestionView()
        yield AppFooter()

    def show_language(self) -> None:
        markup = question_markup(self.question, self.app.language, self.app.ui_lang, reveal=True, bank=self.app.bank)
        self.query_one(QuestionView).show(markup, scroll_home=False)

    def on_mount(self) -> None:
        self.query_one(QuestionView).focus()

    def action_prove(self) -> None:
        self.app.action_prove(self.question.id)
