"""Answer backends: turn a question and numbered sources into answer text with `[n]` markers."""

from __future__ import annotations

from collections.abc import Sequence

from rag.types import Hit, Source


def sources_from_hits(hits: Sequence[Hit]) -> list[Source]:
    """Number the retrieved chunks 1..n in retrieval order (neighbours right after their parent)."""
    return [
        Source(
            n=n,
            chunk_id=h.chunk.chunk_id,
            article_id=h.chunk.article_id,
            title=h.chunk.title,
            date=h.chunk.date,
            paper=h.chunk.paper,
            source=h.chunk.source,
            text=h.chunk.text,
            start=h.chunk.start,
            end=h.chunk.end,
            score=h.score,
            found_by=h.found_by,
            region=h.chunk.region,
            boxes=h.chunk.boxes,
        )
        for n, h in enumerate(hits, start=1)
    ]
