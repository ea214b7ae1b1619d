"""What a question may be: not empty, and a question and history within the configured lengths."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rag.errors import NewsqaError
from rag.settings import Settings


def check_question(settings: Settings, question: str, history: Sequence[Any] = ()) -> None:
    """Raise a clear 400 for an empty or over-long question, or a history over its limits.

    `history` holds dicts with `content` or objects with a `content` attribute.
    """
    length = len(question.strip())
    if not length:
        raise NewsqaError("问题不能为空", "the question is empty")
    if length > settings.max_question_chars:
        raise NewsqaError(
            f"问题过长（{length} 字，上限 {settings.max_question_chars} 字）",
            f"the question is too long ({length} > {settings.max_question_chars} characters)",
        )
    turns = 2 * settings.max_history_turns
    if len(history) > turns:
        raise NewsqaError(
            f"对话历史过长（{len(history)} 条消息，上限 {turns} 条）",
            f"the history is too long ({len(history)} > {turns} messages)",
        )
    chars = sum(len(str(t.get("content", "") if isinstance(t, dict) else t.content)) for t in history)
    if chars > settings.max_history_chars:
        raise NewsqaError(
            f"对话历史过长（{chars} 字，上限 {settings.max_history_chars} 字）",
            f"the history is too long ({chars} > {settings.max_history_chars} characters)",
        )
