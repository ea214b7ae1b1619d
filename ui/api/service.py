"""What the routes share: the settings, the assistant (index and model), readiness and the login throttle.

Routes hold no logic of their own: they validate, call the service, and frame the result. Answers
leave the server with public document names (`NewsIndex.public_name`), never its file paths.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request

from rag.chain import Assistant
from rag.errors import NewsqaError
from rag.index import NewsIndex
from rag.lexical import Filters
from rag.limits import check_question
from rag.settings import Settings
from rag.types import Answer, Hit
from ui.api.auth import FailedLogins
from ui.api.models import AskOptions, FiltersIn, Turn

log = logging.getLogger("newsqa.api")
NOT_READY = NewsqaError("正在加载模型和索引", "still loading the model and the index")


@dataclass
class Service:
    """One assistant over one index, shared by the API routes and the mounted UI."""

    settings: Settings
    assistant: Assistant
    problem: NewsqaError | None = NOT_READY
    logins: FailedLogins = field(init=False)

    def __post_init__(self) -> None:
        self.logins = FailedLogins(limit=self.settings.max_auth_failures)

    @property
    def index(self) -> NewsIndex:
        return self.assistant.index

    def warm_up(self) -> None:
        """Load the model and open Chroma and BM25, so /readyz can say ready."""
        try:
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

    def filters(self, given: FiltersIn | None = None, sources: Sequence[str] = ()) -> Filters | None:
        """Filters with each document name matched in the catalog (404 when unknown)."""
        if given is None and not sources:
            return None
        names = [*(given.sources if given else []), *sources]
        return Filters(
            given.date_from if given else "",
            given.date_to if given else "",
            tuple(self.index.resolve_source(name) for name in names),
        )

    def _request(self, question: str, history: Sequence[Turn], options: AskOptions) -> dict[str, Any]:
        check_question(self.settings, question, history)
        return {
            "question": question,
            "history": [turn.model_dump() for turn in history],
            "k": options.k,
            "filters": self.filters(options.filters),
            "backend": options.backend,
        }

    def ask(self, question: str, history: Sequence[Turn], options: AskOptions) -> Answer:
        return self.public_answer(self.assistant.ask(**self._request(question, history, options)))

    async def stream(self, question: str, history: Sequence[Turn], options: AskOptions) -> AsyncIterator[dict]:
        """Answer events (see `Assistant.stream`); cancelled with the client's connection."""
        request = self._request(question, history, options)
        async for event in self.assistant.astream(**request):
            if event["type"] == "answer":
                event = {"type": "answer", "answer": self.public_answer(event["answer"])}
            yield event

    def public_answer(self, answer: Answer) -> Answer:
        sources = [s.model_copy(update={"source": self.index.public_name(s.source)}) for s in answer.sources]
        return answer.model_copy(update={"sources": sources})

    def public_hits(self, hits: Sequence[Hit]) -> list[Hit]:
        def public(hit: Hit) -> Hit:
            chunk = hit.chunk.model_copy(update={"source": self.index.public_name(hit.chunk.source)})
            return hit.model_copy(update={"chunk": chunk})

        return [public(hit) for hit in hits]


def service_of(request: Request) -> Service:
    return request.app.state.service


ServiceDep = Annotated[Service, Depends(service_of)]
