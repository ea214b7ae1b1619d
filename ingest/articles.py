"""Group a cleaned page's blocks into articles with headline, paper, date and reporter.

Rules (also in the README):
- A headline block starts an article; its main title is the longest line that is not a kicker
  with two phrases, a "——" subtitle or a column tag such as “2022年人大工作回眸”①.
- A headline followed by a reference (>>> 详见第五版) and no body is a teaser: a small article
  of one sentence (headline, subtitle, the page it points to), kind "teaser".
- A jump line (下转第2版 / 上接第1版, 转 / 接 alike) is kept in the article's `notes`, so that
  `ingest.continuations` can join the parts; a caption block is an article of its own.
- 版次/版名, when the page prints them ("第1版 要闻"), go to every article's layout.
- A dateline (衡阳日报讯 / 本报讯 / 新华社北京12月14日电) gives the paper and the reporter.
- Text with no headline — at the top of a page, or (50 characters or more) after an article's
  closing line (市领导……参加。) — becomes its own article titled by its first sentence, marked
  `has_headline=False`, so its facts stay searchable and are never credited to the wrong headline.
- An editor's note (编者按) belongs to the article after it.
- Repeated paragraphs within an article are kept once.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

from ingest.clean import Block, page_blocks, page_edition
from rag.lexicon import DATELINE
from rag.types import Article, Box, Layout, TextLine

_CLOSING = re.compile(
    r"^(?:[市省县区]?领导|[市省县区](?:人大|政协|政府)?[^，,。]{0,12}(?:副主席|副主任|副市长|秘书长))"
    r"[^。]{0,160}(?:参加|出席|陪同)[^。]{0,6}。$"
)
_ROLE_WORDS = re.compile(r"全媒体记者|融媒体记者|见习记者|特约记者|实习生|通讯员|记者|摄影|报道|文/图|图/文|文图|摄")
_FILE_DATE = re.compile(r"(\d{4})[-_.]?(\d{2})[-_.]?(\d{2})")
_FIRST_SENTENCE = re.compile(r"^[^。！？!?]{1,200}")
JUMP = re.compile(r"[上下]?(?P<verb>转|接)(?:第)?\s*(?P<number>[A-Za-z]?\d{1,3}|[一二三四五六七八九十]{1,3})\s*版")
TITLE_FROM_TEXT_CHARS = 30
MIN_FRAGMENT_CHARS = 50


def date_from_name(path: Path) -> str:
    """The page's publication date from its file name (…-2022-12-15.txt), or ""."""
    match = _FILE_DATE.search(path.stem)
    if not match:
        return ""
    year, month, day = match.groups()
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return ""
    return f"{year}-{month}-{day}"


def reporters_from_credit(credit: str) -> str:
    """'全媒体记者 陈润 通讯员 李四' -> '陈润、李四'."""
    names = [name for name in re.split(r"[\s、,，/]+", _ROLE_WORDS.sub(" ", credit)) if name]
    return "、".join(names)


def title_from_text(text: str) -> str:
    """A title for a headline-less article: its first sentence, without the dateline, shortened."""
    body = DATELINE.sub("", text, count=1).strip()
    match = _FIRST_SENTENCE.match(body)
    sentence = match.group(0) if match else body
    return sentence if len(sentence) <= TITLE_FROM_TEXT_CHARS else sentence[:TITLE_FROM_TEXT_CHARS] + "…"


def main_title(lines: list[str], known: str = "") -> tuple[str, list[str]]:
    """Pick the main title of a headline block (`known` when the layout told); the others are kicker/subtitles."""
    if known:
        return known, [line for line in lines if line != known]

    def is_secondary(line: str) -> bool:
        return (
            line.startswith(("—", "-", "──"))
            or " " in line.strip()
            or bool(re.search(r"[①-⑳]$", line))
            or (line.startswith("“") and line.rstrip("①②③④⑤⑥⑦⑧⑨⑩").endswith("”"))
        )

    candidates = [line for line in lines if not is_secondary(line)] or lines
    title = max(candidates, key=len)
    return title, [line for line in lines if line != title]


def page_paper(blocks: list[Block]) -> str:
    """The page's own paper: the most common 'X讯' dateline (衡阳日报讯), else ""."""
    papers = Counter()
    for block in blocks:
        match = DATELINE.match(block.text) if block.dateline else None
        if match and match.group("paper") != "本报" and block.text[match.end("paper")] == "讯":
            papers[match.group("paper")] += 1
    return papers.most_common(1)[0][0] if papers else ""


def source_key(source: str) -> str:
    """A short stable key of a source path, used in chunk ids."""
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:12]


def teaser_text(title: str, subtitles: list[str], reference: str) -> str:
    """A teaser as one sentence: headline, subtitle and the page it points to."""
    head = title + "".join(sub if sub.startswith(("—", "-")) else f"：{sub}" for sub in subtitles)
    return f"{head}，{reference.lstrip('>》 ').strip()}。"


def region_of(boxes: list[Box]) -> list[Box]:
    """One bounding box per page of a set of line boxes, in page order."""
    pages: dict[int, list[Box]] = {}
    for box in boxes:
        pages.setdefault(box.page, []).append(box)
    return [
        Box(
            page=page,
            x0=min(b.x0 for b in group),
            y0=min(b.y0 for b in group),
            x1=max(b.x1 for b in group),
            y1=max(b.y1 for b in group),
        )
        for page, group in sorted(pages.items())
    ]


