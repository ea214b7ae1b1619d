"""Read laid-out newspaper pages from PDF (pypdfium2): characters → lines → blocks → articles.

Per page: characters with their boxes and type sizes are grouped into lines (a wide gap or a
change of size ends a line, so lines of neighbouring columns never merge), lines into column
blocks, and blocks are sorted by type size into headlines (larger than the body type), body
text and captions (smaller). The page header/footer (报名, 日期, 版次, 责任编辑) is found by its
words at the top or bottom edge and kept apart; it gives the page's 版次/版名 and date.
A headline owns the blocks that start right below it and overlap it (its columns) and the
blocks that continue them; blocks no headline owns are briefs. Each article's blocks are read
column by column and handed, as `ingest.clean.Block`s carrying each printed line's box, to the
same grouping as text pages (`ingest.articles.group_blocks`: datelines, closing lines, jump lines).
A PDF without a text layer (a scan) is refused: no OCR engine is bundled.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.articles import Draft, build_articles, group_blocks, page_paper
from ingest.clean import EDITION, REFERENCE, Block, join_wrapped, normalise_line
from rag.lexicon import DATELINE
from rag.page_image import PDFIUM_LOCK
from rag.types import Article, Box, Layout

NO_TEXT_LAYER = "no text layer; OCR is not available"
HEADER_WORDS = re.compile(
    r"责任编辑|美术编辑|校对|星期[一二三四五六日天]|\d{4}年\d{1,2}月\d{1,2}日|第\s*\S{1,3}\s*版|^\d{1,3}$"
)
_HEADER_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
HEADLINE_RATIO = 1.18  # a line set this much larger than the body type is a headline
CAPTION_RATIO = 0.9  # a line set this much smaller is a caption
SPREAD_SPACES = 0.3  # a line with spaces between more of its characters than this is spread, not spaced
EDGE = 0.12  # the header/footer lies in this fraction of the page height at the top or bottom


@dataclass
class Char:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    spaced: bool = False  # pdfium saw a space before it


@dataclass
class Line:
    """Characters on one baseline within one column, of one type size."""

    chars: list[Char]
    kind: str = "body"
    x0: float = field(init=False)
    x1: float = field(init=False)
    y0: float = field(init=False)
    y1: float = field(init=False)

    @property
    def text(self) -> str:
        """The characters with pdfium's spaces, unless it saw spaces everywhere (a line spread to justify it)."""
        spread = sum(c.spaced for c in self.chars[1:]) > SPREAD_SPACES * len(self.chars)
        return normalise_line("".join(c.text if spread or not c.spaced else " " + c.text for c in self.chars))

    @property
    def size(self) -> float:
        return median(c.size for c in self.chars)

    def __post_init__(self) -> None:
        self.x0 = min(c.x0 for c in self.chars)
        self.x1 = max(c.x1 for c in self.chars)
        self.y0 = min(c.y0 for c in self.chars)
        self.y1 = max(c.y1 for c in self.chars)

    def box(self, page: int) -> Box:
        return Box(page=page, x0=round(self.x0, 1), y0=round(self.y0, 1), x1=round(self.x1, 1), y1=round(self.y1, 1))


@dataclass
class ColumnBlock:
    """Lines of one kind stacked in one column at regular spacing."""

    kind: str
    lines: list[Line] = field(default_factory=list)

    @property
    def x0(self) -> float:
        return min(line.x0 for line in self.lines)

    @property
    def x1(self) -> float:
        return max(line.x1 for line in self.lines)

    @property
    def y0(self) -> float:
        return self.lines[0].y0

    @property
    def y1(self) -> float:
        return self.lines[-1].y1


@dataclass
class PdfPage:
    """What one page yields: its number, printed 版次/版名/date/paper and its articles' drafts."""

    number: int
    edition: str
    section: str
    date: str
    masthead: str
    drafts: list[Draft]
    blocks: list[Block]


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    """How much of the narrower of two x ranges the other covers (0..1)."""
    width = min(a1 - a0, b1 - b0)
    return max(0.0, min(a1, b1) - max(a0, b0)) / width if width > 0 else 0.0


