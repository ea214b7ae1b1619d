"""Questions: `/api/ask` (the whole answer), `/api/chat/stream` (Server-Sent Events) and `/api/search`."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from rag.errors import NewsqaError
from rag.limits import check_question
from rag.retrieve import HybridRetriever
from rag.types import Answer
from ui.api.auth import authorize
from ui.api.errors import ERROR_RESPONSES, INTERNAL_ERROR
from ui.api.models import DATE_PATTERN, MAX_K, AskRequest, Date, FiltersIn, SearchResponse, Text
from ui.api.service import ServiceDep

log = logging.getLogger("newsqa.api")
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
STREAM_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events (with `stream: true`)."}
}
router = APIRouter(prefix="/api", dependencies=[Depends(authorize)], responses=ERROR_RESPONSES)


async def started(events: AsyncIterator[dict]) -> AsyncIterator[dict]:
    """The events, with the first already awaited: an error before it raises here, with its status;
    a later one becomes an `error` event (the response has begun)."""
    first = await anext(events)

    async def rest() -> AsyncIterator[dict]:
        yield first
        try:
            async for event in events:
                yield event
        except NewsqaError as error:
            yield {"type": "error", "error": {"zh": error.zh, "en": error.en}}
        except Exception:
            log.exception("answer stream failed")
            yield {"type": "error", "error": INTERNAL_ERROR}

    return rest()


@router.post("/ask", response_model=Answer, tags=["ask"])
def ask(body: AskRequest, service: ServiceDep) -> Answer:
    """Answer a question; every sentence of the answer cites `[n]` its sources."""
    return service.ask(body.question, body.history, body)


@router.post("/chat/stream", response_class=StreamingResponse, responses=STREAM_RESPONSE, tags=["ask"])
async def chat_stream(body: AskRequest, service: ServiceDep) -> StreamingResponse:
    """The same answer as Server-Sent Events: `token`s, maybe a `reset`, then one `answer` (or `error`)."""
    events = await started(service.stream(body.question, body.history, body))
    return StreamingResponse(_api_sse(events), media_type="text/event-stream", headers=SSE_HEADERS)


async def _api_sse(events: AsyncIterator[dict]) -> AsyncIterator[str]:
    async for event in events:
        if event["type"] == "answer":
            event = {"type": "answer", "answer": event["answer"].model_dump(mode="json")}
        yield f"event: {event['type']}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"


@router.get("/search", response_model=SearchResponse, tags=["search"])
def search(
    service: ServiceDep,
    q: Annotated[Text, Query(min_length=1, description="The question or keywords.")],
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 5,
    date_from: Annotated[Date, Query(pattern=DATE_PATTERN)] = "",
    date_to: Annotated[Date, Query(pattern=DATE_PATTERN)] = "",
    source: Annotated[list[Text] | None, Query(max_length=100, description="Only these documents.")] = None,
) -> SearchResponse:
    """Hybrid search (dense + BM25, fused by score), with the neighbours of the best hits."""
    check_question(service.settings, q)
    service.index.require_content()
    filters = service.filters(FiltersIn(date_from=date_from, date_to=date_to, sources=source or []))
    hits = HybridRetriever(index=service.index, k=k).search(q, filters=filters)
    return SearchResponse(query=q, hits=service.public_hits(hits))
