"""Stream articles out of a JSONL file (one `{"id", "title"?, "date"?, "text", "source"?}` a line).

Each line is decoded on its own (UTF-8, else GB18030), so one bad line or a file of mixed
encodings loses only the lines that are bad; each is reported with its line number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ingest.articles import title_from_text
from ingest.clean import page_lines
from ingest.read import GZIP_ERRORS, Skipped, decode_bytes, open_bytes
from rag.types import Article

MAX_ARTICLE_CHARS = 200_000
MAX_LINE_BYTES = 8 * MAX_ARTICLE_CHARS  # room for a longest article as \uXXXX escapes, plus its fields
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")


def normalise_date(value: object) -> str:
    """'2023-7-5', '2023/07/05', '2023年7月5日' -> '2023-07-05'; anything else -> ''."""
    match = _DATE.match(str(value or "").strip())
    if not match:
        return ""
    year, month, day = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def count_lines(path: Path) -> int:
    """Lines in the (decompressed) file; those before a gzip break when it is cut off."""
    lines = 0
    with open_bytes(path) as handle:
        try:
            for block in iter(lambda: handle.read(1 << 20), b""):
                lines += block.count(b"\n")
        except GZIP_ERRORS:
            pass
    return lines


def _lines(handle: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) of each line; `None` for a line over MAX_LINE_BYTES, never held whole."""
    line_no = 0
    while raw := handle.readline(MAX_LINE_BYTES + 1):
        line_no += 1
        if len(raw) <= MAX_LINE_BYTES:
            yield line_no, raw
            continue
        while raw and not raw.endswith(b"\n"):
            raw = handle.readline(MAX_LINE_BYTES)
        yield line_no, None


def _record_article(record: object, line_no: int, path: Path) -> Article:
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError('missing or empty "text"')
    if len(text) > MAX_ARTICLE_CHARS:
        raise ValueError(f'"text" longer than {MAX_ARTICLE_CHARS:,} characters ({len(text):,})')
    raw_id = record.get("id")
    article_id = (
        str(raw_id).strip() if isinstance(raw_id, str | int) and str(raw_id).strip() else f"{path.name}#{line_no}"
    )
    body = "\n".join(page_lines(text))
    title = str(record.get("title") or "").strip()
    return Article(
        article_id=article_id,
        title=title or title_from_text(body),
        text=body,
        source=str(path),
        date=normalise_date(record.get("date")),
        paper=str(record.get("source") or "").strip(),
        has_headline=bool(title),
    )


def iter_jsonl_articles(path: Path, skip_ids: set[str] | None = None) -> Iterator[Article | Skipped]:
    """Articles of a JSONL file in order; a bad line yields `Skipped` with its line number."""
    with open_bytes(path) as handle:
        try:
            yield from _articles(path, _lines(handle), skip_ids)
        except GZIP_ERRORS as err:
            yield Skipped(path, f"gzip data broken after the last good line: {err}")


def _articles(
    path: Path, lines: Iterator[tuple[int, bytes | None]], skip_ids: set[str] | None
) -> Iterator[Article | Skipped]:
    seen: set[str] = set()
    for line_no, raw in lines:
        if raw is None:
            yield Skipped(path, f"line {line_no}: longer than {MAX_LINE_BYTES:,} bytes")
            continue
        if not raw.strip():
            continue
        try:
            article = _record_article(json.loads(decode_bytes(raw)), line_no, path)
        except (ValueError, RecursionError) as err:
            reason = err.msg if isinstance(err, json.JSONDecodeError) else str(err)
            yield Skipped(path, f"line {line_no}: {reason}")
            continue
        if article.article_id in seen:
            yield Skipped(path, f"line {line_no}: duplicate id {article.article_id!r}")
            continue
        seen.add(article.article_id)
        if skip_ids is None or article.article_id not in skip_ids:
            yield article
