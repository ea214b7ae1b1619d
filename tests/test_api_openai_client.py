"""The API over real HTTP: a uvicorn server on a free loopback port, the official `openai` client, concurrency."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import openai
import pytest
import uvicorn
from fastapi import FastAPI

from rag.chain import Assistant
from rag.index import NewsIndex
from rag.settings import Settings
from tests.conftest import PAGE
from ui.api.app import create_app

QUESTION = "刘越高拜访了哪些省直部门？"
KEY = "another-s3cret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running(app: FastAPI) -> Iterator[str]:
    """Serve the app with uvicorn in a thread until the block ends; yields the base URL once ready."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while not server.started or httpx.get(f"{base}/readyz").status_code != 200:
        assert thread.is_alive() and time.monotonic() < deadline
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def base_url(page_index: NewsIndex) -> Iterator[str]:
    with running(create_app(page_index.settings, Assistant(page_index.settings, page_index), with_ui=False)) as url:
        yield url


def test_openai_client_gets_a_cited_answer(base_url: str):
    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused")
    assert [m.id for m in client.models.list()] == ["newsqa"]
    completion = client.chat.completions.create(model="newsqa", messages=[{"role": "user", "content": QUESTION}])
    content = completion.choices[0].message.content or ""
    assert "省商务厅" in content and "[" in content
    extra = completion.model_extra or {}
    assert extra["citations"] and extra["sources"] and extra["refused"] is False


def test_openai_client_streams_until_done(base_url: str):
    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused")
    stream = client.chat.completions.create(
        model="whatever", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert "省商务厅" in text and chunks[-1].choices[0].finish_reason == "stop"
    assert (chunks[-1].model_extra or {})["citations"]


def test_openai_client_sees_clear_errors(base_url: str):
    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused", max_retries=0)
    with pytest.raises(openai.BadRequestError) as error:
        client.chat.completions.create(model="newsqa", messages=[{"role": "user", "content": "问" * 501}])
    assert error.value.body["en"].startswith("the question is too long")  # type: ignore[index]
    assert "the question is too long" in error.value.message and error.value.type == "invalid_request_error"


def test_api_stream_over_http(base_url: str):
    with httpx.stream("POST", f"{base_url}/api/chat/stream", json={"question": QUESTION}, timeout=60) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        data = [json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: ")]
    assert data[0]["type"] == "token" and data[-1]["type"] == "answer" and data[-1]["answer"]["citations"]


def test_openai_client_needs_the_key(page_index: NewsIndex):
    settings = page_index.settings.model_copy(update={"api_key": KEY})
    with running(create_app(settings, Assistant(settings, page_index), with_ui=False)) as url:
        wrong = openai.OpenAI(base_url=f"{url}/v1", api_key="wrong", max_retries=0)
        with pytest.raises(openai.AuthenticationError) as denied:
            wrong.models.list()
        assert denied.value.type == "authentication_error"
        right = openai.OpenAI(base_url=f"{url}/v1", api_key=KEY)
        completion = right.chat.completions.create(model="newsqa", messages=[{"role": "user", "content": QUESTION}])
        assert "省商务厅" in (completion.choices[0].message.content or "")


def test_concurrent_uploads_questions_and_removals_keep_the_index_consistent(tmp_path: Path):
    """Uploads and removals serialize on the index lock while questions run; nothing fails, stores agree."""
    settings = Settings(data_dir=tmp_path / "data")
    app = create_app(settings, with_ui=False)

    def jsonl(batch: int) -> bytes:  # each batch its own content: the same file twice would be skipped
        return "".join(
            json.dumps(
                {
                    "id": f"n{i}",
                    "title": f"新闻{i}",
                    "date": "2022-12-16",
                    "text": f"衡阳市第{i}次测试活动举行{batch}。",
                }
            )
            + "\n"
            for i in range(40)
        ).encode()

    with running(app) as url, httpx.Client(base_url=url, timeout=120) as http:
        assert http.post("/api/documents", files=[("files", (PAGE.name, PAGE.read_bytes()))]).status_code == 200

        def question(i: int) -> int:
            if i % 2:
                return http.get("/api/search", params={"q": "长沙海关"}).status_code
            return http.post("/api/ask", json={"question": QUESTION}).status_code

        def add(i: int) -> int:
            if i % 4:
                return question(i)
            return http.post("/api/documents", files=[("files", (f"batch{i}.jsonl", jsonl(i)))]).status_code

        def remove(i: int) -> int:
            return http.delete(f"/api/documents/batch{i}.jsonl").status_code if i % 4 == 0 and i < 12 else question(i)

        with ThreadPoolExecutor(max_workers=6) as pool:
            statuses = list(pool.map(add, range(16))) + list(pool.map(remove, range(16)))
        assert set(statuses) == {200}, statuses
        names = {d["name"] for d in http.get("/api/documents").json()["documents"]}
    assert names == {PAGE.name, "batch12.jsonl"} and NewsIndex(settings).stats()["consistent"]
