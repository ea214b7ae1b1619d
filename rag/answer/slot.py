"""The slot: the words of a sentence that stand where the question's question word stands.

"四泉圣嘉禄堂是由谁设计的？" over "…由建筑师博罗米尼设计…" gives 建筑师博罗米尼: the words the question puts
just before its question word (由) and just after it (设计) are found in the sentence, and what lies
between them answers. Pieces are matched character by character, so a name jieba does not know
(博罗米尼, 汤玛斯·霍尔兹) stays whole. With only one side found, the slot runs from it to the clause's
end (or from the clause's start to it).
"""

from __future__ import annotations

import re

from rag.answer.question import asked_category
from rag.lexicon import QUESTION_WORD

MIN_ANCHOR = 2  # characters: one character (的, 在) is found almost anywhere
MAX_ANCHOR = 8
MAX_SLOT = 40  # characters between two anchors; further apart, they are not one phrase
_CLAUSE_MARK = "，,；;。！？!?：:"
_CROSSES_CLAUSE = re.compile(r"[，,；;。！？!?]")
_ASIDE = re.compile(r"^[（(][^（()）]*[）)]|[（(][^（()）]*[）)]$")  # a note in brackets at either end
_ASKING_END = re.compile(r"[\s呢吗呀啊？?。！!]+$")
_LEADING = "是为由被在于以将把从了的着，,、：: ”」』）)"  # and the closing mark of a quote the slot starts in
_OPENING_QUOTE = "“「『\"'"
_TRAILING = "的了等是，,、：: "


def slot(question: str, sentence: str) -> str:
    """The words of `sentence` where `question`'s question word stands, or "" when neither the words
    before it nor those after it are found."""
    asked = _ASKING_END.sub("", question)
    found = QUESTION_WORD.search(asked)
    if not found:
        return ""
    text = sentence.strip().rstrip("。！？!?")
    before = asked[: found.start()]
    bare = before.rstrip(_LEADING)  # 效力于哪个球队 over 效力意甲热那亚: the preposition need not be written
    lefts = _anchors(text, [before[max(0, len(before) - n) :] for n in range(MAX_ANCHOR, 0, -1)]) or _anchors(
        text, [bare[max(0, len(bare) - n) :] for n in range(MAX_ANCHOR, 0, -1)]
    )
    after = asked[found.end() :]
    category = next((c for c in asked_category(asked) if after.startswith(c)), "")
    after = after[len(category) :]  # 国家 in 哪个国家: the kind of answer, which the sentence need not write
    rights = _anchors(text, [after[:n] for n in range(MAX_ANCHOR, 0, -1)])
    pairs = [
        (left_len + right_len, -(right_at - left_end), left_end, right_at)
        for left_end, left_len in ((at + n, n) for at, n in lefts)
        for right_at, right_len in rights
        if 0 < right_at - left_end <= MAX_SLOT and not _CROSSES_CLAUSE.search(text[left_end:right_at])
    ]
    if pairs:
        _, _, start, end = max(pairs)
        return _trim(text[start:end], asked)
    left = max(lefts, key=lambda a: a[1], default=None)
    right = max(rights, key=lambda a: a[1], default=None)
    if left and (not right or left[1] >= right[1]):
        return _trim(re.split(f"[{_CLAUSE_MARK}]", text[left[0] + left[1] :])[0], asked)
    if right:
        return _trim(re.split(f"[{_CLAUSE_MARK}]", text[: right[0]])[-1], asked)
    return ""


def _anchors(text: str, pieces: list[str]) -> list[tuple[int, int]]:
    """(where, length) of every occurrence in `text` of the pieces that are long enough and hold no
    clause mark."""
    found = set()
    for piece in pieces:
        if len(piece) >= MIN_ANCHOR and not any(c in _CLAUSE_MARK for c in piece):
            found.update((m.start(), len(piece)) for m in re.finditer(re.escape(piece), text))
    return sorted(found)


def _trim(span: str, asked: str) -> str:
    """The span without the function words at its ends, nor the words the question itself says at its
    start or end (四泉教堂 in 四泉教堂由建筑师博罗米尼, for "四泉教堂是由谁设计的")."""
    span = _ASIDE.sub("", span.strip()).lstrip(_LEADING).rstrip(_TRAILING).strip()
    opened = len(span) - len(span.lstrip(_OPENING_QUOTE))  # “和平会议”在沙特: the question's words quoted

    def said(n: int) -> bool:
        return span[opened:n] in asked and n - opened >= MIN_ANCHOR

    head = next((n for n in range(len(span), MIN_ANCHOR - 1, -1) if said(n)), 0)
    tail = next((n for n in range(len(span) - head, MIN_ANCHOR - 1, -1) if span[len(span) - n :] in asked), 0)
    trimmed = span[head : len(span) - tail].lstrip(_LEADING).rstrip(_TRAILING).strip()
    return trimmed or span
