"""The catalog: a SQLite record of documents, articles and chunks (with their lexical tokens).

It is the source of truth for what is indexed. Chroma holds the vectors of the same chunk ids;
the BM25 index is derived from the tokens stored here and rebuilt when `generation` moves.
Every write is one transaction, so an interrupted ingest leaves whole articles or none.
Articles and chunks of paged sources (PDF) keep their page and boxes as JSON in a nullable
`layout` column, added in place to catalogs made before it existed.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from rag.types import Article, Box, Chunk, Layout, TextLine

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    source TEXT PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, kind TEXT NOT NULL,
    status TEXT NOT NULL, articles INTEGER NOT NULL DEFAULT 0, chunks INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS articles (
    source TEXT NOT NULL, article_id TEXT NOT NULL, title TEXT NOT NULL, date TEXT NOT NULL,
    paper TEXT NOT NULL, reporter TEXT NOT NULL, subtitles TEXT NOT NULL,
    has_headline INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (source, article_id)
);
CREATE TABLE IF NOT EXISTS chunks (
    pos INTEGER PRIMARY KEY AUTOINCREMENT, chunk_id TEXT UNIQUE NOT NULL, source TEXT NOT NULL,
    article_id TEXT NOT NULL, idx INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,
    text TEXT NOT NULL, title TEXT NOT NULL, date TEXT NOT NULL, paper TEXT NOT NULL,
    reporter TEXT NOT NULL, tokens TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks (source, article_id, idx);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS names (name TEXT PRIMARY KEY);
"""

_CHUNK_COLUMNS = "chunk_id, article_id, idx, text, start, end, title, source, date, paper, reporter, layout"
_ADDED_COLUMNS = {"articles": "layout", "chunks": "layout"}  # nullable TEXT columns newer than the schema


class DocumentRecord(BaseModel):
    """A row of the documents table (also the API's document model)."""

    model_config = ConfigDict(frozen=True)

    source: str
    name: str
    sha256: str
    kind: str
    status: str
    articles: int
    chunks: int
    skipped: int
    updated: float


def _document(row: tuple) -> DocumentRecord:
    return DocumentRecord(**dict(zip(DocumentRecord.model_fields, row, strict=True)))


def _chunk_layout(chunk: Chunk) -> str | None:
    if not chunk.region.page:
        return None
    return json.dumps({"region": chunk.region.model_dump(), "boxes": [b.model_dump() for b in chunk.boxes]})


def _article_layout(article: Article) -> str | None:
    if article.kind == "article" and not article.layout.page and not article.notes:
        return None
    return json.dumps(
        {
            "kind": article.kind,
            "layout": article.layout.model_dump(),
            "lines": [line.model_dump() for line in article.lines],
            "notes": article.notes,
        },
        ensure_ascii=False,
    )


def _chunk(row: sqlite3.Row | tuple) -> Chunk:
    chunk_id, article_id, idx, text, start, end, title, source, date, paper, reporter, layout = row
    placed = json.loads(layout) if layout else {}
    return Chunk(
        chunk_id=chunk_id,
        article_id=article_id,
        index=idx,
        text=text,
        start=start,
        end=end,
        title=title,
        source=source,
        date=date,
        paper=paper,
        reporter=reporter,
        region=Layout(**placed.get("region", {})),
        boxes=[Box(**box) for box in placed.get("boxes", [])],
    )


