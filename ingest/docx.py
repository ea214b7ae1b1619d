"""Read Word (.docx) files with python-docx: heading styles and short bold paragraphs are headlines.

Paragraphs and tables are read in document order; a table becomes one text row per table row
(cells joined by " | "). The blocks go through the same grouping as text pages
(`ingest.articles.group_blocks`), so datelines, briefs and jump lines work the same.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from ingest.articles import build_articles, group_blocks, page_paper
from ingest.clean import MAX_HEADLINE_CHARS, REFERENCE, Block, normalise_line
from rag.lexicon import DATELINE
from rag.text import ends_sentence
from rag.types import Article, Layout

_LEVELS = {"title": 0, "heading 1": 1, "heading 2": 2, "heading 3": 3, "heading 4": 4, "subtitle": 5}


def headline_level(paragraph: Paragraph, text: str) -> int | None:
    """0 (Title) .. 5 for heading styles, 9 for a short bold line, None for body text."""
    style = (paragraph.style.name if paragraph.style is not None else "").lower()
    if style in _LEVELS:
        return _LEVELS[style]
    if style.startswith(("heading", "标题")):
        return 4
    runs = [run for run in paragraph.runs if run.text.strip()]
    if runs and all(run.bold for run in runs) and len(text) <= MAX_HEADLINE_CHARS and not ends_sentence(text):
        return 9
    return None


def docx_blocks(path: Path) -> list[Block]:
    """The document's blocks in order: headline runs, paragraphs, references and table rows."""
    document = docx.Document(str(path))
    blocks: list[Block] = []
    heading_levels: list[int] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            rows = [" | ".join(normalise_line(cell.text) for cell in row.cells) for row in item.rows]
            blocks.extend(Block("paragraph", [row]) for row in rows if row.strip(" |"))
            continue
        text = normalise_line(item.text)
        if not text:
            continue
        level = headline_level(item, text)
        if level is not None and not REFERENCE.search(text):
            if not (blocks and blocks[-1].kind == "headline"):
                blocks.append(Block("headline"))
                heading_levels = []
            blocks[-1].lines.append(text)
            heading_levels.append(level)
            blocks[-1].title = blocks[-1].lines[heading_levels.index(min(heading_levels))]
        elif REFERENCE.search(text):
            blocks.append(Block("reference", [text]))
        else:
            blocks.append(Block("paragraph", [text], dateline=bool(DATELINE.match(text))))
    return blocks


def docx_articles(path: Path, source: str, name: str, date: str = "") -> list[Article]:
    """The articles of a Word file."""
    blocks = docx_blocks(path)
    return build_articles(group_blocks(blocks), page_paper(blocks), source, name, date, Layout())
