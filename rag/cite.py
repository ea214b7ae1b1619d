"""Citation verification: parse `[n]` markers, check each cited sentence against its chunk, flag the rest.

A citation stands only when its chunk supports the sentence: every number and name the sentence
states occurs in the chunk, and enough of its character bigrams do. Markers out of range are
dropped; a sentence left without a supporting source is marked unsupported; numbers and names
that occur in no source at all are flagged.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from rag.lexicon import NAME_FLAGS
from rag.names import pos_words
from rag.text import CLOSERS, SENTENCE_END, sentence_spans
from rag.types import AnswerSentence, Citation, Source

CITATION = re.compile(r"\s*(?:\[(\d+(?:\s*[,，、]\s*\d+)*)\]|【(\d+(?:\s*[,，、]\s*\d+)*)】)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[\w\u4e00-\u9fff]")
_LEADING_MARKS = re.compile(r"(?:\s*(?:\[\d+(?:\s*[,，、]\s*\d+)*\]|【\d+(?:\s*[,，、]\s*\d+)*】))+")
_BRACKETED_NUMBER = re.compile(r"[\[【](\d+(?:\s*[,，、]\s*\d+)*)[\]】]")
MIN_BIGRAM_SUPPORT = 0.5
REFUSAL = "资料中没有找到相关信息"


def cited(sentence: str, n: int) -> str:
    """A source sentence with its citation [n] where `with_markers` puts it, ending with a full stop; a
    bracketed number of its own (证监许可[2018]1910号) is written 〔2018〕, so it cannot pass for a citation."""
    text = _BRACKETED_NUMBER.sub(r"〔\1〕", sentence.strip())
    ends = text[-1] in SENTENCE_END or (text[-1] in CLOSERS and len(text) > 1 and text[-2] in SENTENCE_END)
    return with_markers(text, f"[{n}]") if ends else f"{text}[{n}]。"


def marker_position(sentence: str) -> int:
    """Where a sentence's citation markers stand in every face: before its final mark (…对接工作[1]。),
    else at its end (after a closing quote: …。”[1])."""
    return len(sentence) - 1 if sentence and sentence[-1] in SENTENCE_END else len(sentence)


def with_markers(sentence: str, markers: str) -> str:
    """The sentence with its citation markers at `marker_position`."""
    at = marker_position(sentence)
    return sentence[:at] + markers + sentence[at:]


def strip_citations(text: str) -> str:
    return CITATION.sub("", text)


def _numbers(text: str) -> list[int]:
    marks = [m.group(1) or m.group(2) for m in CITATION.finditer(text)]
    return [int(n) for mark in marks for n in re.split(r"[,，、\s]+", mark) if n]


def split_cited_sentences(answer: str) -> list[tuple[str, list[int]]]:
    """Answer sentences (markers removed) with the numbers cited in or right after each.

    Markers that open a piece (after a closing quote: “……。”[1]) belong to the sentence before it.
    """
    pieces: list[tuple[str, list[int]]] = []
    for start, end in sentence_spans(answer):
        raw = answer[start:end]
        leading = _LEADING_MARKS.match(raw)
        if leading and pieces:
            pieces[-1][1].extend(_numbers(leading.group(0)))
            raw = raw[leading.end() :]
        text = strip_citations(raw).strip()
        if not _WORD.search(text):  # markers (and stray punctuation) after a sentence belong to it
            if pieces:
                pieces[-1][1].extend(_numbers(raw))
            continue
        pieces.append((text, _numbers(raw)))
    return [(text, list(dict.fromkeys(numbers))) for text, numbers in pieces]


def facts(sentence: str) -> tuple[set[str], set[str]]:
    """The numbers and the proper names (people, places, organisations) a sentence states."""
    numbers = set(_NUMBER.findall(sentence))
    names = {word for word, flag in pos_words(sentence) if flag in NAME_FLAGS and len(word) >= 2}
    return numbers, names


def bigram_support(sentence: str, passage: str) -> float:
    """Share of the sentence's CJK/alphanumeric bigrams that occur in the passage."""
    chars = [c for c in sentence if _CJK.match(c) or c.isalnum()]
    grams = {a + b for a, b in itertools.pairwise(chars)}
    if not grams:
        return 0.0
    squashed = "".join(c for c in passage if _CJK.match(c) or c.isalnum())
    return sum(g in squashed for g in grams) / len(grams)


def supports(sentence: str, passage: str) -> bool:
    numbers, names = facts(sentence)
    if any(n not in passage for n in numbers) or any(n not in passage for n in names):
        return False
    return bigram_support(sentence, passage) >= MIN_BIGRAM_SUPPORT


def best_quote(sentence: str, passage: str) -> tuple[str, int, int]:
    """The sentence of the passage closest to the answer sentence, with its offsets."""
    spans = sentence_spans(passage) or [(0, len(passage))]
    start, end = max(spans, key=lambda span: bigram_support(sentence, passage[span[0] : span[1]]))
    return passage[start:end], start, end


def verify(answer: str, sources: Sequence[Source]) -> tuple[list[AnswerSentence], list[Citation]]:
    """Check every cited sentence of an answer against its sources."""
    by_n = {s.n: s for s in sources}
    everything = "\n".join(s.title + "\n" + s.text for s in sources)
    sentences: list[AnswerSentence] = []
    citations: list[Citation] = []
    for position, (text, cited) in enumerate(split_cited_sentences(answer)):
        flags = [f"引用 [{n}] 超出来源范围 (citation [{n}] out of range)" for n in cited if n not in by_n]
        kept = []
        for n in (n for n in cited if n in by_n):
            source = by_n[n]
            if supports(text, source.title + "\n" + source.text):
                kept.append(n)
                quote, start, end = best_quote(text, source.text)
                citations.append(
                    Citation(
                        n=n,
                        chunk_id=source.chunk_id,
                        article_id=source.article_id,
                        title=source.title,
                        quote=quote,
                        quote_start=start,
                        quote_end=end,
                        sentence=position,
                    )
                )
            else:
                flags.append(f"来源 [{n}] 不支持此句 (source [{n}] does not support this sentence)")
        numbers, names = facts(text)
        flags += [f"数字 {x} 不在任何来源中 (number not in any source)" for x in sorted(numbers) if x not in everything]
        flags += [f"名称 {x} 不在任何来源中 (name not in any source)" for x in sorted(names) if x not in everything]
        is_refusal = REFUSAL in text
        sentences.append(AnswerSentence(text=text, cites=kept, supported=bool(kept) or is_refusal, flags=flags))
    return sentences, citations
