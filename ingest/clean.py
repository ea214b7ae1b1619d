"""Clean a raw newspaper page into blocks: rejoin hard-wrapped lines, find headlines and datelines.

A page dumped from PDF/OCR has every line wrapped at the column width, blank lines between
wrapped pieces, repeated lines and page numbers. `page_blocks` turns it into an ordered list of
headline blocks (引题/主题/副题 lines), paragraphs (one per real paragraph), labels (编者按) and
references (>>> 详见第五版) that `ingest.articles` groups into articles. `page_edition` finds a
printed 版次/版名 ("第1版 要闻") before page numbers are dropped. `ingest.pdf` builds the same
blocks from a laid-out page, each printed line's box kept in `Block.pieces`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from rag.lexicon import DATELINE
from rag.text import ends_sentence
from rag.types import Box

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"[ \t\u3000\xa0\u2002\u2003]+")
_INNER_PUNCT = re.compile(r"[，,；;：:。！？!?]")
_PAGE_NUMBER = re.compile(r"^[\d\s\-—第版页]{1,6}$")
_TRAILING_PAGE_NUMBER = re.compile(r"(?<=[。！？”])\d{1,3}$")
REFERENCE = re.compile(r"^(?:>{2,}|》{2,})|详见第.{1,4}版|[上下]?转第.{1,4}版|[上下]?接第.{1,4}版")
EDITION = re.compile(
    r"第\s*(?P<number>[A-Za-z]?\d{1,3}|[一二三四五六七八九十]{1,3})\s*版"
    r"(?:\s*(?P<section>[\u4e00-\u9fff]{2,6})(?![\u4e00-\u9fff]))?"
)
MAX_HEADLINE_CHARS = 40
MAX_LABEL_CHARS = 4


@dataclass
class Block:
    """One unit of a cleaned page: kind is "headline", "paragraph", "label", "reference" or "caption".

    Blocks from a laid-out page also carry `pieces`, (end offset in `text`, box) of each printed
    line, and a headline's `title` (its largest line).
    """

    kind: str
    lines: list[str] = field(default_factory=list)
    dateline: bool = False
    pieces: list[tuple[int, Box]] = field(default_factory=list)
    title: str = ""

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def prefixed(self, prefix: str) -> Block:
        """The block as a paragraph whose text starts with `prefix` (编者按：…), its boxes shifted."""
        shift = len(prefix)
        return replace(
            self, kind="paragraph", lines=[prefix + self.text], pieces=[(end + shift, b) for end, b in self.pieces]
        )


def normalise_line(line: str) -> str:
    """Drop invisible characters and collapse runs of (full-width) spaces."""
    return _SPACES.sub(" ", line.translate(_INVISIBLE)).strip()


def join_wrapped(left: str, right: str) -> str:
    """Rejoin a wrapped line: no space between CJK, one space between Latin words."""
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return left + " " + right
    return left + right


def _kind(line: str) -> str:
    if line.startswith("#"):
        return "forced_headline"
    if DATELINE.match(line):
        return "dateline"
    if REFERENCE.search(line):
        return "reference"
    if len(line) <= MAX_HEADLINE_CHARS and not ends_sentence(line) and not _INNER_PUNCT.search(line):
        return "title"
    return "text"


def _page_header(line: str) -> re.Match[str] | None:
    """The 版次 match of a page's header line ("2022年12月15日 第1版 要闻 责任编辑：张伟"), else None."""
    if len(line) > MAX_HEADLINE_CHARS or REFERENCE.search(line) or ends_sentence(line):
        return None
    return EDITION.search(line)


def page_edition(text: str) -> tuple[str, str]:
    """版次 and 版名 of a text page when a short line prints them ("第1版 要闻", "A03版"), else ("", "")."""
    for raw in text.splitlines():
        match = _page_header(normalise_line(raw))
        if match:
            return f"第{match.group('number')}版", match.group("section") or ""
    return "", ""


def page_lines(text: str) -> list[str]:
    """Normalised non-empty lines of a page, without bare page numbers and page header lines."""
    lines = (normalise_line(raw) for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return [line for line in lines if line and not _PAGE_NUMBER.match(line) and not _page_header(line)]


def page_blocks(text: str) -> list[Block]:
    """Split a raw page into headline, paragraph, label and reference blocks."""
    lines = page_lines(text)
    kinds = [_kind(line) for line in lines]
    blocks: list[Block] = []
    open_paragraph = False
    i = 0
    while i < len(lines):
        line, kind = lines[i], kinds[i]
        if kind == "forced_headline":
            blocks.append(Block("headline", [line.lstrip("#").strip()]))
            open_paragraph = False
            i += 1
            continue
        if kind == "title":
            end = i
            while end < len(lines) and kinds[end] == "title":
                end += 1
            next_kind = kinds[end] if end < len(lines) else "end"
            announced = next_kind in ("dateline", "reference")
            if announced or not open_paragraph:
                run = lines[i:end]
                if len(run) == 1 and len(run[0]) <= MAX_LABEL_CHARS and next_kind == "text":
                    blocks.append(Block("label", run))
                else:
                    blocks.append(Block("headline", run))
                open_paragraph = False
                i = end
                continue
            kind = "text"  # a wrapped line that merely looks like a title
        if kind == "reference":
            blocks.append(Block("reference", [line]))
            open_paragraph = False
        elif kind == "text" and open_paragraph and blocks and blocks[-1].kind == "paragraph":
            blocks[-1].lines[-1] = join_wrapped(blocks[-1].lines[-1], line)
        else:
            blocks.append(Block("paragraph", [line], dateline=kind == "dateline"))
        if blocks[-1].kind == "paragraph":
            open_paragraph = not ends_sentence(blocks[-1].lines[-1])
        i += 1
    for block in blocks:
        if block.kind == "paragraph":
            block.lines[-1] = _TRAILING_PAGE_NUMBER.sub("", block.lines[-1])
    return blocks
