"""The OpenAI-compatible face: `/v1/chat/completions` (plain or streamed) and `/v1/models`.

The answer keeps its `[n]` markers; citations, sources, refusal, the standalone question and
notices come as extra fields (on the last chunk when streaming).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from rag.errors import NewsqaError
from rag.types import Answer
from ui.api.ask import SSE_HEADERS, STREAM_RESPONSE, started
from ui.api.auth import authorize
from ui.api.errors import ERROR_RESPONSES
from ui.api.models import (
    AssistantMessage,
    ChatCompletion,
    ChatCompletionRequest,
    ChatMessage,
    Choice,
    ModelCard,
    ModelList,
    Turn,
)
from ui.api.service import ServiceDep

MODEL_ID = "newsqa"
router = APIRouter(prefix="/v1", dependencies=[Depends(authorize)], responses=ERROR_RESPONSES, tags=["openai"])


@router.get("/models", response_model=ModelList)
def list_models() -> ModelList:
    """The one model: newsqa's cited answers."""
    return ModelList(data=[ModelCard(id=MODEL_ID, created=0, owned_by="newsqa")])


@router.post("/chat/completions", response_model=ChatCompletion, responses=STREAM_RESPONSE)
async def chat_completions(body: ChatCompletionRequest, service: ServiceDep) -> ChatCompletion | StreamingResponse:
    """OpenAI-compatible chat: the answer keeps its `[n]` markers; citations and sources come as extra fields."""
    question, history = split_messages(body.messages)
    completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if body.stream:
        events = await started(service.stream(question, history, body))
        return StreamingResponse(
            _openai_sse(events, completion_id, created, body.model), media_type="text/event-stream", headers=SSE_HEADERS
        )
    answer = await run_in_threadpool(service.ask, question, history, body)
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


async def _openai_sse(events: AsyncIterator[dict], completion_id: str, created: int, model: str) -> AsyncIterator[str]:
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
    async for event in events:
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