def page_chars(page: pdfium.PdfPage) -> list[Char]:
    """The page's printed characters with loose boxes (top-left origin) and type sizes in points.

    pdfium reports sizes in text space; one factor per page (the median box height over the median
    size) turns them into points, so that gaps and sizes compare.
    """
    textpage = page.get_textpage()
    height = page.get_height()
    chars: list[Char] = []
    spaced = False
    for i in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(textpage.raw, i)
        if code in (0, 0xFFFE, 0xFFFF) or chr(code) in "\r\n":
            continue
        if chr(code).isspace():
            spaced = True
            continue
        left, bottom, right, top = textpage.get_charbox(i, loose=True)
        size = pdfium_c.FPDFText_GetFontSize(textpage.raw, i)
        if top > bottom and size > 0:
            chars.append(Char(chr(code), left, height - top, right, height - bottom, size, spaced))
            spaced = False
    if chars:
        scale = median(c.y1 - c.y0 for c in chars) / median(c.size for c in chars)
        for char in chars:
            char.size *= scale
    return chars


def page_lines(chars: list[Char]) -> list[Line]:
    """Group characters into lines: a shared baseline, no wide gap, one type size."""
    rows: list[list[Char]] = []
    for char in sorted(chars, key=lambda c: (c.y0 + c.y1) / 2):
        middle = (char.y0 + char.y1) / 2
        if rows and abs(middle - (rows[-1][-1].y0 + rows[-1][-1].y1) / 2) <= 0.3 * char.size:
            rows[-1].append(char)
        else:
            rows.append([char])
    lines = []
    for row in rows:
        current: list[Char] = []
        for char in sorted(row, key=lambda c: c.x0):
            if current:
                last = current[-1]
                same_size = 0.87 < char.size / last.size < 1.15
                if not same_size or char.x0 - last.x1 > 0.9 * max(char.size, last.size):
                    lines.append(Line(current))
                    current = []
            current.append(char)
        if current:
            lines.append(Line(current))
    return [line for line in lines if line.text]


def _header_band(lines: list[Line], height: float) -> tuple[float, float]:
    """(bottom of the header, top of the footer): the rows at the page edges that print 版次, date, editor."""
    top = [line for line in lines if line.y1 < EDGE * height and HEADER_WORDS.search(line.text)]
    bottom = [line for line in lines if line.y0 > (1 - EDGE) * height and HEADER_WORDS.search(line.text)]
    header_end = max((line.y1 for line in top), default=0.0)
    footer_start = min((line.y0 for line in bottom), default=height)
    return header_end, footer_start


def column_blocks(lines: list[Line]) -> list[ColumnBlock]:
    """Stack lines of one kind into column blocks (regular spacing, same column)."""
    blocks: list[ColumnBlock] = []
    for line in sorted(lines, key=lambda item: (item.y0, item.x0)):
        best, best_gap = None, None
        for block in blocks:
            last = block.lines[-1]
            gap = line.y0 - last.y1
            if block.kind != line.kind or gap < -0.3 * line.size or gap > 0.9 * max(line.size, last.size):
                continue
            aligned = abs(line.x0 - block.x0) <= 2.5 * line.size and line.x0 < block.x1
            if (aligned or _overlap(line.x0, line.x1, block.x0, block.x1) >= 0.5) and (
                best_gap is None or gap < best_gap
            ):
                best, best_gap = block, gap
        if best is None:
            blocks.append(ColumnBlock(line.kind, [line]))
        else:
            best.lines.append(line)
    return blocks


