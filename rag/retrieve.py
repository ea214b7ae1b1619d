"""Hybrid retrieval: dense (Chroma) and BM25 candidates fused into one ranking, plus neighbours.

The default fusion is learned: a chunk's score is Σ over the retrievers of a weight × its min-max
normalised score and a weight × its reciprocal rank (0 where a retriever did not find it): the score of
a logistic regression whose weights `eval.fit_fusion` fits on the dev sets (`fusion.json` beside this
module). Both parts matter: the normalised score keeps how far ahead a retriever's best hit is, which
ranks alone lose, and the rank says how much a retriever's order can be trusted beyond its score.
`fusion = "convex"` (a dense weight on the scores alone) and `"rrf"` (reciprocal-rank fusion) are one
setting away.

`HybridRetriever` is a LangChain `BaseRetriever`: `invoke(query, k=…, filters=…)` returns
LangChain `Document`s (chunk fields and scores as metadata) with callbacks and tracing like any
retriever; `search` returns our `Hit`s with the fused score, the retrievers that found each chunk
and its rank in each; `mode` picks dense-only or BM25-only for comparisons. `source_from_document`
turns a retrieved document (ours or any retriever's) into a numbered answer source.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.config import get_config_list
from pydantic import ConfigDict

from rag.errors import NewsqaError
from rag.index import NewsIndex
from rag.lexical import Filters
from rag.types import Hit, Source

Mode = Literal["hybrid", "dense", "bm25"]
Ranking = list[tuple[str, float]]  # (chunk id, score), best first
Fused = list[tuple[str, float, dict[str, int]]]  # (chunk id, fused score, rank in each retriever)
NEIGHBOUR_PARENTS = 2
FUSION_WEIGHTS = Path(__file__).with_name("fusion.json")


def _ranks(rankings: dict[str, Ranking]) -> dict[str, dict[str, int]]:
    ranks: dict[str, dict[str, int]] = {}
    for name, scored in rankings.items():
        for rank, (chunk_id, _) in enumerate(scored, start=1):
            ranks.setdefault(chunk_id, {})[name] = rank
    return ranks


def _ordered(scores: dict[str, float], ranks: dict[str, dict[str, int]]) -> Fused:
    order = sorted(scores, key=lambda cid: (-scores[cid], min(ranks[cid].values())))
    return [(cid, scores[cid], ranks[cid]) for cid in order]


def fuse_rrf(rankings: dict[str, Ranking], rrf_k: int = 60) -> Fused:
    """Reciprocal-rank fusion: score(d) = Σ 1 / (rrf_k + rank); ranks start at 1. Best first."""
    ranks = _ranks(rankings)
    return _ordered({cid: sum(1.0 / (rrf_k + r) for r in by.values()) for cid, by in ranks.items()}, ranks)


def fusion_features(rankings: dict[str, Ranking]) -> dict[str, dict[str, float]]:
    """For each chunk, `<retriever>_score` (its min-max normalised score: the list's best 1, its last 0)
    and `<retriever>_rank` (1 / its rank) in each retriever that found it."""
    features: dict[str, dict[str, float]] = {}
    for name, scored in rankings.items():
        if not scored:
            continue
        top, low = scored[0][1], scored[-1][1]
        for rank, (chunk_id, value) in enumerate(scored, start=1):
            found = features.setdefault(chunk_id, {})
            found[f"{name}_score"] = (value - low) / (top - low) if top > low else 1.0
            found[f"{name}_rank"] = 1.0 / rank
    return features


def fuse_weighted(rankings: dict[str, Ranking], weights: Mapping[str, float]) -> Fused:
    """Σ weight × feature (`fusion_features`; a feature a chunk lacks counts 0). Best first."""
    features = fusion_features(rankings)
    scores = {cid: sum(weights.get(f, 0.0) * v for f, v in found.items()) for cid, found in features.items()}
    return _ordered(scores, _ranks(rankings))


def fuse_convex(rankings: dict[str, Ranking], weights: dict[str, float]) -> Fused:
    """Σ weight × min-max normalised score (the list's best 1, its last 0; absent 0). Best first."""
    return fuse_weighted(rankings, {f"{name}_score": weights.get(name, 1.0) for name in rankings})


@lru_cache(maxsize=4)
def fusion_weights(path: Path = FUSION_WEIGHTS) -> dict[str, float]:
    """The learned fusion's weights (written by `python -m eval.fit_fusion --out`); a file that cannot be
    read as such is a settings error the user can fix (`fusion_weights`)."""
    try:
        weights = json.loads(path.read_text(encoding="utf-8"))["weights"]
        return {str(name): float(value) for name, value in weights.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise NewsqaError(
            f"无法读取融合权重文件 {path}",
            f"cannot read the fusion weights {path} (NEWSQA_FUSION_WEIGHTS): {error}",
            status=500,
        ) from error


class HybridRetriever(BaseRetriever):
    """Dense ∪ BM25 → fusion → top k → neighbouring chunks of the best hits."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: NewsIndex
    k: int = 5
    mode: Mode = "hybrid"
    filters: Filters | None = None
    neighbours: bool = True

    def search(self, query: str, k: int | None = None, filters: Filters | None = None) -> list[Hit]:
        """Ranked hits for a query; neighbours follow their parent and carry `neighbour_of`."""
        return self.retrieve(query, k, filters)[0]

    def retrieve(
        self, query: str, k: int | None = None, filters: Filters | None = None, vector: Sequence[float] | None = None
    ) -> tuple[list[Hit], dict[str, float]]:
        """Ranked hits and the milliseconds spent in each step (embed, dense, bm25, fuse); `vector` is
        the query's embedding when the caller has it already (several queries embedded in one batch)."""
        settings, index = self.index.settings, self.index
        k = k or self.k
        filters = filters if filters is not None else self.filters
        wanted = max(settings.candidates, k)
        rankings: dict[str, Ranking] = {}
        timings: dict[str, float] = {}
        if self.mode in ("hybrid", "dense"):
            if vector is None:
                started = time.perf_counter()
                vector = index.embeddings.encode([query])[0]
                timings["embed_ms"] = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            rankings["dense"] = index.store.search(vector, wanted, filters)
            timings["dense_ms"] = (time.perf_counter() - started) * 1000
        if self.mode in ("hybrid", "bm25"):
            started = time.perf_counter()
            rankings["bm25"] = index.lexical.search(query, wanted, filters)
            timings["bm25_ms"] = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        if settings.fusion == "rrf":
            fused = fuse_rrf(rankings, settings.rrf_k)[:k]
        elif settings.fusion == "convex":
            fused = fuse_convex(rankings, {"dense": settings.dense_weight, "bm25": 1.0 - settings.dense_weight})[:k]
        else:
            fused = fuse_weighted(rankings, fusion_weights(settings.fusion_weights or FUSION_WEIGHTS))[:k]
        chunks = index.catalog.chunks([cid for cid, _, _ in fused])
        hits = [
            Hit(chunk=chunks[cid], score=score, found_by=sorted(ranks), ranks=ranks)
            for cid, score, ranks in fused
            if cid in chunks
        ]
        if self.neighbours and settings.neighbours > 0:
            hits = self._with_neighbours(hits, settings.neighbours)
        timings["fuse_ms"] = (time.perf_counter() - started) * 1000
        return hits, timings

    def _with_neighbours(self, hits: list[Hit], distance: int) -> list[Hit]:
        seen = {hit.chunk.chunk_id for hit in hits}
        result: list[Hit] = []
        for rank, hit in enumerate(hits):
            result.append(hit)
            if rank >= NEIGHBOUR_PARENTS:
                continue
            for chunk in self.index.catalog.neighbours(hit.chunk, distance):
                if chunk.chunk_id not in seen:
                    seen.add(chunk.chunk_id)
                    result.append(
                        Hit(chunk=chunk, score=hit.score, found_by=["neighbour"], neighbour_of=hit.chunk.chunk_id)
                    )
        return result

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        filters: Filters | None = None,
        vector: Sequence[float] | None = None,
    ) -> list[Document]:
        """`k` and `filters` may be given at call time: `retriever.invoke(query, k=3, filters=...)`."""
        return [hit_document(hit) for hit in self.retrieve(query, k, filters, vector)[0]]

    def batch(
        self,
        inputs: list[str],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> list[list[Document]]:
        """Several queries, embedded in one batch of the model (one forward pass, and the vectors int8
        gives the same batch every time), then searched one by one."""
        if not inputs:
            return []
        vectors = self.index.embeddings.encode(list(inputs)) if self.mode != "bm25" else [None] * len(inputs)
        configs = get_config_list(config, len(inputs))
        return [self.invoke(q, c, vector=v, **kwargs) for q, c, v in zip(inputs, configs, vectors, strict=True)]


def hit_document(hit: Hit) -> Document:
    """A LangChain `Document` of a hit: the chunk text, with chunk fields and scores as metadata."""
    metadata = hit.chunk.model_dump(exclude={"text"})
    metadata.update(score=hit.score, found_by=hit.found_by, neighbour_of=hit.neighbour_of)
    return Document(page_content=hit.chunk.text, metadata=metadata, id=hit.chunk.chunk_id)


def source_from_document(n: int, document: Document) -> Source:
    """Source `n` of an answer from a retrieved document; fields a foreign retriever lacks stay empty."""
    meta = document.metadata
    start = int(meta.get("start", meta.get("start_index", 0)))
    return Source(
        n=n,
        chunk_id=str(document.id or meta.get("chunk_id") or f"{meta.get('article_id', '')}-{start}"),
        article_id=str(meta.get("article_id", "")),
        title=str(meta.get("title", "")),
        date=str(meta.get("date", "")),
        paper=str(meta.get("paper", "")),
        source=str(meta.get("source", "")),
        text=document.page_content,
        start=start,
        end=int(meta.get("end", start + len(document.page_content))),
        score=float(meta.get("score", 0.0)),
        found_by=list(meta.get("found_by", [])),
        region=meta.get("region") or {},
        boxes=meta.get("boxes") or [],
    )


def stored_source(index: NewsIndex, chunk_id: str) -> Source | None:
    """A stored chunk as an answer's source (numbered 1), or None when the index has no such chunk."""
    chunk = index.catalog.chunks([chunk_id]).get(chunk_id)
    return source_from_document(1, hit_document(Hit(chunk=chunk, score=0.0))) if chunk else None
