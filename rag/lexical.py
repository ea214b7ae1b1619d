"""The Chinese lexical index: BM25 (bm25s, sparse matrices) over jieba search-mode tokens.

Tokens live in the catalog; this index is derived from them, saved under `<data>/bm25/` with the
catalog generation it was built from, and rebuilt when the catalog has moved on (a document
finished or removed).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import re
import shutil
import tempfile
import threading
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bm25s
import jieba
import numpy as np

from rag.catalog import Catalog
from rag.errors import NewsqaError

jieba.setLogLevel(logging.WARNING)

_WORD = re.compile(r"[\w\u4e00-\u9fff]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
STOPWORDS = frozenset(
    "的 了 和 与 及 是 在 有 为 对 等 将 就 也 又 都 而 并 把 被 从 向 到 以 于 之 其 这 那 个 中 上 下 "
    "哪些 哪个 哪 什么 多少 几 谁 何时 哪天 哪里 怎么 怎样 如何 为什么 吗 呢 吧 啊 请问 是否 除了 还有".split()
)


def tokenize(text: str) -> list[str]:
    """jieba search-mode words, lower-cased, without punctuation and question/function words."""
    words = (w.strip().lower() for w in jieba.lcut_for_search(text))
    return [w for w in words if w and _WORD.search(w) and w not in STOPWORDS]


def date_number(date: str) -> int:
    """'2022-12-15' -> 20221215; 0 when unknown."""
    digits = date.replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else 0


def real_date(value: str) -> str:
    """An empty string or a calendar date YYYY-MM-DD that exists (2022-02-30 and 2022/12/01 do not)."""
    if value:
        try:
            if not _ISO_DATE.fullmatch(value):
                raise ValueError(value)
            datetime.date.fromisoformat(value)
        except ValueError as error:
            raise ValueError(f"no such date: {value} (use YYYY-MM-DD)") from error
    return value


@dataclass
class Filters:
    """Optional restrictions of a search: inclusive date range (YYYY-MM-DD) and source paths; a date that
    does not exist is the user's error."""

    date_from: str = ""
    date_to: str = ""
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for value in (self.date_from, self.date_to):
            try:
                real_date(value)
            except ValueError as error:
                raise NewsqaError(f"日期无效：{value}（应为 YYYY-MM-DD）", str(error)) from error

    def __bool__(self) -> bool:
        return bool(self.date_from or self.date_to or self.sources)


@dataclass(frozen=True)
class _Snapshot:
    """One generation of the BM25 index with its per-chunk columns; replaced whole, never changed."""

    generation: int = -1
    ids: tuple[str, ...] = ()
    dates: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    source_names: tuple[str, ...] = ()  # each source once; a chunk's source is a code into this list
    source_codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    bm25: bm25s.BM25 | None = None


def _snapshot(
    generation: int, ids: Sequence[str], dates: Sequence[int], names: Sequence[str], codes: Sequence[int], bm25: Any
) -> _Snapshot:
    return _Snapshot(
        generation,
        tuple(ids),
        np.asarray(dates, dtype=np.int32),
        tuple(names),
        np.asarray(codes, dtype=np.int32),
        bm25,
    )


