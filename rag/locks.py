"""The index's writer lock: one ingest or removal at a time, waited for with a deadline.

Readers take no lock at all (the catalog is SQLite in WAL mode, Chroma serves reads during
writes, BM25 is swapped in whole), so a question never waits for an ingest and no client can
leave a lock behind. Writers wait for each other up to a timeout, then get a clear 503.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rag.errors import NewsqaError

RETRY_AFTER_SECONDS = 30


class WriterLock:
    """A mutex for writers whose wait ends in a `NewsqaError` (503, Retry-After) instead of a hang."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @contextmanager
    def writing(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the lock; wait at most `timeout` seconds (None: as long as it takes)."""
        if not self._lock.acquire(timeout=-1 if timeout is None else timeout):
            raise NewsqaError(
                "另一个导入或删除正在进行，请稍后重试",
                "another ingest or removal is running: retry later",
                status=503,
                retry_after=RETRY_AFTER_SECONDS,
            )
        try:
            yield
        finally:
            self._lock.release()

    @property
    def busy(self) -> bool:
        return self._lock.locked()
