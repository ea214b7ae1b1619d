"""Ingestion killed (SIGKILL) at many moments resumes to an exact index: every chunk once in every store.

Runs on a sample of the CRUD-RAG news corpus; `NEWSQA_CRASH_ARTICLES` sets its size (default 150,
a few minutes on two cores; the full check is 2000). Where that corpus is absent (a fresh CI
machine) the sample is the bundled page's articles, copied with their sentences in other orders.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from eval.crud_sample import corpus_path, write_sample
from ingest.articles import date_from_name, split_articles
from ingest.chunk import chunk_article
from ingest.jsonl import iter_jsonl_articles
from rag.catalog import Catalog
from rag.lexical import LexicalIndex
from rag.settings import Settings
from rag.store import VectorStore
from rag.text import sentence_spans
from rag.types import Article

CORPUS = corpus_path()
PAGE = Path(__file__).resolve().parent.parent / "corpus" / "hengyang-daily-2022-12-15.txt"
ARTICLES = int(os.environ.get("NEWSQA_CRASH_ARTICLES", "150"))
PAGE_COPIES = 60  # the page has 7 articles (a teaser among them)
BATCH_CHUNKS = 48  # small commits, so that there are many moments to kill at
RUN_TIMEOUT = 3600  # seconds for one ingest run; generous for the 2000-article check on a busy machine
pytestmark = pytest.mark.slow


def write_page_sample(out: Path, copies: int) -> None:
    """The bundled page's articles as JSONL, each copy with its sentences shuffled (other chunks, other vectors)."""
    text = PAGE.read_text(encoding="utf-8")
    articles = split_articles(text, str(PAGE), PAGE.name, date_from_name(PAGE))
    with out.open("w", encoding="utf-8") as handle:
        for copy in range(copies):
            rng = random.Random(copy)
            for number, article in enumerate(articles):
                sentences = [article.text[start:end] for start, end in sentence_spans(article.text)]
                rng.shuffle(sentences)
                record = {"id": f"page-{copy}-{number}", "title": article.title, "text": "\n".join(sentences)}
                handle.write(json.dumps(record | {"date": article.date}, ensure_ascii=False) + "\n")


def count(db_path: Path, sql: str) -> int:
    """A count read from another process's SQLite file; -1 while it is missing or locked."""
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=0.05) as db:
            return int(db.execute(sql).fetchone()[0])
    except sqlite3.Error:
        return -1


def ingest_process(sample: Path, data_dir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "ingest", str(sample), "--data-dir", str(data_dir), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NEWSQA_INGEST_BATCH_CHUNKS": str(BATCH_CHUNKS)},
    )


def kill_when(process: subprocess.Popen[str], ready: Callable[[float], bool], timeout: float = RUN_TIMEOUT) -> bool:
    """SIGKILL the process as soon as `ready(seconds since start)`; False when it finished first."""
    started = time.monotonic()
    while process.poll() is None and time.monotonic() < started + timeout:
        if ready(time.monotonic() - started):
            process.send_signal(signal.SIGKILL)
            process.communicate()
            return True
        time.sleep(0.01)
    process.communicate(timeout=timeout)
    return False


def expected_chunks(sample: Path, settings: Settings) -> tuple[set[str], dict[str, str]]:
    """Article ids and {chunk id: text} of the sample, computed afresh the way ingestion computes them."""
    articles = [a for a in iter_jsonl_articles(sample.resolve()) if isinstance(a, Article)]
    sizes = (settings.chunk_size, settings.chunk_max, settings.chunk_overlap)
    chunks = {c.chunk_id: c.text for a in articles for c in chunk_article(a, *sizes)}
    return {a.article_id for a in articles}, chunks


