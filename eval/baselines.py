"""Baselines for `--compare`: a plain LangChain RAG as tutorials build it, plugged into our chain as its retriever.

The LangChain baseline splits the catalog's articles with `RecursiveCharacterTextSplitter(1000, 200)`,
stores them in its own `langchain_chroma.Chroma` collection (same embedding model, its own folder)
and answers from the top-4 similarity hits — no lexical search, no neighbours. Its collection is
synchronised with the catalog article by article, so an unchanged index is reused as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_core.vectorstores import VectorStoreRetriever
from langchain_text_splitters import RecursiveCharacterTextSplitter
from tqdm import tqdm

from rag.index import NewsIndex
from rag.types import Article

COLLECTION = "langchain_baseline"
CHUNK_SIZE, CHUNK_OVERLAP, TOP_K = 1000, 200, 4
ADD_BATCH = 128


def _article_key(article: Article) -> str:
    content = "\x1f".join((article.source, article.article_id, article.title, article.text))
    return hashlib.sha1(content.encode("utf-8")).hexdigest()[:20]


class LangChainBaseline:
    """A tutorial-style LangChain RAG index over the same articles, in `folder`."""

    def __init__(self, index: NewsIndex, folder: Path) -> None:
        self.index = index
        self.store = Chroma(
            collection_name=COLLECTION, embedding_function=index.embeddings, persist_directory=str(folder)
        )
        self.splitter = RecursiveCharacterTextSplitter(
            chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
        )

    def _articles(self) -> Iterator[Article]:
        for document in self.index.documents():
            yield from self.index.catalog.articles(document.source)

    def sync(self, show_progress: bool = True) -> tuple[int, int]:
        """Add the catalog's articles missing from the collection, drop the ones gone; (added, removed)."""
        current = {_article_key(a): a for a in self._articles()}
        stored = self.store.get(include=["metadatas"])
        stored_keys = {str(m["key"]) for m in stored["metadatas"] if m}
        stale = [i for i, m in zip(stored["ids"], stored["metadatas"], strict=True) if not m or m["key"] not in current]
        if stale:
            self.store.delete(ids=stale)
        missing = [key for key in current if key not in stored_keys]
        bar = tqdm(total=len(missing), desc="langchain baseline", unit="article", disable=not show_progress)
        for start in range(0, len(missing), ADD_BATCH):
            keys = missing[start : start + ADD_BATCH]
            docs = [self._document(key, current[key]) for key in keys]
            splits = self.splitter.split_documents(docs)
            ids = [f"{s.metadata['key']}-{s.metadata['start_index']}" for s in splits]
            self.store.add_documents(splits, ids=ids)
            bar.update(len(keys))
        bar.close()
        return len(missing), len(stale)

    @staticmethod
    def _document(key: str, article: Article) -> Document:
        text = f"{article.title}\n{article.text}" if article.has_headline else article.text
        metadata = {
            "key": key,
            "source": article.source,
            "article_id": article.article_id,
            "title": article.title,
            "date": article.date,
            "paper": article.paper,
        }
        return Document(page_content=text, metadata=metadata)

    def retriever(self, k: int = TOP_K) -> VectorStoreRetriever:
        """The top-k similarity search as a LangChain retriever: what the chain's retrieve step calls."""
        return self.store.as_retriever(search_kwargs={"k": k})

    def ranked(self, question: str, k: int) -> list[tuple[str, str, str]]:
        """(source, article_id, title) of the top-k chunks."""
        found = self.retriever(k).invoke(question)
        return [(d.metadata["source"], d.metadata["article_id"], d.metadata["title"]) for d in found]
