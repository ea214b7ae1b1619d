"""The HTTP API on the real app and a real index: every route, auth, limits, errors and upload names."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ingest.uploads import safe_name
from rag.chain import Assistant
from rag.errors import NewsqaError
from rag.index import NewsIndex
from rag.settings import Settings
from tests.conftest import PAGE
from tests.fake_llm_server import FakeLLM
from ui.api.app import create_app
from ui.api.exposure import check_exposure

QUESTION = "刘越高拜访了哪些省直部门？"
KEY = "s3cret-key"


def started(app: FastAPI) -> Iterator[TestClient]:
    """A client on the app after its warm-up (the lifespan loads the model in the background)."""
    with TestClient(app) as client:
        deadline = time.monotonic() + 120
        while client.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, client.get("/readyz").json()
            time.sleep(0.05)
        yield client


@pytest.fixture(scope="module")
def client(page_index: NewsIndex) -> Iterator[TestClient]:
    """Read-only: the session's index of the bundled page, no API key, no UI."""
    yield from started(create_app(page_index.settings, Assistant(page_index.settings, page_index), with_ui=False))


@pytest.fixture(scope="module")
def keyed(page_index: NewsIndex) -> Iterator[TestClient]:
    settings = page_index.settings.model_copy(update={"api_key": KEY, "max_auth_failures": 1000})
    yield from started(create_app(settings, Assistant(settings, page_index), with_ui=False))


@pytest.fixture()
def writable(tmp_path: Path) -> Iterator[TestClient]:
    """An empty index of its own, with small upload limits (2 files of at most 200,000 bytes)."""
    settings = Settings(data_dir=tmp_path / "data", max_upload_files=2, max_upload_bytes=200_000)
    yield from started(create_app(settings, with_ui=False))


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and body["error"]["zh"] and body["error"]["en"], body
    assert "Traceback" not in response.text
    return body["error"]