class Catalog:
    """Documents, articles and chunks in one SQLite file (WAL mode: readers see the last commit while
    a writer works). Each thread has its own connection, so a reader never runs inside a writer's
    transaction."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)
        for table, column in _ADDED_COLUMNS.items():
            if column not in {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}:
                with self.db:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection to the catalog."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
            with self._connections_lock:
                self._connections.append(connection)
        return connection

    def close(self) -> None:
        with self._connections_lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()

    # documents -----------------------------------------------------------------------------
    def document(self, source: str) -> DocumentRecord | None:
        row = self.db.execute("SELECT * FROM documents WHERE source = ?", (source,)).fetchone()
        return _document(row) if row else None

    def same_content(self, sha256: str, other_than: str) -> DocumentRecord | None:
        """A document fully ingested under another source with this content hash (the same file twice)."""
        row = self.db.execute(
            "SELECT * FROM documents WHERE sha256 = ? AND source != ? AND status = 'done' ORDER BY source LIMIT 1",
            (sha256, other_than),
        ).fetchone()
        return _document(row) if row else None

    def documents(self) -> list[DocumentRecord]:
        rows = self.db.execute("SELECT * FROM documents ORDER BY name, source").fetchall()
        return [_document(row) for row in rows]

    def begin_document(self, source: str, name: str, sha256: str, kind: str) -> None:
        """Record that `source` (with this content hash) is being ingested."""
        with self.db:
            self.db.execute(
                "INSERT INTO documents (source, name, sha256, kind, status, updated) "
                "VALUES (?, ?, ?, ?, 'ingesting', ?) ON CONFLICT(source) DO UPDATE SET "
                "sha256 = excluded.sha256, status = 'ingesting', updated = excluded.updated",
                (source, name, sha256, kind, time.time()),
            )

    def mark_removing(self, source: str) -> None:
        """Record that `source` is being deleted, so that an interrupted removal is redone, not trusted."""
        with self.db:
            self.db.execute(
                "UPDATE documents SET status = 'removing', updated = ? WHERE source = ?", (time.time(), source)
            )

    def finish_document(self, source: str, skipped: int) -> None:
        """Mark a document whole; the lexical index follows from here (the generation moves)."""
        with self.db:
            self.db.execute(
                "UPDATE documents SET status = 'done', skipped = ?, updated = ?, "
                "articles = (SELECT COUNT(*) FROM articles WHERE source = ?), "
                "chunks = (SELECT COUNT(*) FROM chunks WHERE source = ?) WHERE source = ?",
                (skipped, time.time(), source, source, source),
            )
            self._bump()

    def delete_document(self, source: str) -> int:
        """Forget a document, its articles and chunks; returns the number of chunks removed."""
        with self.db:
            removed = self.db.execute("DELETE FROM chunks WHERE source = ?", (source,)).rowcount
            self.db.execute("DELETE FROM articles WHERE source = ?", (source,))
            self.db.execute("DELETE FROM documents WHERE source = ?", (source,))
            self._bump()
        return removed

    # articles and chunks ---------------------------------------------------------------------
    def done_article_ids(self, source: str) -> set[str]:
        rows = self.db.execute("SELECT article_id FROM articles WHERE source = ?", (source,))
        return {row[0] for row in rows}

    def add_articles(
        self,
        articles: Iterable[Article],
        chunks: Iterable[Chunk],
        tokens: Iterable[str],
        names: Iterable[str] = (),
    ) -> None:
        """Store articles, their chunks (with lexical tokens) and the person names found, in one transaction.

        A long article may come in several calls: its chunks first, the article row with the last of
        them (an article without its row is not done, so a resumed ingest redoes it). The document's
        counts are kept live, so a long ingest shows its progress.
        """
        chunks, articles = list(chunks), list(articles)
        sources = {c.source for c in chunks} | {a.source for a in articles}
        with self.db:
            self.db.executemany("INSERT OR IGNORE INTO names VALUES (?)", [(n,) for n in names])
            self.db.executemany(
                "INSERT OR REPLACE INTO articles (source, article_id, title, date, paper, reporter, subtitles, "
                "has_headline, text, layout) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        a.source,
                        a.article_id,
                        a.title,
                        a.date,
                        a.paper,
                        a.reporter,
                        json.dumps(a.subtitles, ensure_ascii=False),
                        int(a.has_headline),
                        a.text,
                        _article_layout(a),
                    )
                    for a in articles
                ],
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO chunks (chunk_id, source, article_id, idx, start, end, text, "
                "title, date, paper, reporter, tokens, layout) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        c.chunk_id,
                        c.source,
                        c.article_id,
                        c.index,
                        c.start,
                        c.end,
                        c.text,
                        c.title,
                        c.date,
                        c.paper,
                        c.reporter,
                        t,
                        _chunk_layout(c),
                    )
                    for c, t in zip(chunks, tokens, strict=True)
                ],
            )
            for name in sources:
                self.db.execute(
                    "UPDATE documents SET articles = (SELECT COUNT(*) FROM articles WHERE source = ?), "
                    "chunks = (SELECT COUNT(*) FROM chunks WHERE source = ?), updated = ? WHERE source = ?",
                    (name, name, time.time(), name),
                )

    def names(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT name FROM names")]

    def chunks(self, chunk_ids: list[str]) -> dict[str, Chunk]:
        """Chunks by id (missing ids are left out)."""
        found: dict[str, Chunk] = {}
        for start in range(0, len(chunk_ids), 500):
            batch = chunk_ids[start : start + 500]
            marks = ",".join("?" * len(batch))
            rows = self.db.execute(f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE chunk_id IN ({marks})", batch)
            for row in rows:
                found[row[0]] = _chunk(row)
        return found

    def neighbours(self, chunk: Chunk, distance: int) -> list[Chunk]:
        """The chunks of the same article within `distance` positions, in order, without `chunk`."""
        rows = self.db.execute(
            f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE source = ? AND article_id = ? "
            "AND idx BETWEEN ? AND ? AND idx != ? ORDER BY idx",
            (chunk.source, chunk.article_id, chunk.index - distance, chunk.index + distance, chunk.index),
        )
        return [_chunk(row) for row in rows]

    def article_text(self, source: str, article_id: str) -> str:
        row = self.db.execute(
            "SELECT text FROM articles WHERE source = ? AND article_id = ?", (source, article_id)
        ).fetchone()
        return row[0] if row else ""

    def articles(self, source: str) -> list[Article]:
        rows = self.db.execute(
            "SELECT source, article_id, title, date, paper, reporter, subtitles, has_headline, text, layout "
            "FROM articles WHERE source = ? ORDER BY rowid",
            (source,),
        )
        articles = []
        for r in rows:
            placed = json.loads(r[9]) if r[9] else {}
            articles.append(
                Article(
                    source=r[0],
                    article_id=r[1],
                    title=r[2],
                    date=r[3],
                    paper=r[4],
                    reporter=r[5],
                    subtitles=json.loads(r[6]),
                    has_headline=bool(r[7]),
                    text=r[8],
                    kind=placed.get("kind", "article"),
                    layout=Layout(**placed.get("layout", {})),
                    lines=[TextLine(**line) for line in placed.get("lines", [])],
                    notes=placed.get("notes", []),
                )
            )
        return articles

    def stored_chunk_ids(self, chunk_ids: list[str]) -> set[str]:
        """Which of these chunk ids the catalog already holds (a resumed long article skips them)."""
        found: set[str] = set()
        for start in range(0, len(chunk_ids), 500):
            batch = chunk_ids[start : start + 500]
            marks = ",".join("?" * len(batch))
            rows = self.db.execute(f"SELECT chunk_id FROM chunks WHERE chunk_id IN ({marks})", batch)
            found.update(row[0] for row in rows)
        return found

    def iter_tokens(self) -> Iterator[tuple[str, str, str, str]]:
        """(chunk_id, tokens, date, source) of every chunk, in a stable order."""
        yield from self.db.execute("SELECT chunk_id, tokens, date, source FROM chunks ORDER BY pos")

    def counts(self) -> dict[str, int]:
        one = self.db.execute
        return {
            "documents": one("SELECT COUNT(*) FROM documents").fetchone()[0],
            "documents_incomplete": one("SELECT COUNT(*) FROM documents WHERE status != 'done'").fetchone()[0],
            "articles": one("SELECT COUNT(*) FROM articles").fetchone()[0],
            "chunks": one("SELECT COUNT(*) FROM chunks").fetchone()[0],
        }

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # change tracking -------------------------------------------------------------------------
    def generation(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def _bump(self) -> None:
        self.db.execute(
            "INSERT INTO meta VALUES ('generation', '1') ON CONFLICT(key) DO UPDATE SET "
            "value = CAST(value AS INTEGER) + 1"
        )
