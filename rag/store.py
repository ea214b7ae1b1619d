"""The vector store: a Chroma collection (embedded on disk, or a `chroma run` server) of our vectors.

Chroma never embeds: vectors are computed by `rag.embeddings` and passed in, and the collection
is created without an embedding function, in cosine space.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from rag.errors import NewsqaError
from rag.lexical import Filters, date_number
from rag.settings import Settings
from rag.types import Chunk


def open_client(settings: Settings) -> chromadb.ClientAPI:
    """`PersistentClient` under the data dir, or `HttpClient` when `chroma_url` is set."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if not settings.chroma_url:
        settings.chroma_path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)
    url = urlparse(settings.chroma_url)
    try:
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    except Exception as err:  # chromadb raises bare exceptions for connection problems
        raise NewsqaError(
            f"无法连接 Chroma 服务器 {settings.chroma_url}",
            f"cannot reach Chroma server {settings.chroma_url}: {err}",
            status=503,
        ) from err


class VectorStore:
    """Chunk vectors and metadata in one Chroma collection."""

    def __init__(self, settings: Settings) -> None:
        self.client = open_client(settings)
        self.collection = self.client.get_or_create_collection(
            settings.collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )

    def count(self) -> int:
        return self.collection.count()

    @cached_property
    def max_batch(self) -> int:
        """The most records Chroma takes in one call (it refuses larger batches)."""
        return self.client.get_max_batch_size()

    def upsert(self, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]]) -> None:
        """Store vectors by chunk id (a repeated upsert changes nothing), in batches Chroma accepts."""
        for start in range(0, len(chunks), self.max_batch):
            end = start + self.max_batch
            self._upsert(chunks[start:end], vectors[start:end])

    def _upsert(self, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]]) -> None:
        self.collection.upsert(
            ids=[c.chunk_id for c in chunks],
            embeddings=np.asarray(vectors, dtype=np.float32),
            documents=[c.text for c in chunks],
            metadatas=[
                {
                    "article_id": c.article_id,
                    "source": c.source,
                    "title": c.title,
                    "date": c.date,
                    "date_num": date_number(c.date),
                    "paper": c.paper,
                    "index": c.index,
                    "start": c.start,
                    "end": c.end,
                }
                for c in chunks
            ],
        )

    def delete_source(self, source: str) -> None:
        """Delete every vector of a source, including any left by an interrupted ingest."""
        self.collection.delete(where={"source": source})

    def search(self, vector: Sequence[float], k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """The nearest `k` (chunk_id, cosine similarity), restricted by filters (fewer when fewer exist).

        No count first: Chroma returns what it has, and counting 200k vectors costs more than the search.
        """
        result = self.collection.query(
            query_embeddings=np.asarray([vector], dtype=np.float32),
            n_results=k,
            where=_where(filters),
            include=["distances"],
        )
        return [(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], result["distances"][0], strict=True)]


def _where(filters: Filters | None) -> dict | None:
    if not filters:
        return None
    clauses: list[dict] = []
    if filters.date_from:
        clauses.append({"date_num": {"$gte": date_number(filters.date_from)}})
    if filters.date_to:
        clauses.append({"date_num": {"$lte": date_number(filters.date_to)}})
        clauses.append({"date_num": {"$gt": 0}})
    if filters.sources:
        clauses.append({"source": {"$in": list(filters.sources)}})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