def assign_regions(blocks: list[ColumnBlock], body: float) -> list[list[ColumnBlock]]:
    """Group blocks into article regions: a headline with the blocks below it, or a headless brief."""
    heads = [b for b in blocks if b.kind == "headline"]
    owner: dict[int, int] = {}  # block id -> region key
    regions: dict[int, list[ColumnBlock]] = {id(h): [h] for h in heads}
    for block in sorted((b for b in blocks if b.kind != "headline"), key=lambda b: (b.y0, b.x0)):
        if block.kind == "caption":
            regions[id(block)] = [block]
            continue
        below = [
            h
            for h in heads
            if -2 <= block.y0 - h.y1 <= 3 * body
            and max(h.x0 - block.x1, block.x0 - h.x1) <= max(h.x1 - h.x0, 10 * body)  # near its columns
        ]
        touching = [h for h in below if _overlap(block.x0, block.x1, h.x0, h.x1) > 0]
        above = [
            b
            for b in blocks
            if id(b) in owner
            and -2 <= block.y0 - b.y1 <= 1.0 * body
            and _overlap(block.x0, block.x1, b.x0, b.x1) >= 0.5
        ]
        beside = [
            b
            for b in blocks
            if id(b) in owner
            and owner[id(b)] == id(b)
            and abs(block.y0 - b.y0) <= body
            and 0 < block.x0 - b.x1 <= 3 * body
            and block.lines[0].x0 - block.x0 < body  # unindented: a headless brief running on into this column
        ]
        if touching:
            head = max(touching, key=lambda h: _overlap(block.x0, block.x1, h.x0, h.x1))
            key = id(head)
        elif below:  # a column beside a short centred headline: the headline whose centre is nearest
            key = id(min(below, key=lambda h: abs((h.x0 + h.x1) - (block.x0 + block.x1))))
        elif above:
            key = owner[id(above[-1])]
        elif beside:
            key = owner[id(beside[-1])]
        else:
            key = id(block)
            regions[key] = []
        owner[id(block)] = key
        regions[key].append(block)
    return sorted(regions.values(), key=lambda region: (round(min(b.y0 for b in region) / (4 * body)), region[0].x0))


def _reading_order(region: list[ColumnBlock]) -> list[ColumnBlock]:
    """Headline first, then the blocks column by column, top to bottom."""
    columns: list[list[ColumnBlock]] = []
    for block in sorted((b for b in region if b.kind != "headline"), key=lambda b: b.x0):
        column = next((c for c in columns if _overlap(block.x0, block.x1, c[0].x0, c[0].x1) >= 0.5), None)
        if column is None:
            columns.append([block])
        else:
            column.append(block)
    body = [b for column in columns for b in sorted(column, key=lambda b: b.y0)]
    return [b for b in region if b.kind == "headline"] + body


def _headline_block(block: ColumnBlock, width: float, page: int) -> Block:
    """Headline lines (a line wrapped at the full width joined to the next); the largest is the title."""
    lines: list[list[Line]] = []
    for line in block.lines:
        last = lines[-1][-1] if lines else None
        if last and abs(line.size - last.size) < 0.05 * last.size and last.x1 - last.x0 >= 0.85 * width:
            lines[-1].append(line)
        else:
            lines.append([line])
    texts = ["".join(line.text for line in group) for group in lines]
    sizes = [max(line.size for line in group) for group in lines]
    title = texts[sizes.index(max(sizes))]
    return Block("headline", texts, pieces=[(0, line.box(page)) for line in block.lines], title=title)