class LexicalIndex:
    """BM25 over every chunk in the catalog, with per-chunk dates and sources for filtering.

    A search reads one snapshot; a refresh builds the next generation aside and swaps it in with
    one assignment, so searches never wait for a rebuild and never see half of one.
    """

    def __init__(self, catalog: Catalog, directory: Path) -> None:
        self.catalog = catalog
        self.directory = directory
        self._current = _Snapshot()
        self._refreshing = threading.Lock()

    @property
    def generation(self) -> int:
        return self._current.generation

    def __len__(self) -> int:
        self.refresh()
        return len(self._current.ids)

    def refresh(self, wait: bool = True) -> _Snapshot:
        """Load the saved index, or rebuild it, when the catalog changed since; the snapshot to search.

        With `wait=False` (a question), a refresh already under way elsewhere is not waited for:
        the current snapshot answers meanwhile.
        """
        current = self.catalog.generation()
        if current == self._current.generation or not self._refreshing.acquire(blocking=wait):
            return self._current
        try:
            current = self.catalog.generation()
            if current != self._current.generation:
                self._current = self._load(current) or self._build(current)
        finally:
            self._refreshing.release()
        return self._current

    def _load(self, generation: int) -> _Snapshot | None:
        """The saved index if it is of this generation; None when absent, stale or being replaced."""
        try:
            meta = json.loads((self.directory / "stamp.json").read_text(encoding="utf-8"))
            if meta.get("generation") != generation:
                return None
            columns = json.loads((self.directory / "columns.json").read_text(encoding="utf-8"))
            bm25 = bm25s.BM25.load(self.directory / "bm25", mmap=False, load_vocab=True) if columns["ids"] else None
            return _snapshot(
                generation, columns["ids"], columns["dates"], columns["source_names"], columns["source_codes"], bm25
            )
        except (OSError, ValueError, KeyError):  # another process is swapping in a newer build (or an old format)
            return None

    def _build(self, generation: int) -> _Snapshot:
        """Index every chunk's tokens, held as compact id arrays (the catalog may hold millions of tokens)."""
        ids, dates, codes, corpus = [], array("i"), array("i"), []
        vocab: dict[str, int] = {}
        source_codes: dict[str, int] = {}
        for chunk_id, tokens, date, source in self.catalog.iter_tokens():
            ids.append(chunk_id)
            corpus.append(array("i", [vocab.setdefault(t, len(vocab)) for t in tokens.split(" ") if t]))
            dates.append(date_number(date))
            codes.append(source_codes.setdefault(source, len(source_codes)))
        bm25 = None
        if ids:
            bm25 = bm25s.BM25()
            bm25.index((corpus, vocab), show_progress=False)
        del corpus
        self.directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f"{self.directory.name}.tmp-", dir=self.directory.parent))
        if bm25 is not None:
            bm25.save(tmp / "bm25", show_progress=False)
        columns = {
            "ids": ids,
            "dates": dates.tolist(),
            "source_names": list(source_codes),
            "source_codes": codes.tolist(),
        }
        (tmp / "columns.json").write_text(json.dumps(columns, ensure_ascii=False), encoding="utf-8")
        (tmp / "stamp.json").write_text(json.dumps({"generation": generation}), encoding="utf-8")
        self._install(tmp)
        return _snapshot(generation, ids, dates, list(source_codes), codes, bm25)

    def _install(self, build: Path) -> None:
        """Swap a finished build in by renames; when several processes race, one build wins, all are valid."""
        old = build.with_name(build.name + ".old")
        with contextlib.suppress(FileNotFoundError):
            self.directory.rename(old)
        try:
            build.rename(self.directory)
        except OSError:
            shutil.rmtree(build, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)

    @staticmethod
    def _mask(snap: _Snapshot, filters: Filters) -> np.ndarray | None:
        if not filters:
            return None
        mask = np.ones(len(snap.ids), dtype=bool)
        if filters.date_from:
            mask &= snap.dates >= date_number(filters.date_from)
        if filters.date_to:
            mask &= (snap.dates <= date_number(filters.date_to)) & (snap.dates > 0)
        if filters.sources:
            asked = set(filters.sources)
            wanted = [code for code, name in enumerate(snap.source_names) if name in asked]
            mask &= np.isin(snap.source_codes, wanted)
        return mask.astype(np.float32)

    def has_term(self, term: str) -> bool:
        """Whether any indexed chunk contains this (lower-cased) token."""
        bm25 = self.refresh(wait=False).bm25
        return bm25 is not None and term.lower() in bm25.vocab_dict

    def search(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """The top `k` (chunk_id, BM25 score) for a query; only chunks with a positive score."""
        snap = self.refresh(wait=False)
        tokens = tokenize(query)
        if snap.bm25 is None or not tokens:
            return []
        token_ids = snap.bm25.get_tokens_ids(tokens)
        if not token_ids:
            return []
        scores = snap.bm25.get_scores(token_ids, weight_mask=self._mask(snap, filters or Filters()))
        # top k among the chunks that hold a query word: most score 0, and a partition over a mostly tied
        # array of 200k scores costs ~20x one over the few thousand that matter
        hits = np.flatnonzero(scores > 0)
        if len(hits) > k:
            hits = hits[np.argpartition(scores[hits], -k)[-k:]]
        hits = hits[np.argsort(-scores[hits], kind="stable")]
        return [(snap.ids[int(d)], float(scores[d])) for d in hits]
