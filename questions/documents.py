"""The seed documents by name: a short human title for each, in place of its file name.

Bank files cite a document by its file name (``sources[].doc``,
``caveats[].doc``: ``001_4e44fbacfd5b86c1.txt``), which is stable but means
nothing to a candidate. Everything a reader sees (the app, the exports) names
it with ``document_title`` instead, followed by the cited heading
(``source_label``). Each title is taken from the document's own first heading
(or, when it has YAML front matter, its ``title:``), kept as the document
writes it; where two documents would read the same (two are headed just
"Transformer"), a few words say which one it is. The seed files themselves
are not part of the installed package, so the headings are recorded here;
``tests/questions/test_documents.py`` checks each against its file.

A document a user's bank cites that is not a seed document is shown by its
file name, the only name there is.
"""

from __future__ import annotations

from dataclasses import dataclass

from questions.model import Lang, Source, Text


@dataclass(frozen=True)
class SeedDocument:
    file: str  # as the bank cites it (questions.schema.SEED_DOCUMENTS)
    heading: str  # its own first heading (or front matter title), verbatim
    title: Text  # what readers see


SEED_DOCUMENT_TITLES: dict[str, SeedDocument] = {
    document.file: document
    for document in (
        SeedDocument(
            "000_b1566269e68ea388.txt",
            heading="Transformer (完全版)",
            title=Text(zh="Transformer (完全版)", en="Transformer (完全版), the complete guide"),
        ),
        SeedDocument(
            "001_4e44fbacfd5b86c1.txt",
            heading="Transformer的问题",
            title=Text(zh="Transformer 的问题", en="Transformer 的问题 (questions on the Transformer)"),
        ),
        SeedDocument(
            "002_f51c8fc0c724f297.txt",
            heading="Transformer 面试突击",
            title=Text(zh="Transformer 面试突击", en="Transformer 面试突击 (interview crash course)"),
        ),
        SeedDocument(
            "003_272b2778acc6e0a6.txt",
            heading="Transformer",
            title=Text(zh="Transformer（55 问）", en="Transformer (55 numbered questions)"),
        ),
        SeedDocument(
            "004_9edf2fc9252e0cf8.txt",
            heading="transformer",
            title=Text(zh="transformer（博客，2025-11-20）", en="transformer (blog post, 2025-11-20)"),
        ),
    )
}


def document_title(doc: str, lang: Lang) -> str:
    """The title readers see for a document the bank cites by file name."""
    known = SEED_DOCUMENT_TITLES.get(doc)
    return known.title.get(lang) if known is not None else doc


def source_label(source: Source, lang: Lang, separator: str = " — ") -> str:
    """A source as a reader sees it: the document's title, then the heading it asks under."""
    return f"{document_title(source.doc, lang)}{separator}{source.heading}"
