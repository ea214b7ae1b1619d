"""The HTTP API: one FastAPI app for ask, streaming chat, OpenAI-compatible chat, search, documents and health.

`create_app(settings)` builds it (the Gradio UI is mounted at `/` when `ui.app` exists); `serve`
runs it with uvicorn. Blocking work (embedding, Chroma, answering, ingestion) runs in the thread
pool; a read-write lock lets questions run together while an upload or a removal has the index
to itself.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import itertools
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Annotated, Any

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, File, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from rag import uploads
from rag.api_models import (
    DATE_PATTERN,
    MAX_K,
    AskOptions,
    AskRequest,
    AssistantMessage,
    ChatCompletion,
    ChatCompletionRequest,
    ChatMessage,
    Choice,
    DocumentList,
    ErrorResponse,
    Health,
    ModelCard,
    ModelList,
    Readiness,
    RemovedDocument,
    SearchResponse,
    Turn,
    UploadResponse,
)
from rag.chain import Assistant
from rag.errors import NewsqaError
from rag.index import NewsIndex
from rag.lexical import Filters
from rag.locks import ReadWriteLock
from rag.retrieve import HybridRetriever
from rag.settings import Settings
from rag.types import Answer

log = logging.getLogger("newsqa.api")

MODEL_ID = "newsqa"
MAX_JSON_BYTES = 1 << 20
API_PREFIXES = ("/api/", "/v1/")
HTTP_ERRORS_ZH = {404: "找不到该地址", 405: "不支持该请求方法"}
MULTIPART_OVERHEAD = 1 << 16
INTERNAL_ERROR = {"zh": "服务器内部错误", "en": "internal server error"}
NOT_READY = NewsqaError("正在加载模型和索引", "still loading the model and the index")
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (400, 401, 404, 409, 413, 415, 422, 500)
}
STREAM_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events (with `stream: true`)."}
}


@dataclass
class Service:
    """What the routes share: settings, the assistant (index and model), the index lock, readiness."""

    settings: Settings
    assistant: Assistant
    problem: NewsqaError | None = NOT_READY

    @property
    def index(self) -> NewsIndex:
        return self.assistant.index

    @property
    def lock(self) -> ReadWriteLock:
        """The index's own lock, shared with the UI mounted on the same app."""
        return self.assistant.index.lock

    @property
    def upload_dir(self) -> Path:
        return self.settings.data_dir / "uploads"

    def warm_up(self) -> None:
        """Load the model and open Chroma and BM25 (alone: BM25 may be rebuilt), so /readyz can say ready."""
        try:
            with self.lock.writing():
                self.index.embeddings.encode(["预热"])
                self.index.store.count()
                self.index.lexical.refresh()
        except NewsqaError as error:
            self.problem = error
        except Exception:
            log.exception("warm-up failed")
            self.problem = NewsqaError("模型或索引加载失败", "the model or the index failed to load")
        else:
            self.problem = None

    def check_question(self, question: str, history: Sequence[Turn]) -> None:
        """The length limits of a question and its history, as clear 400s."""
        s, length = self.settings, len(question.strip())
        if not length:
            raise NewsqaError("问题不能为空", "the question is empty")
        if length > s.max_question_chars:
            raise NewsqaError(
                f"问题过长（{length} 字，上限 {s.max_question_chars} 字）",
                f"the question is too long ({length} > {s.max_question_chars} characters)",
            )
        if len(history) > 2 * s.max_history_turns:
            raise NewsqaError(
                f"对话历史过长（{len(history)} 条消息，上限 {2 * s.max_history_turns} 条）",
                f"the history is too long ({len(history)} > {2 * s.max_history_turns} messages)",
            )
        chars = sum(len(turn.content) for turn in history)
        if chars > s.max_history_chars:
            raise NewsqaError(
                f"对话历史过长（{chars} 字，上限 {s.max_history_chars} 字）",
                f"the history is too long ({chars} > {s.max_history_chars} characters)",
            )

    def filters(self, date_from: str = "", date_to: str = "", sources: Sequence[str] = ()) -> Filters:
        """Filters with each source resolved to a stored document (404 when unknown); call under the lock."""
        return Filters(date_from, date_to, tuple(self.index.resolve_source(s) for s in sources))

    def _ask_args(self, question: str, history: Sequence[Turn], options: AskOptions) -> dict[str, Any]:
        f = options.filters
        return {
            "question": question,
            "history": [turn.model_dump() for turn in history],
            "k": options.k,
            "filters": self.filters(f.date_from, f.date_to, f.sources) if f else None,
            "backend": options.backend,
        }

    def ask(self, question: str, history: Sequence[Turn], options: AskOptions) -> Answer:
        self.check_question(question, history)
        with self.lock.reading():
            return self.assistant.ask(**self._ask_args(question, history, options))

    def stream(self, question: str, history: Sequence[Turn], options: AskOptions) -> Iterator[dict]:
        """Answer events, already started: an error before the first event raises here (and gets its status)."""
        self.check_question(question, history)
        events = self._stream(question, history, options)
        return itertools.chain([next(events)], events)

    def _stream(self, question: str, history: Sequence[Turn], options: AskOptions) -> Iterator[dict]:
        with self.lock.reading():
            events = self.assistant.stream(**self._ask_args(question, history, options))
            yield next(events)
            try:
                yield from events
            except NewsqaError as error:
                yield {"type": "error", "error": {"zh": error.zh, "en": error.en}}
            except Exception:
                log.exception("answer stream failed")
                yield {"type": "error", "error": INTERNAL_ERROR}