def sse_events(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


# health, ask, stream ------------------------------------------------------------------------


def test_health_and_readiness(client: TestClient):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["documents"] == 1 and ready["chunks"] > 0


def test_not_ready_until_the_model_loads_and_never_with_a_broken_model(tmp_path: Path):
    app = create_app(Settings(data_dir=tmp_path / "data", embedding_model="no-such-model"), with_ui=False)
    loading = TestClient(app).get("/readyz")  # no lifespan: the warm-up has not run
    assert loading.status_code == 503 and "still loading" in error_of(loading)["en"]
    with TestClient(app) as client:
        deadline = time.monotonic() + 60
        while "still loading" in (response := client.get("/readyz")).text and time.monotonic() < deadline:
            time.sleep(0.05)
        assert response.status_code == 503 and "no-such-model" in error_of(response)["en"]
        assert client.get("/healthz").status_code == 200


def test_ask_returns_a_cited_answer(client: TestClient):
    response = client.post("/api/ask", json={"question": QUESTION})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert "省商务厅" in answer["answer"] and not answer["refused"]
    assert answer["citations"] and answer["sources"] and re.search(r"\[\d+\]", answer["answer"])
    cited = {c["n"] for c in answer["citations"]}
    assert cited <= {s["n"] for s in answer["sources"]}


def test_ask_with_filters_history_and_k(client: TestClient):
    body = {"question": QUESTION, "k": 2, "filters": {"date_from": "2022-12-15", "sources": [PAGE.name]}}
    answer = client.post("/api/ask", json=body).json()
    assert "省商务厅" in answer["answer"] and {Path(s["source"]).name for s in answer["sources"]} == {PAGE.name}

    later = client.post("/api/ask", json={**body, "filters": {"date_from": "2023-01-01"}}).json()
    assert later["refused"] and later["sources"] == []

    follow_up = {"question": "其中哪个单位的负责人是关长？", "history": [{"role": "user", "content": QUESTION}]}
    answer = client.post("/api/ask", json=follow_up).json()
    assert "刘越高" in answer["standalone_question"]  # the history reached the chain

    unknown = client.post("/api/ask", json={"question": QUESTION, "filters": {"sources": ["nothing.txt"]}})
    assert unknown.status_code == 404 and "nothing.txt" in error_of(unknown)["en"]


def test_ask_refuses_what_the_page_does_not_say(client: TestClient):
    answer = client.post("/api/ask", json={"question": "火星基地什么时候建成？"}).json()
    assert answer["refused"] and answer["citations"] == []


def test_chat_stream_sends_tokens_then_the_answer(client: TestClient):
    response = client.post("/api/chat/stream", json={"question": QUESTION})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "token" and kinds[-1] == "answer" and kinds.count("answer") == 1
    answer = events[-1][1]["answer"]
    assert "".join(data["text"] for kind, data in events if kind == "token") == answer["answer"]
    assert answer["citations"] and answer["sources"]


def test_streams_take_back_an_llm_reply_that_is_replaced(page_index: NewsIndex):
    """An LLM reply of bare citation markers streams, is reset, and the extractive answer follows, on
    both streaming routes; the OpenAI stream (which cannot take text back) separates the two."""
    fallback = Assistant(page_index.settings, page_index).ask(QUESTION, backend="extractive").answer
    with FakeLLM(["[1] [2] [3]"]) as llm:
        settings = page_index.settings.model_copy(update={"answer_backend": "openai", "openai_base_url": llm.base_url})
        for client in started(create_app(settings, Assistant(settings, page_index), with_ui=False)):
            events = sse_events(client.post("/api/chat/stream", json={"question": QUESTION}).text)
            body = {"model": "newsqa", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
            data = [
                line.removeprefix("data: ") for line in client.post("/v1/chat/completions", json=body).text.splitlines()
            ]
    kinds = [kind for kind, _ in events]
    reset = kinds.index("reset")
    assert "".join(data["text"] for _, data in events[:reset]) == "[1] [2] [3]"
    assert kinds[reset + 1 :] == ["token", "answer"] and events[reset + 1][1]["text"] == fallback
    answer = events[-1][1]["answer"]
    assert answer["answer"] == fallback and answer["backend"] == "extractive" and answer["notices"]
    chunks = [json.loads(item) for item in data if item.startswith("{")]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text == "[1] [2] [3]\n\n" + fallback and chunks[-1]["notices"] == answer["notices"]


def test_stream_errors_before_the_first_token_keep_their_status(client: TestClient, tmp_path: Path):
    too_long = client.post("/api/chat/stream", json={"question": "问" * 501})
    assert too_long.status_code == 400 and "too long" in error_of(too_long)["en"]
    with TestClient(create_app(Settings(data_dir=tmp_path / "empty"), with_ui=False)) as empty:
        response = empty.post("/api/chat/stream", json={"question": QUESTION})
        assert response.status_code == 409 and "newsqa ingest" in error_of(response)["en"]


# OpenAI-compatible ----------------------------------------------------------------------------


def test_openai_chat_completion_keeps_markers_and_carries_citations(client: TestClient):
    messages = [
        {"role": "system", "content": "ignored"},
        {"role": "user", "content": [{"type": "text", "text": QUESTION}]},
    ]
    completion = client.post("/v1/chat/completions", json={"model": "anything", "messages": messages}).json()
    assert completion["object"] == "chat.completion" and completion["model"] == "anything"
    content = completion["choices"][0]["message"]["content"]
    assert "省商务厅" in content and "[" in content and completion["choices"][0]["finish_reason"] == "stop"
    assert completion["citations"] and completion["sources"] and completion["refused"] is False

    assert client.get("/v1/models").json()["data"][0]["id"] == "newsqa"


def test_openai_stream_ends_with_done(client: TestClient):
    body = {"model": "newsqa", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    response = client.post("/v1/chat/completions", json=body)
    data = [line.removeprefix("data: ") for line in response.text.splitlines() if line.startswith("data: ")]
    assert data[-1] == "[DONE]"
    chunks = [json.loads(item) for item in data[:-1]]
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert "省商务厅" in text and chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["citations"]


def test_openai_history_and_a_missing_question(client: TestClient):
    messages = [
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": "省商务厅、长沙海关等[1]。"},
        {"role": "user", "content": "其中哪个单位的负责人是关长？"},
    ]
    completion = client.post("/v1/chat/completions", json={"model": "m", "messages": messages}).json()
    assert "刘越高" in completion["standalone_question"] and completion["choices"][0]["message"]["content"]
    no_question = client.post("/v1/chat/completions", json={"model": "m", "messages": messages[:2]})
    assert no_question.status_code == 400 and "last" in error_of(no_question)["en"]


# search and documents -------------------------------------------------------------------------


def test_search_and_documents(client: TestClient):
    hits = client.get("/api/search", params={"q": "长沙海关关长", "k": 3}).json()["hits"]
    assert hits and "朱光耀" in hits[0]["chunk"]["text"] and hits[0]["found_by"]
    filtered = client.get("/api/search", params={"q": "长沙海关", "date_to": "2022-12-01"}).json()
    assert filtered["hits"] == []
    assert client.get("/api/search", params={"q": "长沙海关", "k": 0}).status_code == 422

    documents = client.get("/api/documents").json()["documents"]
    assert [d["name"] for d in documents] == [PAGE.name] and documents[0]["articles"] == 7


# limits and errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"question": "问" * 501}, 400, "question is too long"),
        ({"question": "  "}, 400, "empty"),
        ({"question": "问", "history": [{"role": "user", "content": "问"}] * 41}, 400, "41 > 40 messages"),
        ({"question": "问", "history": [{"role": "user", "content": "问" * 20_001}]}, 400, "20001 > 20000"),
        ({"question": "问", "k": 0}, 422, "body.k"),
        ({"question": "问", "backend": "gpt"}, 422, "body.backend"),
        ({"question": "问", "filters": {"date_from": "15/12/2022"}}, 422, "body.filters.date_from"),
        ({"question": "问", "history": [{"role": "robot", "content": "x"}]}, 422, "body.history.0.role"),
        ({"question": "问", "colour": "red"}, 422, "body.colour"),
        ({}, 422, "body.question"),
    ],
)
def test_bad_questions_get_clear_errors(client: TestClient, body: dict, status: int, words: str):
    response = client.post("/api/ask", json=body)
    assert response.status_code == status and words in error_of(response)["en"]


def test_malformed_json_and_unknown_routes(client: TestClient):
    broken = client.post("/api/ask", content=b'{"question": ', headers={"content-type": "application/json"})
    error = error_of(broken)
    assert broken.status_code == 422 and error["fields"][0]["field"] == "body" and "malformed JSON" in error["en"]
    assert client.get("/api/nothing").status_code == 404
    assert error_of(client.put("/api/ask"))["en"] == "Method Not Allowed"
    too_big = client.post("/api/ask", content=b"x" * (2 << 20), headers={"content-type": "application/json"})
    assert too_big.status_code == 413 and "too large" in error_of(too_big)["en"]


def test_with_the_ui_mounted_unknown_api_paths_stay_json_errors(page_index: NewsIndex):
    app = create_app(page_index.settings, Assistant(page_index.settings, page_index), with_ui=True)
    for client in started(app):
        assert "text/html" in client.get("/").headers["content-type"]  # the Gradio UI answers at /
        for path in ("/api/nothing", "/v1/nothing", "/api/ask/extra"):
            missing = client.get(path)
            assert missing.status_code == 404 and error_of(missing)["en"] == "Not Found", path
        wrong_method = client.put("/api/ask")
        assert wrong_method.status_code == 405 and error_of(wrong_method)["zh"] == "不支持该请求方法"
        assert client.get("/api/documents").status_code == 200


def test_an_unexpected_error_is_500_json_without_internals(page_index: NewsIndex):
    app = create_app(page_index.settings, Assistant(page_index.settings, page_index), with_ui=False)

    def explode() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    app.add_api_route("/api/explode", explode)
    response = TestClient(app, raise_server_exceptions=False).get("/api/explode")
    assert response.status_code == 500 and error_of(response)["en"] == "internal server error"
    assert "secret" not in response.text and "RuntimeError" not in response.text


# auth and exposure ----------------------------------------------------------------------------

PROTECTED = [
    ("POST", "/api/ask"),
    ("POST", "/api/chat/stream"),
    ("GET", "/api/search?q=x"),
    ("GET", "/api/documents"),
    ("POST", "/api/documents"),
    ("DELETE", f"/api/documents/{PAGE.name}"),
    ("GET", "/v1/models"),
    ("POST", "/v1/chat/completions"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_with_a_key_every_api_route_needs_it(keyed: TestClient, method: str, path: str):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {KEY}"}):
        response = keyed.request(method, path, headers=headers)
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
        assert "API key" in error_of(response)["en"]


def test_the_right_key_opens_the_api_and_health_needs_none(keyed: TestClient):
    auth = {"Authorization": f"Bearer {KEY}"}
    assert keyed.post("/api/ask", json={"question": QUESTION}, headers=auth).status_code == 200
    assert keyed.get("/v1/models", headers=auth).status_code == 200
    assert keyed.get("/healthz").status_code == keyed.get("/readyz").status_code == 200
    assert keyed.get("/openapi.json").status_code == 200


def test_exposure_needs_a_key_or_insecure(tmp_path: Path):
    check_exposure("127.0.0.1", None, False)
    check_exposure("::1", None, False)
    check_exposure("localhost", None, False)
    check_exposure("0.0.0.0", KEY, False)
    check_exposure("0.0.0.0", None, True)
    with pytest.raises(NewsqaError, match="NEWSQA_API_KEY"):
        check_exposure("0.0.0.0", None, False)
    with pytest.raises(NewsqaError):
        check_exposure("example.org", "", False)

    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    served = subprocess.run(
        [sys.executable, "-m", "ui.cli", "serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
        cwd=tmp_path,
    )
    assert served.returncode == 2 and "NEWSQA_API_KEY" in served.stderr and "Traceback" not in served.stderr


# uploads and removal ----------------------------------------------------------------------------


def upload(client: TestClient, *files: tuple[str, bytes]):
    return client.post("/api/documents", files=[("files", (name, data)) for name, data in files])


def test_upload_ask_and_remove_a_document(writable: TestClient, tmp_path: Path):
    assert writable.post("/api/ask", json={"question": QUESTION}).status_code == 409
    page = PAGE.read_bytes()
    jsonl = '{"id": "a1", "title": "测试", "date": "2022-12-16", "text": "衡阳市举办测试活动。"}\nnot json\n'
    response = upload(writable, (PAGE.name, page), ("extra.jsonl", jsonl.encode()))
    assert response.status_code == 200, response.text
    summary = response.json()
    page_file, jsonl_file = summary["files"]
    assert page_file["status"] == "ingested" and page_file["articles"] == 7 and page_file["chunks"] > 0
    assert jsonl_file["status"] == "ingested" and jsonl_file["articles"] == 1 and "line 2" in jsonl_file["reasons"][0]
    assert summary["articles"] == 8
    uploads = tmp_path / "data" / "uploads"
    assert sorted(p.name for p in uploads.iterdir()) == sorted([PAGE.name, "extra.jsonl"])

    assert "省商务厅" in writable.post("/api/ask", json={"question": QUESTION}).json()["answer"]
    again = upload(writable, (PAGE.name, page)).json()
    assert again["files"][0]["status"] == "unchanged" and again["chunks"] == 0
    twin = upload(writable, ("copy-of-the-page.txt", page)).json()["files"][0]  # the same file renamed
    assert twin["status"] == "skipped" and f"same content as {PAGE.name}" in twin["reasons"][0]
    assert not (uploads / "copy-of-the-page.txt").exists()
    assert len(writable.get("/api/documents").json()["documents"]) == 2

    binary = upload(writable, ("extra.jsonl", b"\x00\x01binary")).json()["files"][0]
    assert binary["status"] == "skipped" and "binary" in binary["reasons"][0]
    assert (uploads / "extra.jsonl").read_text(encoding="utf-8") == jsonl  # a bad upload replaces nothing

    removed = writable.delete(f"/api/documents/{quote(page_file['source'], safe='')}")
    assert removed.status_code == 200 and removed.json()["removed_chunks"] == page_file["chunks"]
    assert writable.delete("/api/documents/extra.jsonl").status_code == 200
    assert writable.delete("/api/documents/extra.jsonl").status_code == 404
    assert writable.get("/api/documents").json()["documents"] == [] and list(uploads.iterdir()) == []
    assert writable.get("/api/search", params={"q": "长沙海关"}).status_code == 409


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("../evil.txt", 400),
        ("..\\evil.txt", 400),
        ("a/../../evil.txt", 400),
        ("..", 400),
        (".hidden.txt", 400),
        ("dir/.env", 400),
        ("x" * 300 + ".txt", 400),
        ("slides.pptx", 415),
        ("README", 415),
        ("evil.txt/..", 400),
    ],
)
def test_upload_names_cannot_escape_or_hide(writable: TestClient, tmp_path: Path, name: str, status: int):
    response = upload(writable, (name, "衡阳日报讯 测试。".encode()))
    assert response.status_code == status, response.text
    error_of(response)
    uploads = tmp_path / "data" / "uploads"
    assert not (tmp_path / "data" / "evil.txt").exists() and not (tmp_path / "evil.txt").exists()
    assert not uploads.exists() or list(uploads.iterdir()) == []


@pytest.mark.parametrize("name", ["bad\x01name.txt", "nul\x00.txt", "", None, "dir/", " "])
def test_control_characters_and_empty_names_are_refused(name: str | None):
    with pytest.raises(NewsqaError, match="not allowed"):
        safe_name(name)


def test_a_path_in_an_upload_name_keeps_only_the_base_name(writable: TestClient, tmp_path: Path):
    response = upload(writable, ("some/dir/note.txt", "衡阳日报讯 测试通讯员报道了一件事。".encode()))
    assert response.status_code == 200 and response.json()["files"][0]["name"] == "note.txt"
    assert [p.name for p in (tmp_path / "data" / "uploads").iterdir()] == ["note.txt"]


def test_upload_size_and_count_limits(writable: TestClient, tmp_path: Path):
    text = "衡阳日报讯 测试。".encode()
    too_many = upload(writable, ("a.txt", text), ("b.txt", text), ("c.txt", text))
    assert too_many.status_code == 400 and "3 > 2" in error_of(too_many)["en"]
    too_big = upload(writable, ("big.txt", b"a" * 200_001))
    assert too_big.status_code == 413 and "big.txt" in error_of(too_big)["en"]
    far_too_big = upload(writable, ("huge.txt", b"a" * 500_000))
    assert far_too_big.status_code == 413 and "request body too large" in error_of(far_too_big)["en"]
    same = upload(writable, ("a.txt", text), ("a.txt", text))
    assert same.status_code == 400
    assert writable.post("/api/documents").status_code == 422
    uploads = tmp_path / "data" / "uploads"
    assert not uploads.exists() or list(uploads.iterdir()) == []


# the whole face -----------------------------------------------------------------------------------


def test_openapi_describes_real_models(client: TestClient):
    spec = client.get("/openapi.json").json()
    assert {"/api/ask", "/api/chat/stream", "/v1/chat/completions", "/v1/models", "/api/search"} <= set(spec["paths"])
    assert {"/api/documents", "/api/documents/{document_id}", "/healthz", "/readyz"} <= set(spec["paths"])
    schemas = spec["components"]["schemas"]
    assert {"AskRequest", "Answer", "Citation", "Source", "ChatCompletion", "ErrorResponse"} <= set(schemas)
    ask = spec["paths"]["/api/ask"]["post"]
    assert ask["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Answer")
    assert ask["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")


def test_the_web_ui_is_mounted_at_the_root(page_index: NewsIndex):
    app = create_app(page_index.settings, Assistant(page_index.settings, page_index))
    with TestClient(app) as client:
        page = client.get("/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert client.get("/healthz").json() == {"status": "ok"}


def test_with_a_key_the_web_ui_asks_for_it_as_password(page_index: NewsIndex):
    settings = page_index.settings.model_copy(update={"api_key": KEY})
    with TestClient(create_app(settings, Assistant(settings, page_index))) as client:
        assert client.get("/config").status_code == 401
        assert client.post("/login", data={"username": "anyone", "password": "wrong"}).status_code == 400
        assert client.post("/login", data={"username": "anyone", "password": KEY}).status_code == 200
        assert client.get("/config").status_code == 200
