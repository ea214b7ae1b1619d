"""Bad requests of issue 16 (NUL, home-directory and traversal `sources`, impossible dates, lone
surrogates) on every route that takes them: shared by the reliability suite and the schemathesis run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

QUESTION = "刘越高拜访了哪些省直部门？"
BAD_SOURCES = {"nul": "hengyang\x00.txt", "home": "~nosuchuser", "traversal": "../../etc/passwd"}
BAD_DATES = {"month13": "2022-13-45", "feb30": "2022-02-30"}
SURROGATE = "\ud800"


def ask_body(**extra: object) -> dict:
    return {"question": QUESTION, **extra}


def openai_body(content: str = QUESTION, **extra: object) -> dict:
    return {"model": "newsqa", "messages": [{"role": "user", "content": content}], **extra}


def bad_requests() -> Iterator[pytest.ParameterSet]:
    """(method, path, {"body": …} or {"query": …}) of every probe: each bad value on each route."""
    filters = {f"source-{k}": {"sources": [v]} for k, v in BAD_SOURCES.items()}
    filters |= {f"date-{k}": {"date_from": v} for k, v in BAD_DATES.items()}
    for name, bad in filters.items():
        for path in ("/api/ask", "/api/chat/stream"):
            yield pytest.param("POST", path, {"body": ask_body(filters=bad)}, id=f"{path.rsplit('/', 1)[-1]}-{name}")
        yield pytest.param("POST", "/v1/chat/completions", {"body": openai_body(filters=bad)}, id=f"v1-{name}")
        query = {"q": QUESTION, **({"source": bad["sources"]} if "sources" in bad else bad)}
        yield pytest.param("GET", "/api/search", {"query": query}, id=f"search-{name}")
    surrogates = {
        "ask-surrogate-question": ("/api/ask", ask_body(question=SURROGATE + QUESTION)),
        "stream-surrogate-question": ("/api/chat/stream", ask_body(question=SURROGATE + QUESTION)),
        "v1-surrogate-content": ("/v1/chat/completions", openai_body(SURROGATE + QUESTION)),
        "v1-surrogate-model": ("/v1/chat/completions", openai_body(model=SURROGATE)),
        "v1-stream-surrogate-model": ("/v1/chat/completions", openai_body(model=SURROGATE, stream=True)),
    }
    for name, (path, body) in surrogates.items():
        yield pytest.param("POST", path, {"body": body}, id=name)
