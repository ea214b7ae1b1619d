"""The news index: catalog, Chroma vectors, BM25 and the embedding model, opened together.

Both ingestion and retrieval go through this object; it is the only place that knows how the
three stores relate (the catalog decides what exists, Chroma and BM25 follow it).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path, PurePath

from rag.catalog import Catalog, DocumentRecord
from rag.embeddings import SentenceEmbeddings, load_embeddings
from rag.errors import NewsqaError
from rag.lexical import LexicalIndex, tokenize
from rag.locks import WriterLock
from rag.names import extract_names
from rag.settings import Settings
from rag.store import VectorStore
from rag.types import Article, Chunk


class NewsIndex:
    """Everything stored about ingested documents, with lazily loaded model and stores."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.catalog = Catalog(settings.catalog_path)
        self.writer = WriterLock()

    @cached_property
    def store(self) -> VectorStore:
        return VectorStore(self.settings)

    @cached_property
    def lexical(self) -> LexicalIndex:
        return LexicalIndex(self.catalog, self.settings.bm25_dir)

    @cached_property
    def embeddings(self) -> SentenceEmbeddings:
        s = self.settings
        model = load_embeddings(s.embedding_model, s.embedding_quantize, s.embed_batch_size)
        built_with = self.catalog.meta("embedding")
        if built_with is None or self.catalog.counts()["chunks"] == 0:
            self.catalog.set_meta("embedding", model.signature)
        elif built_with != model.signature:
            raise NewsqaError(
                f"索引由嵌入模型 {built_with} 建立，当前设置为 {model.signature}："
                "请换回原设置，或用新的 --data-dir 重新导入",
                f"the index was built with {built_with} but settings say {model.signature}: "
                "restore the setting or re-ingest into a new --data-dir",
                status=409,
            )
        return model

    def add(self, articles: Sequence[Article], chunks: Sequence[Chunk]) -> None:
        """Embed and store a batch: vectors first (idempotent upsert), then the catalog commit.

        `chunks` may be part of an article whose row comes in a later call (`articles` empty here).
        """
        if not articles and not chunks:
            return
        vectors = self.embeddings.encode([c.indexed_text for c in chunks]) if chunks else []
        self.store.upsert(chunks, vectors)
        names = {a.reporter for a in articles if a.reporter and "、" not in a.reporter}
        for article in articles:
            names |= extract_names(article.text)
        self.catalog.add_articles(articles, chunks, [" ".join(tokenize(c.indexed_text)) for c in chunks], names)

    def public_name(self, source: str) -> str:
        """How a document is shown outside this machine: relative to the data dir when inside it, else
        its file name; never the server's absolute path."""
        path, data_dir = Path(source), self.settings.data_dir.resolve()
        return str(path.relative_to(data_dir)) if path.is_relative_to(data_dir) else path.name

    def resolve_source(self, source: str) -> str:
        """A stored document from its stored path, its public name, the end of its path or a unique file name.

        Matched against the catalog only: nothing is looked up on this machine's file system.
        """
        known = [d.source for d in self.catalog.documents()]
        if source in known:
            return source
        given = PurePath(source).parts

        def names(stored: str) -> bool:
            tail = Path(stored).parts[-len(given) :] if given and ".." not in given else None
            return source in (self.public_name(stored), Path(stored).name) or tail == given

        matches = [s for s in known if names(s)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise NewsqaError(
                f"有多个文档名为 {source}，请给出完整路径", f"several documents are named {source}: give the full path"
            )
        raise NewsqaError(f"索引中没有文档 {source}", f"no document {source} in the index", status=404)

    def remove(self, source: str) -> int:
        """Delete a document from Chroma and the catalog (BM25 follows); returns chunks removed.

        The catalog marks the document first: a removal killed after Chroma's delete leaves a
        'removing' document, which the next ingest or remove deletes again instead of trusting.
        """
        self.catalog.mark_removing(source)
        self.store.delete_source(source)
        return self.catalog.delete_document(source)

    def documents(self) -> list[DocumentRecord]:
        return self.catalog.documents()

    def stats(self) -> dict[str, int | str | bool]:
        counts = self.catalog.counts()
        chroma = self.store.count()
        lexical = len(self.lexical)
        return {
            **counts,
            "chunks_chroma": chroma,
            "chunks_lexical": lexical,
            "consistent": chroma == lexical == counts["chunks"],
            "data_dir": str(self.settings.data_dir),
            "chroma": self.settings.chroma_url or str(self.settings.chroma_path),
            "embedding_model": self.settings.embedding_model,
        }

    def require_content(self) -> None:
        if self.catalog.counts()["chunks"] == 0:
            raise NewsqaError(
                "索引为空：请先运行 newsqa ingest 导入文档",
                "the index is empty: run `newsqa ingest PATH` first",
                status=409,
            )
