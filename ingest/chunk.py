"""Split an article into sentence-aware chunks of about 300 characters with a small overlap."""

from __future__ import annotations

import re

from ingest.articles import source_key
from rag.text import sentence_spans
from rag.types import Article, Box, Chunk, TextLine

_SOFT_BREAK = re.compile(r"[，,、：:]")


def _split_long(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Cut one over-long sentence at commas (or hard, when there are none) into pieces ≤ limit."""
    pieces = []
    while end - start > limit:
        window = text[start : start + limit]
        breaks = [m.end() for m in _SOFT_BREAK.finditer(window) if m.end() > limit // 2]
        cut = start + (breaks[-1] if breaks else limit)
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def chunk_spans(text: str, size: int = 300, limit: int = 400, overlap: int = 80) -> list[tuple[int, int]]:
    """Pack sentences into spans near `size` (never over `limit`), overlapping by whole sentences."""
    units: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        units.extend(_split_long(text, start, end, limit))
    spans: list[tuple[int, int]] = []
    first = 0
    while first < len(units):
        last = first
        while last + 1 < len(units):
            length = units[last + 1][1] - units[first][0]
            if length > limit or (length > size and units[last][1] - units[first][0] >= size // 2):
                break
            last += 1
        spans.append((units[first][0], units[last][1]))
        if last + 1 >= len(units):
            break
        back = last
        while back > first and units[last][1] - units[back][0] <= overlap:
            back -= 1
        first = back + 1 if back + 1 <= last and units[last][1] - units[back + 1][0] <= overlap else last + 1
    return spans


def boxes_of_span(lines: list[TextLine], start: int, end: int) -> list[Box]:
    """The boxes of the printed lines that hold any of the characters `start:end`."""
    return [line.box for line in lines if line.start < end and line.end > start]


def chunk_article(article: Article, size: int = 300, limit: int = 400, overlap: int = 80) -> list[Chunk]:
    """The chunks of one article, each with its span in the article text and its metadata."""
    key = source_key(article.source)
    return [
        Chunk(
            chunk_id=f"{key}:{article.article_id}:{index}",
            article_id=article.article_id,
            index=index,
            text=article.text[start:end],
            start=start,
            end=end,
            title=article.title,
            source=article.source,
            date=article.date,
            paper=article.paper,
            reporter=article.reporter,
            region=article.layout,
            boxes=boxes_of_span(article.lines, start, end),
        )
        for index, (start, end) in enumerate(chunk_spans(article.text, size, limit, overlap))
    ]
