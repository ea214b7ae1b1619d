"""The catalog keeps page layout of PDF articles and chunks, and opens catalogs made before it could."""

from __future__ import annotations

import sqlite3

from ingest.chunk import chunk_article
from rag.catalog import Catalog
from rag.types import Article, Box, Layout, TextLine

BOX = Box(page=2, x0=10.0, y0=20.0, x1=200.0, y1=32.0)
ARTICLE = Article(
    article_id="p.pdf#1",
    title="标题",
    text="第一句。第二句。",
    source="/p.pdf",
    kind="brief",
    has_headline=False,
    layout=Layout(page=2, edition="第2版", section="综合", boxes=[BOX]),
    lines=[TextLine(start=0, end=8, box=BOX)],
    notes=["下转第3版（另一部分未收录）"],
)


def test_layout_round_trips_and_old_catalogs_open(tmp_path):
    path = tmp_path / "catalog.sqlite3"
    catalog = Catalog(path)
    chunks = chunk_article(ARTICLE)
    catalog.add_articles([ARTICLE], chunks, ["标题 第一句"] * len(chunks))
    assert catalog.articles("/p.pdf") == [ARTICLE]
    (chunk,) = catalog.chunks([chunks[0].chunk_id]).values()
    assert chunk.region == ARTICLE.layout and chunk.boxes == [BOX]
    catalog.close()

    with sqlite3.connect(path) as db:  # a catalog from before the layout columns
        db.execute("ALTER TABLE articles DROP COLUMN layout")
        db.execute("ALTER TABLE chunks DROP COLUMN layout")
    reopened = Catalog(path)
    (old,) = reopened.articles("/p.pdf")
    assert (old.title, old.text, old.kind, old.layout, old.lines) == ("标题", ARTICLE.text, "article", Layout(), [])
    assert reopened.chunks([chunks[0].chunk_id])[chunks[0].chunk_id].region == Layout()
