"""The LLM answerer: any OpenAI-compatible chat-completions server through LangChain's `ChatOpenAI`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import httpx
import openai
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI

from rag.cite import REFUSAL
from rag.settings import Settings
from rag.types import Source

LLM_ERRORS = (openai.APIError, httpx.HTTPError, TimeoutError, ConnectionError)  # the server is down or slow
SYSTEM_PROMPT = (
    "你是严谨的新闻资料问答助手。只依据用户给出的编号资料回答问题，用简洁的中文作答。\n"
    "规则：\n"
    "1. 每一句话的句末都必须标注它所依据的资料编号，格式为 [1] 或 [1][2]，编号只能是给出的资料编号。\n"
    "2. 人名、机构名、数字和日期必须与资料原文完全一致，不得推测或补充资料中没有的内容。\n"
    f"3. 如果资料中没有问题的答案，只回答：{REFUSAL}。\n"
)


def format_sources(sources: Sequence[Source]) -> str:
    return "\n\n".join(f"[{s.n}]《{s.title}》（{s.paper} {s.date}）\n{s.text}" for s in sources)


def answer_messages(question: str, sources: Sequence[Source]) -> list:
    user = f"资料：\n\n{format_sources(sources)}\n\n问题：{question}\n请根据资料回答，每句末尾标注资料编号。"
    return [SystemMessage(SYSTEM_PROMPT), HumanMessage(user)]


def chat_model(settings: Settings, streaming: bool = False) -> ChatOpenAI:
    """The configured chat model; no retries, so a dead server fails fast into the fallback."""
    return ChatOpenAI(
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        api_key=settings.openai_api_key,
        timeout=settings.llm_timeout,
        max_retries=0,
        temperature=0,
        max_tokens=512,
        streaming=streaming,
    )


def stream_llm_answer(settings: Settings, question: str, sources: Sequence[Source]) -> Iterator[str]:
    """Tokens of the LLM's answer as they arrive."""
    for chunk in chat_model(settings, streaming=True).stream(answer_messages(question, sources)):
        if isinstance(chunk.content, str) and chunk.content:
            yield chunk.content
