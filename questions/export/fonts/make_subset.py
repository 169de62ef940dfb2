"""Make the Chinese font the PDF export ships with: Noto Sans CJK SC Regular, cut down to the
characters of GB2312 (the 6,763 common simplified hanzi and its symbols), printable ASCII, and
every other character the shipped bank and this package's labels use. About 2 MB as WOFF2,
against 16 MB for the face it comes from.

    python -m questions.export.fonts.make_subset NotoSansCJK-Regular.ttc

The source is Debian's fonts-noto-cjk (``/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc``:
``apt-get download fonts-noto-cjk`` and ``dpkg-deb -x`` it if it is not installed), or any
NotoSansCJKsc-Regular.otf. Run it again after a bank edit brings characters outside GB2312
(``tests/questions/export/test_formats.py`` says so).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

HERE = Path(__file__).parent
FONT_FILE = HERE / "NotoSansCJKsc-Regular-GB2312.woff2"
FAMILY = "Noto Sans CJK SC"


def gb2312_characters() -> set[str]:
    """Every character GB2312 encodes (both levels of hanzi, punctuation, symbols, kana, Greek, ...)."""
    found = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                found.add(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return found


def characters_we_use() -> set[str]:
    """Every character beyond ASCII in the shipped bank and in this package's code (labels)."""
    package = HERE.parents[1]  # questions/
    files = [*package.glob("bank/*.yaml"), *package.rglob("*.py")]
    return {character for path in files for character in path.read_text(encoding="utf-8") if ord(character) > 127}


def subset_characters() -> str:
    ascii_printable = {chr(code) for code in range(0x20, 0x7F)}
    return "".join(sorted(gb2312_characters() | characters_we_use() | ascii_printable))


def load_face(source: Path) -> TTFont:
    if source.suffix.lower() in (".ttc", ".otc"):
        for face in TTCollection(source).fonts:
            if face["name"].getDebugName(1) == FAMILY:
                return face
        raise SystemExit(f"make_subset: {source} has no '{FAMILY}' face")
    return TTFont(source)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="NotoSansCJK-Regular.ttc or NotoSansCJKsc-Regular.otf")
    args = parser.parse_args(argv)
    face = load_face(args.source)
    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False  # a PDF at print resolution does not need it; a fifth of the size
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=subset_characters())
    subsetter.subset(face)
    face.flavor = "woff2"
    face.save(FONT_FILE)
    print(f"{FONT_FILE}: {len(face.getBestCmap())} characters, {FONT_FILE.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