def service_of(request: Request) -> Service:
    return request.app.state.service


ServiceDep = Annotated[Service, Depends(service_of)]
bearer = HTTPBearer(auto_error=False, description="Needed when the server has NEWSQA_API_KEY.")


def authorize(
    service: ServiceDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> None:
    """With an API key configured, require `Authorization: Bearer <key>` (compared in constant time)."""
    key = service.settings.api_key
    if key and not (credentials and hmac.compare_digest(credentials.credentials.encode(), key.encode())):
        raise NewsqaError(
            "需要有效的 API 密钥（Authorization: Bearer <key>）",
            "a valid API key is required (Authorization: Bearer <key>)",
            status=401,
        )


health = APIRouter(tags=["health"])
api = APIRouter(prefix="/api", dependencies=[Depends(authorize)], responses=ERROR_RESPONSES)
v1 = APIRouter(prefix="/v1", dependencies=[Depends(authorize)], responses=ERROR_RESPONSES, tags=["openai"])


@health.get("/healthz", response_model=Health)
def healthz() -> Health:
    """Liveness: the process answers."""
    return Health()


@health.get("/readyz", response_model=Readiness, responses={503: {"model": ErrorResponse}})
def readyz(service: ServiceDep) -> Readiness:
    """Readiness: the embedding model is loaded and Chroma, the catalog and BM25 are open."""
    if service.problem is not None:
        raise NewsqaError(service.problem.zh, service.problem.en, status=503)
    counts = service.index.catalog.counts()
    return Readiness(
        documents=counts["documents"], chunks=counts["chunks"], embedding_model=service.settings.embedding_model
    )


@api.post("/ask", response_model=Answer, tags=["ask"])
def ask(body: AskRequest, service: ServiceDep) -> Answer:
    """Answer a question; every sentence of the answer cites `[n]` its sources."""
    return service.ask(body.question, body.history, body)


@api.post("/chat/stream", response_class=StreamingResponse, responses=STREAM_RESPONSE, tags=["ask"])
def chat_stream(body: AskRequest, service: ServiceDep) -> StreamingResponse:
    """The same answer as Server-Sent Events: `token`s, maybe a `reset`, then one `answer` (or `error`)."""
    events = service.stream(body.question, body.history, body)
    return StreamingResponse(_api_sse(events), media_type="text/event-stream", headers=SSE_HEADERS)


def _api_sse(events: Iterator[dict]) -> Iterator[str]:
    for event in events:
        if event["type"] == "answer":
            event = {"type": "answer", "answer": event["answer"].model_dump(mode="json")}
        yield f"event: {event['type']}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"


@api.get("/search", response_model=SearchResponse, tags=["search"])
def search(
    service: ServiceDep,
    q: Annotated[str, Query(min_length=1, description="The question or keywords.")],
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 5,
    date_from: Annotated[str, Query(pattern=DATE_PATTERN)] = "",
    date_to: Annotated[str, Query(pattern=DATE_PATTERN)] = "",
    source: Annotated[list[str] | None, Query(max_length=100, description="Only these documents.")] = None,
) -> SearchResponse:
    """Hybrid search (dense + BM25, fused by score), with the neighbours of the best hits."""
    service.check_question(q, [])
    with service.lock.reading():
        service.index.require_content()
        filters = service.filters(date_from, date_to, source or ())
        hits = HybridRetriever(index=service.index, k=k).search(q, filters=filters)
    return SearchResponse(query=q, hits=hits)


@api.get("/documents", response_model=DocumentList, tags=["documents"])
def list_documents(service: ServiceDep) -> DocumentList:
    """The ingested documents."""
    with service.lock.reading():
        records = service.index.documents()
    return DocumentList(documents=list(records))


@api.post("/documents", response_model=UploadResponse, tags=["documents"])
def upload_documents(
    service: ServiceDep,
    files: Annotated[list[UploadFile], File(description="Files to ingest: .txt .md .html .htm .jsonl")],
) -> UploadResponse:
    """Upload files into `<data_dir>/uploads/` and ingest them (one upload at a time); a summary per file."""
    s = service.settings
    received = uploads.receive(files, service.upload_dir, s.max_upload_files, s.max_upload_bytes)
    try:
        with service.lock.writing():
            results, report = uploads.ingest_received(service.index, received, service.upload_dir)
    finally:
        for _, part in received:
            part.unlink(missing_ok=True)
    return UploadResponse(files=results, articles=report.articles, chunks=report.chunks)


@api.delete("/documents/{document_id:path}", response_model=RemovedDocument, tags=["documents"])
def delete_document(document_id: str, service: ServiceDep) -> RemovedDocument:
    """Remove a document (its path or unique file name, URL-encoded) from every index."""
    with service.lock.writing():
        source = service.index.resolve_source(document_id)
        removed = service.index.remove(source)
        service.index.lexical.refresh()
        uploads.discard(service.upload_dir, source)
    return RemovedDocument(source=source, removed_chunks=removed)


@v1.get("/models", response_model=ModelList)
def list_models() -> ModelList:
    """The one model: newsqa's cited answers."""
    return ModelList(data=[ModelCard(id=MODEL_ID, created=0, owned_by="newsqa")])


@v1.post("/chat/completions", response_model=ChatCompletion, responses=STREAM_RESPONSE)
def chat_completions(body: ChatCompletionRequest, service: ServiceDep) -> ChatCompletion | StreamingResponse:
    """OpenAI-compatible chat: the answer keeps its `[n]` markers; citations and sources come as extra fields."""
    question, history = split_messages(body.messages)
    completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if body.stream:
        events = service.stream(question, history, body)
        return StreamingResponse(
            _openai_sse(events, completion_id, created, body.model), media_type="text/event-stream", headers=SSE_HEADERS
        )
    answer = service.ask(question, history, body)
    return ChatCompletion(
        id=completion_id,
        created=created,
        model=body.model,
        choices=[Choice(message=AssistantMessage(content=answer.answer))],
        citations=answer.citations,
        sources=answer.sources,
        refused=answer.refused,
        standalone_question=answer.standalone_question,
        notices=answer.notices,
    )


def split_messages(messages: Sequence[ChatMessage]) -> tuple[str, list[Turn]]:
    """The last user message is the question; earlier user and assistant messages are the history."""
    turns = [m for m in messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise NewsqaError("最后一条消息必须是用户的问题", "the last user/assistant message must be the user's question")
    return turns[-1].text, [Turn(role=m.role, content=m.text) for m in turns[:-1]]


def _openai_sse(events: Iterator[dict], completion_id: str, created: int, model: str) -> Iterator[str]:
    def chunk(delta: dict, finish_reason: str | None = None, **extra: Any) -> str:
        body = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
            **extra,
        }
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    for event in events:
        if event["type"] == "token":
            yield chunk({"content": event["text"]})
        elif event["type"] == "reset":  # the LLM failed midway: the extractive answer follows
            yield chunk({"content": "\n\n"})
        elif event["type"] == "answer":
            answer: Answer = event["answer"]
            yield chunk(
                {},
                "stop",
                citations=[c.model_dump(mode="json") for c in answer.citations],
                sources=[s.model_dump(mode="json") for s in answer.sources],
                refused=answer.refused,
                standalone_question=answer.standalone_question,
                notices=answer.notices,
            )
        else:
            yield f"data: {json.dumps({'error': event['error']}, ensure_ascii=False)}\n\n"
    yield "data: [DONE]\n\n"


# errors ------------------------------------------------------------------------------------


def error_response(status: int, zh: str, en: str, **extra: Any) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": {"zh": zh, "en": en, **extra}}, status_code=status, headers=headers)


async def newsqa_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, NewsqaError)
    return error_response(error.status, error.zh, error.en)