def region_blocks(region: list[ColumnBlock], page: int) -> list[Block]:
    """A region as `ingest.clean.Block`s: a paragraph starts at an indented line or after a short one."""
    ordered = _reading_order(region)
    width = max(b.x1 for b in ordered) - min(b.x0 for b in ordered)
    out: list[Block] = []
    paragraph: Block | None = None
    for block in ordered:
        if block.kind == "headline":
            references = [line for line in block.lines if REFERENCE.search(line.text)]  # >>> 详见第五版 in large type
            block.lines = [line for line in block.lines if line not in references]
            if block.lines:
                out.append(_headline_block(block, width, page))
            out.extend(
                Block("reference", [line.text], pieces=[(len(line.text), line.box(page))]) for line in references
            )
            paragraph = None
            continue
        left, right = block.x0, block.x1
        for index, line in enumerate(block.lines):
            indented = line.x0 - left >= 1.2 * line.size
            previous = block.lines[index - 1] if index else None
            short_before = previous is not None and previous.x1 < right - 1.5 * previous.size
            # a column's unindented first line continues the paragraph of the column before
            starts = paragraph is None or indented or short_before
            if starts:
                paragraph = Block("caption" if block.kind == "caption" else "paragraph", [line.text])
                out.append(paragraph)
            else:
                paragraph.lines[-1] = join_wrapped(paragraph.lines[-1], line.text)
            paragraph.pieces.append((len(paragraph.text), line.box(page)))
    for block in out:
        if block.kind == "paragraph" and REFERENCE.search(block.text):
            block.kind = "reference"
        elif block.kind == "paragraph":
            block.dateline = bool(DATELINE.match(block.text))
    return out


def read_page(chars: list[Char], height: float, number: int) -> PdfPage | None:
    """One page's articles as drafts (from its characters and height), or None when it has no text layer."""
    lines = page_lines(chars)
    if not lines:
        return None
    header_end, footer_start = _header_band(lines, height)
    edge = [line for line in lines if line.y0 < header_end or line.y0 >= footer_start]
    content = [line for line in lines if header_end <= line.y0 < footer_start]
    sizes = Counter(round(c.size, 1) for line in content for c in line.chars if not c.text.isspace())
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    for line in content:
        ratio = line.size / body
        line.kind = "headline" if ratio >= HEADLINE_RATIO else "caption" if ratio <= CAPTION_RATIO else "body"
    header_text = " ".join(line.text for line in sorted(edge, key=lambda item: (item.y0, item.x0)))
    edition = EDITION.search(header_text)
    date = _HEADER_DATE.search(header_text)
    masthead = max(edge, key=lambda item: item.size).text if edge else ""
    drafts: list[Draft] = []
    blocks: list[Block] = []
    for region in assign_regions(column_blocks(content), body):
        found = region_blocks(region, number)
        blocks.extend(found)
        drafts.extend(group_blocks(found))
    return PdfPage(
        number=number,
        edition=f"第{edition.group('number')}版" if edition else "",
        section=(edition.group("section") or "") if edition else "",
        date=f"{date.group(1)}-{int(date.group(2)):02d}-{int(date.group(3)):02d}" if date else "",
        masthead=masthead if not HEADER_WORDS.search(masthead) else "",
        drafts=drafts,
        blocks=blocks,
    )


def has_text_layer(path: Path) -> bool:
    """True when some page of the PDF has text (raises `pdfium.PdfiumError` for a broken file)."""
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(path)
        try:
            return any(document[i].get_textpage().count_chars() > 0 for i in range(len(document)))
        finally:
            document.close()


def pdf_articles(path: Path, source: str, name: str, date: str = "") -> tuple[list[Article], list[int]]:
    """The articles of every page of a PDF, and the numbers of pages skipped for having no text."""
    with PDFIUM_LOCK:  # only the reading of characters talks to pdfium
        document = pdfium.PdfDocument(path)
        try:
            pages = [(page_chars(document[i]), document[i].get_height()) for i in range(len(document))]
        finally:
            document.close()
    articles: list[Article] = []
    blank: list[int] = []
    for number, (chars, height) in enumerate(pages, start=1):
        page = read_page(chars, height, number)
        if page is None:
            blank.append(number)
            continue
        paper = page_paper(page.blocks) or page.masthead
        layout = Layout(page=page.number, edition=page.edition, section=page.section)
        articles.extend(
            build_articles(page.drafts, paper, source, name, date or page.date, layout, first=len(articles) + 1)
        )
    return articles, blank
