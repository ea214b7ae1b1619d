"""Chinese text units shared by every stage: where a sentence ends, and the spans of the sentences of a text.

One definition for ingestion (rejoining wrapped lines, chunking), answering and citation checks:
a sentence ends at 。！？；(or their ASCII forms), with any closing quote or bracket after it,
or at a line break; never inside a work's title in 《》 (《卡拉OK.LIVE！‧台北‧我》) nor at an ASCII
! or ? that a letter or digit follows (Hey!Say!JUMP).
"""

from __future__ import annotations

import re

SENTENCE_END = "。！？!?；;"
CLOSERS = "”’」』）)\"'"
MAX_TITLE = 40  # characters of a 《title》 read as one piece: an unclosed 《 does not swallow the text
_BODY = rf"(?:《[^》\n]{{0,{MAX_TITLE}}}》|[!?](?=[A-Za-z0-9])|[^{SENTENCE_END}\n])*"
_SENTENCE = re.compile(rf"{_BODY}(?:[{SENTENCE_END}]+[{CLOSERS}]*|\n|$)")


def ends_sentence(text: str) -> bool:
    """True when `text` ends a sentence: its last character, closing quotes and spaces aside, is an end mark."""
    stripped = text.rstrip().rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in SENTENCE_END


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, surrounding white space excluded."""
    spans = []
    for match in _SENTENCE.finditer(text):
        start, end = match.start(), match.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans
