"""The one exception type for errors a user can cause, with a Chinese and an English message."""

from __future__ import annotations


class NewsqaError(Exception):
    """An error the user can act on; faces show `str(err)` or turn it into an HTTP 4xx (or a 503 to retry)."""

    def __init__(self, zh: str, en: str, status: int = 400, retry_after: int | None = None) -> None:
        super().__init__(f"{zh} ({en})")
        self.zh = zh
        self.en = en
        self.status = status
        self.retry_after = retry_after