class Draft:
    """An article being assembled from blocks: its headline, paragraphs and where they are printed."""

    def __init__(self, title: str, subtitles: list[str], has_headline: bool, head: Block | None = None) -> None:
        self.title = title
        self.subtitles = subtitles
        self.has_headline = has_headline
        self.kind = "article" if has_headline else "brief"
        self.paragraphs: list[str] = []
        self.pieces: list[list[tuple[int, Box]]] = []
        self.head_boxes = [box for _, box in head.pieces] if head else []
        self.notes: list[str] = []
        self.paper = ""
        self.reporter = ""

    def add(self, block: Block) -> None:
        text = block.text
        if text in self.paragraphs and len(text) >= 8:
            return
        if block.dateline and not self.paper:
            match = DATELINE.match(text)
            if match:
                self.paper = match.group("paper")
                self.reporter = reporters_from_credit(match.group("credit") or "")
        self.paragraphs.append(text)
        self.pieces.append(block.pieces)

    @property
    def closed(self) -> bool:
        return bool(self.paragraphs) and bool(_CLOSING.match(self.paragraphs[-1]))

    def text_lines(self) -> list[TextLine]:
        """Where each printed line of the article text is, as offsets into `"\n".join(paragraphs)`."""
        lines, offset = [], 0
        for paragraph, pieces in zip(self.paragraphs, self.pieces, strict=True):
            start = offset
            for end, box in pieces:
                lines.append(TextLine(start=start, end=offset + end, box=box))
                start = offset + end
            offset += len(paragraph) + 1
        return lines


def group_blocks(blocks: list[Block]) -> list[Draft]:
    """Group a page's (or a laid-out region's) blocks, in reading order, into drafts of articles."""
    drafts: list[Draft] = []
    current: Draft | None = None
    heading: Block | None = None
    label = ""
    held_note: list[Block] = []

    def start(heading: Block | None, first: Block) -> Draft:
        if heading is None:
            draft = Draft(title_from_text(first.text), [], False)
        else:
            title, subtitles = main_title(heading.lines, heading.title)
            draft = Draft(title, subtitles, True, heading)
        drafts.append(draft)
        return draft

    for block in blocks:
        if block.kind == "headline":
            heading, current = block, None
        elif block.kind == "caption":
            drafts.append(Draft(title_from_text(block.text), [], False))
            drafts[-1].kind = "caption"
            drafts[-1].add(block)
        elif block.kind == "reference":
            jump = JUMP.search(block.text)
            if jump and current is not None:
                current.notes.append(jump.group(0))  # 下转第2版 at the end of a part
            elif jump and heading is not None and jump.group("verb") == "接":
                current, heading = start(heading, block), None  # a part continued from another page
                current.notes.append(jump.group(0))
            elif heading is not None:
                title, subtitles = main_title(heading.lines, heading.title)
                teaser = Draft(title, subtitles, True, heading)
                teaser.kind = "teaser"
                text = teaser_text(title, subtitles, block.text)
                printed = region_of(teaser.head_boxes + [box for _, box in block.pieces])
                teaser.add(Block("paragraph", [text], pieces=[(len(text), box) for box in printed]))
                drafts.append(teaser)
            heading = None
        elif block.kind == "label":
            label = block.text
        elif label == "编者按":
            held_note.append(block.prefixed(f"{label}："))
            label = ""
        else:
            if label:
                block = block.prefixed(f"{label}：")
                label = ""
            if heading is not None:
                current, heading = start(heading, block), None
                for note in held_note:
                    current.add(note)
                held_note = []
            elif current is not None and block.text in current.paragraphs:
                continue  # a repeated line of the page
            elif (
                current is None
                or (block.dateline and current.paragraphs)
                or (current.closed and len(block.text) >= MIN_FRAGMENT_CHARS)
            ):
                current = start(None, block)
            current.add(block)
    return [d for d in drafts if d.paragraphs]


def build_articles(
    drafts: list[Draft], paper: str, source: str, name: str, date: str, layout: Layout, first: int = 1
) -> list[Article]:
    """Articles of drafts numbered from `first` (ids `name#n`), with the page's paper and layout."""
    articles = []
    for number, draft in enumerate(drafts, start=first):
        lines = draft.text_lines()
        boxes = region_of(draft.head_boxes + [line.box for line in lines])
        articles.append(
            Article(
                article_id=f"{name}#{number}",
                title=draft.title,
                text="\n".join(draft.paragraphs),
                source=source,
                date=date,
                paper=draft.paper if draft.paper and draft.paper != "本报" else paper,
                reporter=draft.reporter,
                subtitles=draft.subtitles,
                has_headline=draft.has_headline,
                kind=draft.kind,
                layout=layout.model_copy(update={"boxes": boxes}),
                lines=lines,
                notes=draft.notes,
            )
        )
    return articles


def split_articles(text: str, source: str, name: str, date: str = "") -> list[Article]:
    """Split one cleaned page into articles; `name` (the file name) prefixes article ids."""
    blocks = page_blocks(text)
    edition, section = page_edition(text)
    layout = Layout(edition=edition, section=section)
    return build_articles(group_blocks(blocks), page_paper(blocks), source, name, date, layout)
