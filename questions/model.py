"""The question bank's data types: immutable, bilingual, indexed by stable id.

These types are the contract between the bank files (``questions/bank/*.yaml``,
schema in ``docs/bank-schema.md``) and everything that reads them: the study
engine, the app, the exports and the linter. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


@dataclass(frozen=True, slots=True)
class Text:
    """One piece of text in both languages."""

    zh: str
    en: str

    def get(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True, slots=True)
class TextList:
    """A list of items in both languages; both lists have the same length."""

    zh: tuple[str, ...]
    en: tuple[str, ...]

    def get(self, lang: Lang) -> tuple[str, ...]:
        return self.zh if lang == "zh" else self.en

    def pairs(self) -> Iterator[Text]:
        for zh, en in zip(self.zh, self.en):
            yield Text(zh=zh, en=en)

    def __len__(self) -> int:
        return len(self.en)


@dataclass(frozen=True, slots=True)
class Choice:
    """A multiple-choice option; a question may have several correct ones."""

    text: Text
    correct: bool = False


@dataclass(frozen=True, slots=True)
class Source:
    """Where a seed document asks this question: file name and verbatim heading."""

    doc: str
    heading: str


@dataclass(frozen=True, slots=True)
class Reference:
    """A paper (or other published work) an answer rests on: found by arXiv id or URL."""

    title: str
    authors: str
    year: int
    arxiv: str | None = None
    url: str | None = None

    @property
    def link(self) -> str:
        """Where to read it: the arXiv abstract page when there is one, else the URL."""
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else (self.url or "")

    def citation(self) -> str:
        """One line for a reader: 'Authors (year). Title. arXiv:id' (or the URL)."""
        where = f"arXiv:{self.arxiv}" if self.arxiv else self.url
        return f"{self.authors} ({self.year}). {self.title}. {where}"


@dataclass(frozen=True, slots=True)
class Caveat:
    """A place where a seed document is wrong or imprecise, and the correction."""

    doc: str
    claim: Text
    correction: Text
    evidence: tuple[str, ...] = ()  # verifier ids that demonstrate the correction


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a question was defined, for messages that point at file:line."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    difficulty: int  # 1 basic, 2 standard, 3 deep
    tags: tuple[str, ...]
    question: Text
    answer: Text
    key_points: TextList
    sources: tuple[Source, ...]
    choices: tuple[Choice, ...] = ()
    follow_ups: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    verifiers: tuple[str, ...] = ()
    caveats: tuple[Caveat, ...] = ()
    references: tuple[Reference, ...] = ()
    origin: Origin | None = field(default=None, compare=False)

    @property
    def has_choices(self) -> bool:
        return bool(self.choices)

    @property
    def docs(self) -> tuple[str, ...]:
        """Seed documents that ask this question, in source order, without repeats."""
        return tuple(dict.fromkeys(source.doc for source in self.sources))


@dataclass(frozen=True)
class Bank:
    """All questions, in file then definition order, with lookup indexes."""

    questions: tuple[Question, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {q.id: q for q in self.questions})

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def __contains__(self, question_id: object) -> bool:
        return question_id in self._by_id  # type: ignore[attr-defined]

    def get(self, question_id: str) -> Question:
        """The question with this id; KeyError names the id when it is unknown."""
        try:
            return self._by_id[question_id]  # type: ignore[attr-defined]
        except KeyError:
            raise KeyError(f"no question with id {question_id!r}") from None

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    def topics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(q.topic for q in self.questions))

    def tags(self) -> tuple[str, ...]:
        return tuple(sorted({tag for q in self.questions for tag in q.tags}))

    def by_topic(self, topic: str) -> tuple[Question, ...]:
        return self._index("topic", lambda q: (q.topic,)).get(topic, ())

    def by_tag(self, tag: str) -> tuple[Question, ...]:
        return self._index("tag", lambda q: q.tags).get(tag, ())

    def by_doc(self, doc: str) -> tuple[Question, ...]:
        return self._index("doc", lambda q: q.docs).get(doc, ())

    def by_verifier(self, verifier_id: str) -> tuple[Question, ...]:
        return self._index("verifier", lambda q: q.verifiers).get(verifier_id, ())

    def _index(self, name: str, keys: Callable[[Question], Iterable[str]]) -> dict[str, tuple[Question, ...]]:
        """key -> its questions in bank order; each index is built on first use and kept."""
        indexes = self.__dict__.setdefault("_indexes", {})
        index = indexes.get(name)
        if index is None:
            groups: dict[str, list[Question]] = {}
            for question in self.questions:
                for key in dict.fromkeys(keys(question)):
                    groups.setdefault(key, []).append(question)
            index = indexes[name] = {key: tuple(found) for key, found in groups.items()}
        return index

    def verifier_ids(self) -> tuple[str, ...]:
        """Every verifier id some question names, sorted."""
        return tuple(sorted({v for q in self.questions for v in q.verifiers}))

    def subset(self, questions: Iterable[Question]) -> "Bank":
        return Bank(tuple(questions))
