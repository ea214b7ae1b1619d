"""Page images for citations: a PDF page cropped to the cited article, the cited passage highlighted.

Rendered with pypdfium2 (the library that read the page) and cached as PNG under
`<data dir>/page-images/`, keyed by the file's size and modification time, the page, the crop
and the highlighted boxes, so a repeated request is a file read.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from rag.catalog import Catalog
from rag.types import Box, Source

PDFIUM_LOCK = threading.RLock()  # pdfium is not thread-safe: every use of pypdfium2 in the process holds this
CACHE_FOLDER = "page-images"
HIGHLIGHT = (255, 214, 0, 110)  # translucent yellow over the passage
OUTLINE = (200, 40, 40, 255)


def _cache_path(pdf: Path, page: int, crop: Box | None, highlight: Sequence[Box], scale: float, cache: Path) -> Path:
    stat = pdf.stat()
    key = json.dumps(
        [str(pdf.resolve()), stat.st_size, stat.st_mtime_ns, page, crop and crop.model_dump(), scale]
        + [box.model_dump() for box in highlight]
    )
    return cache / f"{hashlib.sha1(key.encode('utf-8')).hexdigest()}.png"


def _columns(boxes: list[Box]) -> list[list[Box]]:
    """Boxes grouped by the column they stand in (overlapping x ranges), so each group gets one outline."""
    groups: list[list[Box]] = []
    for box in boxes:
        group = next((g for g in groups if box.x0 < g[0].x1 and box.x1 > g[0].x0), None)
        if group is None:
            groups.append([box])
        else:
            group.append(box)
    return groups


def render_page_region(
    pdf: Path,
    page: int,
    crop: Box | None,
    highlight: Sequence[Box],
    cache_dir: Path,
    scale: float = 2.0,
    margin: float = 8.0,
) -> Path:
    """PNG of a 1-based `page` of `pdf` cropped to `crop` (plus `margin` points; whole page when None),
    with the boxes of `highlight` on that page shaded; cached under `cache_dir`. Raises
    `FileNotFoundError` for a missing file and `ValueError` for a page out of range."""
    target = _cache_path(pdf, page, crop, highlight, scale, cache_dir)
    if target.exists():
        return target
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(pdf)
        try:
            if not 1 <= page <= len(document):
                raise ValueError(f"{pdf.name} has no page {page}")
            pdf_page = document[page - 1]
            width, height = pdf_page.get_size()
            left, top = (max(0.0, crop.x0 - margin), max(0.0, crop.y0 - margin)) if crop else (0.0, 0.0)
            right, bottom = (min(width, crop.x1 + margin), min(height, crop.y1 + margin)) if crop else (width, height)
            image = pdf_page.render(scale=scale, crop=(left, height - bottom, width - right, top)).to_pil()
        finally:
            document.close()
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for box in highlight:
        if box.page == page:
            rect = [(box.x0 - left) * scale, (box.y0 - top) * scale, (box.x1 - left) * scale, (box.y1 - top) * scale]
            draw.rectangle(rect, fill=HIGHLIGHT)
    for group in _columns([b for b in highlight if b.page == page]):
        draw.rectangle(
            [
                (min(b.x0 for b in group) - left - 2) * scale,
                (min(b.y0 for b in group) - top - 2) * scale,
                (max(b.x1 for b in group) - left + 2) * scale,
                (max(b.y1 for b in group) - top + 2) * scale,
            ],
            outline=OUTLINE,
            width=max(1, round(scale)),
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB").save(partial, "PNG")
    partial.replace(target)
    return target


def quote_boxes(catalog: Catalog, source: Source, start: int, end: int) -> list[Box]:
    """The printed lines of characters `start:end` of a source's chunk (a citation's quote span)."""
    for article in catalog.articles(source.source):
        if article.article_id == source.article_id:
            first, last = source.start + start, source.start + end
            return [line.box for line in article.lines if line.start < last and line.end > first]
    return []


def source_page_image(
    source: Source, data_dir: Path, highlight: Sequence[Box] | None = None, scale: float = 2.0
) -> Path | None:
    """The page image of a source from a PDF: the page (and file) of its passage, cropped to the
    article's region there, the passage (or `highlight`, e.g. `quote_boxes`) shaded. None for other
    sources."""
    if not source.region.page or not source.source.lower().endswith(".pdf"):
        return None
    marked = list(highlight if highlight is not None else source.boxes)
    page, file = (marked[0].page, marked[0].source) if marked else (source.region.page, "")
    marked = [box for box in marked if box.source == file]
    crop = next((box for box in source.region.boxes if (box.page, box.source) == (page, file)), None)
    return render_page_region(Path(file or source.source), page, crop, marked, data_dir / CACHE_FOLDER, scale)


def cited_page_image(
    catalog: Catalog, data_dir: Path, source: Source, quote: tuple[int, int] | None = None
) -> Path | None:
    """The page image of a source, with a citation's quote span (characters of its chunk) highlighted
    when given, else the whole passage; None for a source that is not from a PDF."""
    highlight = quote_boxes(catalog, source, *quote) if quote and quote[0] >= 0 else None
    return source_page_image(source, data_dir, highlight=highlight or None)
