"""The LLM backend's model: any OpenAI-compatible chat-completions server through LangChain's `ChatOpenAI`.

The prompts are in `rag.prompts`; the chain (`rag.chain.llm_answerer`) streams the answer through them.
"""

from __future__ import annotations

import httpx
import openai
from langchain_openai import ChatOpenAI

from rag.settings import Settings

LLM_ERRORS = (openai.APIError, httpx.HTTPError, TimeoutError, ConnectionError)  # the server is down or slow


def chat_model(settings: Settings) -> ChatOpenAI:
    """The configured chat model; no retries, so a dead server fails fast into the fallback."""
    return ChatOpenAI(
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        api_key=settings.openai_api_key,
        timeout=settings.llm_timeout,
        max_retries=0,
        temperature=0,
        max_tokens=512,
        streaming=True,
    )
