"""Rewrite a follow-up question into a standalone one, using the earlier turns of the chat.

Offline, a rule carries the subject over: a personal pronoun (他/她) becomes the person the last
question was about; a question that leans on earlier context (其中/这些/该/那里…) or names no
entity of its own is prefixed with the last question. With an LLM configured, the LLM rewrites.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.lexicon import CONTEXT_WORDS, NAME_FLAGS, PERSON_FLAGS
from rag.names import pos_words

_PERSON_PRONOUN = re.compile(r"^(?:他们|她们|他|她)|(?<=[，,])(?:他|她)")


def last_user_question(history: Sequence[dict]) -> str:
    for turn in reversed(history):
        if turn.get("role") == "user" and str(turn.get("content", "")).strip():
            return str(turn["content"]).strip()
    return ""


def last_assistant_answer(history: Sequence[dict]) -> str:
    for turn in reversed(history):
        if turn.get("role") == "assistant":
            return str(turn.get("content", ""))
    return ""


def _first_person(text: str) -> str:
    return next((word for word, flag in pos_words(text) if flag in PERSON_FLAGS and len(word) >= 2), "")


def condense_rules(question: str, history: Sequence[dict]) -> str:
    """The standalone form of `question` given earlier user turns (no LLM)."""
    previous = last_user_question(history)
    if not previous:
        return question
    person = _first_person(previous) or _first_person(last_assistant_answer(history))
    rewritten = _PERSON_PRONOUN.sub(person, question, count=1) if person else question
    has_entity = any(flag in NAME_FLAGS for _, flag in pos_words(rewritten))
    if CONTEXT_WORDS.search(rewritten) or not has_entity:
        return f"{previous.rstrip('？?。')}：{rewritten}"
    return rewritten