async def invalid_request(request: Request, error: Exception) -> JSONResponse:
    """422 naming each invalid field (`body` for malformed JSON)."""
    assert isinstance(error, RequestValidationError)
    fields = []
    for item in error.errors():
        if item.get("type") == "json_invalid":
            fields.append({"field": "body", "message": f"malformed JSON: {item.get('ctx', {}).get('error', '')}"})
        else:
            fields.append({"field": ".".join(str(p) for p in item.get("loc", ())), "message": str(item.get("msg"))})
    names = ", ".join(dict.fromkeys(f["field"] for f in fields))
    details = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return error_response(422, f"请求内容有误：{names}", f"invalid request: {details}", fields=fields)


async def http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    zh = HTTP_ERRORS_ZH.get(error.status_code, "请求出错")
    en = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
    response = error_response(error.status_code, zh, en)
    response.headers.update(error.headers or {})
    return response


async def internal_error(request: Request, error: Exception) -> JSONResponse:
    """Never a stack trace to the client: it is logged here."""
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return error_response(500, **INTERNAL_ERROR)


class BodyLimit:
    """Refuse a request whose declared body is larger than its route allows, before reading it (413)."""

    def __init__(self, app: ASGIApp, upload_limit: int) -> None:
        self.app = app
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith(API_PREFIXES):
            limit = self.upload_limit if path == "/api/documents" else MAX_JSON_BYTES
            length = dict(scope["headers"]).get(b"content-length", b"")
            if length.isdigit() and int(length) > limit:
                response = error_response(
                    413, f"请求过大（上限 {limit} 字节）", f"request body too large (limit {limit} bytes)"
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class ApiRoutesOnly:
    """Keep /api/ and /v1/ paths away from the UI mounted at `/`: a path no API route knows is a
    404 JSON error, a known path with another method a 405, as without the UI."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith(API_PREFIXES):
            routes = (route for route in scope["app"].router.routes if not isinstance(route, Mount))
            matches = [route.matches(scope)[0] for route in routes]
            if Match.FULL not in matches:
                status = 405 if Match.PARTIAL in matches else 404
                await error_response(status, HTTP_ERRORS_ZH[status], HTTPStatus(status).phrase)(scope, receive, send)
                return
        await self.app(scope, receive, send)


# the app -----------------------------------------------------------------------------------


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Warm up in the background: /healthz answers at once, /readyz once the model is loaded."""
    warm_up = asyncio.create_task(run_in_threadpool(app.state.service.warm_up))
    yield
    await warm_up


def create_app(settings: Settings, assistant: Assistant | None = None, with_ui: bool = True) -> FastAPI:
    """The API (and, with `with_ui` and `ui.app` present, the Gradio UI at `/`) over one assistant."""
    app = FastAPI(
        title="newsqa",
        summary="新闻问答：带核验引用的中文报纸问答 (cited QA over Chinese newspapers)",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.service = Service(settings, assistant or Assistant(settings))
    app.add_middleware(ApiRoutesOnly)
    app.add_middleware(
        BodyLimit, upload_limit=settings.max_upload_files * settings.max_upload_bytes + MULTIPART_OVERHEAD
    )
    app.add_exception_handler(NewsqaError, newsqa_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, internal_error)
    for router in (health, api, v1):
        app.include_router(router)
    if with_ui:
        mount_ui(app, app.state.service)
    return app


def mount_ui(app: FastAPI, service: Service) -> bool:
    """Mount the Gradio UI (`ui.app.build_ui`) at `/`, behind the API key when there is one."""
    try:
        from ui.app import build_ui
    except ModuleNotFoundError as error:
        if error.name not in ("ui", "ui.app"):
            raise
        log.warning("ui/app.py not found: serving the API without the web UI")
        return False
    import gradio as gr

    key = service.settings.api_key

    def check_key(username: str, password: str) -> bool:
        return bool(key) and hmac.compare_digest(password.encode(), str(key).encode())

    gr.mount_gradio_app(app, build_ui(service.assistant), path="/", auth=check_key if key else None)
    return True


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, api_key: str | None, insecure: bool) -> None:
    """Refuse to serve beyond this machine without an API key, unless the operator says --insecure."""
    if is_loopback(host) or api_key or insecure:
        return
    raise NewsqaError(
        f"拒绝在非本机地址 {host} 上无密钥提供服务：请设置 NEWSQA_API_KEY，或明确加上 --insecure",
        f"refusing to serve on non-loopback host {host} without an API key: set NEWSQA_API_KEY, or pass --insecure",
    )


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 8000,
    insecure: bool = False,
    index: NewsIndex | None = None,
) -> None:
    """Run the app with uvicorn (one process: the API and the UI share the loaded model and index)."""
    check_exposure(host, settings.api_key, insecure)
    if not is_loopback(host) and not settings.api_key:
        log.warning("serving on %s without an API key (--insecure): anyone who can reach it can use it", host)
    uvicorn.run(create_app(settings, Assistant(settings, index)), host=host, port=port, log_level="info")
