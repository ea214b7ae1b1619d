"""Every error as JSON `{"error": {"zh", "en", "message", "type"}}` with its status (the last two as
OpenAI clients read them), never a stack trace; a 503 or 429
says when to retry. Also the two guards in front of the routes: body size, and API paths kept
away from the UI mounted at `/`."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from rag.errors import NewsqaError
from ui.api.models import ErrorResponse

log = logging.getLogger("newsqa.api")

API_PREFIXES = ("/api/", "/v1/")
MAX_JSON_BYTES = 1 << 20
HTTP_ERRORS_ZH = {404: "找不到该地址", 405: "不支持该请求方法"}
INTERNAL_ERROR = {"zh": "服务器内部错误", "en": "internal server error"}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {  # what /openapi.json says an API route may answer
    status: {"model": ErrorResponse} for status in (400, 401, 404, 409, 413, 415, 422, 429, 500, 503)
}


class SafeJSONResponse(JSONResponse):
    """JSON in UTF-8 even when a message quotes text no encoding can carry (a lone surrogate)."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")


def error_type(status: int) -> str:
    """The kind of error by its status, as OpenAI clients read `error.type`."""
    kinds = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error"}
    return "server_error" if status >= 500 else kinds.get(status, "invalid_request_error")


def error_response(status: int, zh: str, en: str, retry_after: int | None = None, **extra: Any) -> JSONResponse:
    """The error body: both messages, and `message`/`type` as OpenAI clients read them."""
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    body = {"zh": zh, "en": en, "message": f"{en} ({zh})", "type": error_type(status), **extra}
    return SafeJSONResponse({"error": body}, status_code=status, headers=headers)


def error_of(error: NewsqaError) -> JSONResponse:
    return error_response(error.status, error.zh, error.en, error.retry_after)


async def newsqa_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, NewsqaError)
    return error_of(error)


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


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(NewsqaError, newsqa_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, internal_error)


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
