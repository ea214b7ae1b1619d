"""A removal interrupted after Chroma's delete is redone by the next ingest, never trusted as done."""

from __future__ import annotations

from pathlib import Path

from ingest.pipeline import ingest_paths
from rag.index import NewsIndex


def test_ingest_after_an_interrupted_remove_restores_every_store(fresh_index: NewsIndex, page_copy: Path):
    ingest_paths(fresh_index, [page_copy], show_progress=False)
    chunks = fresh_index.catalog.counts()["chunks"]
    source = str(page_copy.resolve())
    fresh_index.catalog.mark_removing(source)  # the state `remove` leaves when killed after Chroma's delete
    fresh_index.store.delete_source(source)
    assert not fresh_index.stats()["consistent"]

    report = ingest_paths(fresh_index, [page_copy], show_progress=False)
    assert report.unchanged == [] and report.chunks == chunks
    stats = fresh_index.stats()
    assert stats["consistent"] and stats["chunks_chroma"] == chunks and stats["documents_incomplete"] == 0
