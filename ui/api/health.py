"""Liveness and readiness, answered on the event loop so that they answer even when every worker is busy.

`/readyz` tells the truth: 503 while the model loads (or failed to), when no worker thread is
free, or when the catalog does not answer within `PROBE_SECONDS`.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import anyio.to_thread
from fastapi import APIRouter, Request

from rag.errors import NewsqaError
from ui.api.models import ErrorResponse, Health, Readiness

PROBE_SECONDS = 2.0
router = APIRouter(tags=["health"])
_probes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsqa-readyz")  # not the request pool


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """Liveness: the process answers."""
    return Health()


@router.get("/readyz", response_model=Readiness, responses={503: {"model": ErrorResponse}})
async def readyz(request: Request) -> Readiness:
    """Readiness: model loaded, stores open, a free worker thread, and a catalog that answers."""
    service = request.app.state.service
    if service.problem is not None:
        raise NewsqaError(service.problem.zh, service.problem.en, status=503, retry_after=5)
    workers = anyio.to_thread.current_default_thread_limiter()
    if workers.borrowed_tokens >= workers.total_tokens:
        raise NewsqaError("所有工作线程都在忙", "every worker thread is busy", status=503, retry_after=5)
    try:
        counts = await asyncio.wait_for(
            asyncio.get_running_loop().run_in_executor(_probes, service.index.catalog.counts), PROBE_SECONDS
        )
    except TimeoutError as error:
        raise NewsqaError("索引没有及时响应", "the index did not answer in time", status=503, retry_after=5) from error
    return Readiness(
        documents=counts["documents"], chunks=counts["chunks"], embedding_model=service.settings.embedding_model
    )