def test_ingest_killed_at_many_moments_resumes_exactly(tmp_path: Path):
    sample = tmp_path / "sample.jsonl"
    if CORPUS is not None:
        write_sample(CORPUS, ARTICLES, sample, seed=7)
    else:
        write_page_sample(sample, PAGE_COPIES)
    settings = Settings(data_dir=tmp_path / "data")
    article_ids, chunks = expected_chunks(sample, settings)
    chunk_ids = set(chunks)
    total = len(chunk_ids)

    def catalog_chunks(_: float = 0) -> int:
        return count(settings.catalog_path, "SELECT COUNT(*) FROM chunks")

    def chroma_ahead(_: float = 0) -> bool:
        """Vectors upserted but their batch not yet committed to the catalog (Chroma's own table)."""
        return count(settings.chroma_path / "chroma.sqlite3", "SELECT COUNT(*) FROM embeddings") > catalog_chunks() > 0

    started = time.monotonic()
    moments: list[tuple[str, Callable[[float], bool]]] = [
        ("while loading the model", lambda seconds: seconds > 2),
        ("after the first commit", lambda _: catalog_chunks() > 0),
        ("Chroma upserted, catalog not yet committed", chroma_ahead),
        ("a third of the way", lambda _: catalog_chunks() >= total // 3),
        ("Chroma ahead again, late", lambda _: catalog_chunks() >= total * 2 // 3 and chroma_ahead()),
        ("every chunk committed, document not finished", lambda _: catalog_chunks() >= total),
    ]
    killed = []
    for name, ready in moments:
        if kill_when(ingest_process(sample, settings.data_dir), ready):
            killed.append((name, catalog_chunks()))
    assert len(killed) >= 5, f"only {len(killed)} kills landed: {killed}"

    final = ingest_process(sample, settings.data_dir)
    stderr = final.communicate(timeout=RUN_TIMEOUT)[1]
    assert final.returncode == 0, stderr
    elapsed = time.monotonic() - started
    print(f"\n{total} chunks; kills at {killed}; total {elapsed:.0f} s")

    catalog = Catalog(settings.catalog_path)
    stored = [row[0] for row in catalog.db.execute("SELECT chunk_id FROM chunks")]
    assert len(stored) == len(set(stored)) and set(stored) == chunk_ids
    assert catalog.done_article_ids(str(sample.resolve())) == article_ids
    assert [d.status for d in catalog.documents()] == ["done"]

    store = VectorStore(settings)
    vector_ids = store.collection.get(include=[])["ids"]
    assert len(vector_ids) == len(set(vector_ids)) and set(vector_ids) == chunk_ids
    copies = Counter(chunks.values())
    unique = sorted(chunk_id for chunk_id, text in chunks.items() if copies[text] == 1)  # a twin's vector ties
    assert len(unique) >= total // 2
    probe = store.collection.get(ids=unique[:: max(1, len(unique) // 25)], include=["embeddings"])
    for chunk_id, vector in zip(probe["ids"], np.asarray(probe["embeddings"]), strict=True):
        assert store.search(vector, 1) == [(chunk_id, pytest.approx(1.0, abs=1e-3))]

    lexical = LexicalIndex(catalog, settings.bm25_dir)
    lexical_ids = lexical.refresh().ids
    assert len(lexical_ids) == len(set(lexical_ids)) and set(lexical_ids) == chunk_ids

    stats = subprocess.run(
        [sys.executable, "-m", "ui.cli", "stats", "--json", "--data-dir", str(settings.data_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    numbers = json.loads(stats.stdout)
    assert numbers["consistent"] and numbers["chunks"] == total and numbers["documents_incomplete"] == 0

    rerun_started = time.monotonic()
    rerun = ingest_process(sample, settings.data_dir)
    report = json.loads(rerun.stdout.read() if rerun.stdout else "{}")
    _, status, usage = os.wait4(rerun.pid, 0)
    rerun.returncode = os.waitstatus_to_exitcode(status)
    cpu_s, rerun_s = usage.ru_utime + usage.ru_stime, time.monotonic() - rerun_started
    print(f"rerun of the finished ingest: {rerun_s:.1f} s wall, {cpu_s:.1f} s CPU")
    assert rerun.returncode == 0 and report["unchanged"] == [str(sample.resolve())] and report["chunks"] == 0
    assert cpu_s < 10  # imports and a hash: no model, no embedding, no BM25 rebuild (wall time varies with load)
    assert catalog.generation() == lexical.generation
