"""The server: one FastAPI app with the API routers and the browser UI mounted at `/`, run by uvicorn.

`create_app(settings)` builds it; `serve` runs it. Blocking work runs in the thread pool, never on
the event loop; questions take no lock, so no client can wedge the index; a stop (SIGTERM) ends
open streams within `SHUTDOWN_SECONDS`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from ingest.uploads import remove_stale_parts, upload_folder
from rag.chain import Assistant
from rag.index import NewsIndex
from rag.settings import Settings
from ui.api import ask, documents, health, openai, pages
from ui.api.auth import LoginThrottle, key_matches
from ui.api.docs import install_docs
from ui.api.errors import ApiRoutesOnly, BodyLimit, SafeJSONResponse, install_error_handlers
from ui.api.exposure import check_exposure, is_loopback
from ui.api.service import Service

log = logging.getLogger("newsqa.api")
MULTIPART_OVERHEAD = 1 << 16
SHUTDOWN_SECONDS = 3


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Warm up in the background (/healthz answers at once, /readyz once the model is loaded); drop
    the part files of uploads a previous run left half-written."""
    service: Service = app.state.service
    removed = remove_stale_parts(upload_folder(service.index))
    if removed:
        log.info("removed %d stale upload part file(s)", removed)
    warm_up = asyncio.ensure_future(run_in_threadpool(service.warm_up))
    yield
    if not warm_up.done():
        warm_up.cancel()


def create_app(
    settings: Settings, assistant: Assistant | None = None, with_ui: bool = True, with_api: bool = True
) -> FastAPI:
    """The API (and, with `with_ui`, the Gradio UI at `/`) over one assistant."""
    app = FastAPI(
        title="newsqa",
        summary="新闻问答：带核验引用的中文报纸问答 (cited QA over Chinese newspapers)",
        version="0.1.0",
        lifespan=lifespan,
        default_response_class=SafeJSONResponse,
        docs_url=None,  # served by install_docs, without a CDN
        redoc_url=None,
    )
    service = Service(settings, assistant or Assistant(settings))
    app.state.service = service
    app.add_middleware(ApiRoutesOnly)
    app.add_middleware(
        BodyLimit, upload_limit=settings.max_upload_files * settings.max_upload_bytes + MULTIPART_OVERHEAD
    )
    app.add_middleware(LoginThrottle, logins=service.logins)
    install_error_handlers(app)
    app.include_router(health.router)
    install_docs(app)
    if with_api:
        for router in (ask.router, openai.router, documents.router, pages.router):
            app.include_router(router)
    if with_ui:
        mount_ui(app, service)
    return app


def mount_ui(app: FastAPI, service: Service) -> None:
    """Mount the Gradio UI at `/`, behind the API key (as its password, any user name) when there is one."""
    import gradio as gr

    from ui.web.app import build_ui

    key = service.settings.api_key

    def check_key(username: str, password: str) -> bool:
        return bool(key) and key_matches(password, str(key))

    gr.mount_gradio_app(app, build_ui(service.assistant), path="/", auth=check_key if key else None)


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 8000,
    insecure: bool = False,
    index: NewsIndex | None = None,
    with_api: bool = True,
) -> None:
    """Run the app with uvicorn (one process: the API and the UI share the loaded model and index)."""
    check_exposure(host, settings.api_key, insecure)
    if not is_loopback(host) and not settings.api_key:
        log.warning("serving on %s without an API key (--insecure): anyone who can reach it can use it", host)
    app = create_app(settings, Assistant(settings, index), with_api=with_api)
    uvicorn.run(app, host=host, port=port, log_level="info", timeout_graceful_shutdown=SHUTDOWN_SECONDS)
