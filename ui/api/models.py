"""Request and response models of the HTTP API: what `/openapi.json` describes and the routes validate."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ingest.uploads import UploadedFile
from rag.catalog import DocumentRecord
from rag.lexical import real_date
from rag.types import Citation, Hit, Source

MAX_K = 50
DATE_PATTERN = r"^(\d{4}-\d{2}-\d{2})?$"


def plain_text(value: str) -> str:
    """Text a request may carry: no NUL or other control characters (tab and line breaks aside), no
    lone surrogates (which no encoding can carry)."""
    for char in value:
        if char in "\t\n\r":
            continue
        if unicodedata.category(char) in ("Cc", "Cs"):
            raise ValueError(f"text holds a character that is not allowed (U+{ord(char):04X})")
    return value


Text = Annotated[str, AfterValidator(plain_text)]
Date = Annotated[str, AfterValidator(real_date)]


class FiltersIn(BaseModel):
    """Restrict retrieval to an inclusive date range and to some documents."""

    model_config = ConfigDict(extra="forbid")

    date_from: Date = Field("", pattern=DATE_PATTERN, description="YYYY-MM-DD, or empty", examples=["2022-12-01"])
    date_to: Date = Field("", pattern=DATE_PATTERN, description="YYYY-MM-DD, or empty", examples=["2022-12-31"])
    sources: list[Text] = Field(
        default_factory=list, max_length=100, description="Document paths or unique file names (see /api/documents)."
    )


class Turn(BaseModel):
    """An earlier message of the conversation."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: Text


class AskOptions(BaseModel):
    """How to answer: number of sources, filters and answer backend (server defaults when absent)."""

    k: int | None = Field(None, ge=1, le=MAX_K, description="Number of retrieved passages.")
    filters: FiltersIn | None = None
    backend: Literal["extractive", "openai"] | None = None


class AskRequest(AskOptions):
    """A question, with the earlier turns of the conversation."""

    model_config = ConfigDict(extra="forbid")

    question: Text = Field(min_length=1, examples=["刘越高拜访了哪些省直部门？"])
    history: list[Turn] = Field(default_factory=list, description="Earlier turns, oldest first.")


class TextPart(BaseModel):
    """A text part of an OpenAI message whose content is a list."""

    type: Literal["text"]
    text: Text


class ChatMessage(BaseModel):
    """An OpenAI chat message; system, developer and tool messages are ignored."""

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: Text | list[TextPart] | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text for part in self.content)
        return self.content or ""


class ChatCompletionRequest(AskOptions):
    """OpenAI chat completions: the last user message is the question, earlier ones the history.

    `k`, `filters` and `backend` are newsqa extensions (OpenAI clients send them as extra body);
    other OpenAI parameters (temperature, max_tokens, …) are accepted and ignored.
    """

    model: Text = Field("newsqa", description="Any name; there is one model.")
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"


class ChatCompletion(BaseModel):
    """An OpenAI chat completion; `citations`, `sources`, `refused`, `standalone_question`, `notices`: newsqa extras."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    citations: list[Citation]
    sources: list[Source]
    refused: bool
    standalone_question: str
    notices: list[str]


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class SearchResponse(BaseModel):
    """Ranked hits; neighbouring chunks follow their parent and carry `neighbour_of`."""

    query: str
    hits: list[Hit]


class DocumentList(BaseModel):
    documents: list[DocumentRecord]


class RemovedDocument(BaseModel):
    source: str
    removed_chunks: int


class UploadResponse(BaseModel):
    files: list[UploadedFile]
    articles: int = Field(description="Articles added by this upload.")
    chunks: int = Field(description="Chunks added by this upload.")


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready"] = "ready"
    documents: int
    chunks: int
    embedding_model: str


class FieldError(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    zh: str
    en: str
    message: str  # both messages in one, as OpenAI clients show an error
    type: str  # invalid_request_error, authentication_error, rate_limit_error or server_error
    fields: list[FieldError] | None = None


class ErrorResponse(BaseModel):
    """Every error: a Chinese and an English message, both as OpenAI clients read them (and the invalid
    fields of a 422)."""

    error: ErrorBody
