"""The offline extractive answerer: pick the source sentences that answer the question, cite each.

Faithful by construction (every answer sentence is a sentence of a source). It refuses when no
sentence covers enough of the question, when the article of the best sentence lacks a name,
date or role the question states (so "刘越高在北京…" is not answered from the 长沙 article), or
when no sentence has what the question type asks for (a number for 多少, a date for 哪天).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rag.cite import REFUSAL
from rag.question import (
    asks_superlative,
    content_terms,
    critical_terms,
    event_names,
    missing_terms,
    question_type,
    satisfies_type,
)
from rag.text import ends_sentence, sentence_spans
from rag.types import Source

MIN_COVERAGE = 0.08
MIN_ARTICLE_COVERAGE = 0.67  # share of the question's words (each once) in the sources that the answer's article holds
SECOND_SENTENCE_RATIO = 0.7
MAX_SENTENCES = 3
SHORTLIST = 12
TYPE_BONUS = 0.2
_PART_END = re.compile(r"[？?]")
_BOILERPLATE = re.compile(r"原标题|责任编辑|来源[:：|｜]|编辑[:：|｜]|扫码|点击进入|分享到")
# a photo credit glued to the sentence it stands before, with the credited name when a space ends it
_CREDIT_PREFIX = re.compile(r"^(?:图片)?来源[:：|｜]\s*(?:[^\s，。,：:]{1,12}\s+)?")
MIN_CREDITED_CHARS = 40
_SPACE = re.compile(r"\s+")
_HEADLINE_LABEL = re.compile(r"^\s*原标题[:：]\s*")  # "原标题：<headline><lead sentence>": keep what follows
MIN_PART_CHARS = 4
CONTEXT_WEIGHT = 0.3
DISTINCTIVE_WEIGHT = 2.0  # a word only this part of a multi-part question uses
_ABOUT_HEADLINE = re.compile(r"标题|题目|大标题|headline")
STRICT_TYPES = frozenset({"number", "when", "role"})  # without such content a sentence cannot answer


Key = tuple[str, str, int]  # (source, article id, character offset of the sentence)


@dataclass
class Candidate:
    """A sentence (or run of clauses) that may answer; the rule-based answerer fills coverage and
    typed, the model-based one its features."""

    n: int
    text: str
    key: Key
    context: str = ""
    coverage: float = 0.0
    score: float = 0.0
    typed: bool = False
    features: dict[str, float] = field(default_factory=dict)
    copies: list[tuple[int, Key, str]] = field(default_factory=list)  # (n, key, context) elsewhere


def _weights(terms: list[str], sentences: list[str]) -> dict[str, float]:
    total = len(sentences) or 1
    return {t: math.log(1 + total / (1 + sum(t in s for s in sentences))) for t in terms}


def news_text(sentence: str) -> str | None:
    """A source sentence as news: without a "原标题：" label or a photo credit glued before it;
    None for boilerplate (credits, editor lines, share prompts, a bare headline line)."""
    if _HEADLINE_LABEL.match(sentence):
        rest = _HEADLINE_LABEL.sub("", sentence)
        return rest if ends_sentence(rest) and not _BOILERPLATE.search(rest) else None
    if _CREDIT_PREFIX.match(sentence) and len(sentence) >= MIN_CREDITED_CHARS:
        sentence = _CREDIT_PREFIX.sub("", sentence)
    return None if _BOILERPLATE.search(sentence) else sentence


def candidates(
    sources: Sequence[Source],
    with_titles: bool = False,
    with_runs: bool = False,
    news: Callable[[str], str | None] = news_text,
) -> list[Candidate]:
    """Every distinct news sentence of the sources (`news` says what of a sentence is news), each
    headline when asked, and runs of clauses split by ；when asked, keyed by their place.

    A sentence that several sources hold word for word (a story several outlets ran) is one
    candidate, placed in the first of them, with the other places kept as its copies: it would
    answer nothing new and crowd the shortlist.
    """
    seen: set[Key] = set()
    by_words: dict[str, Candidate] = {}
    found = []

    def add(n: int, text: str, key: Key, previous: str) -> None:
        same_words = _SPACE.sub("", text)
        if same_words in by_words:
            by_words[same_words].copies.append((n, key, previous))
        else:
            by_words[same_words] = Candidate(n, text, key, context=previous)
            found.append(by_words[same_words])

    for source in sources:
        title_key = (source.source, source.article_id, -1)
        if with_titles and title_key not in seen:
            seen.add(title_key)
            found.append(Candidate(source.n, source.title, title_key))
        previous, run, run_key = "", "", None
        for start, end in sentence_spans(source.text):
            key = (source.source, source.article_id, source.start + start)
            text = news(source.text[start:end])
            if text is None or key in seen:
                continue
            seen.add(key)
            add(source.n, text, key, previous)
            if with_runs:
                run, run_key = (run + text, run_key) if run else (text, key)
                if not text.rstrip().endswith(("；", ";")):
                    if run != text and run_key:
                        add(source.n, run, (run_key[0], run_key[1], run_key[2] - 1), previous)
                    run, run_key = "", None
            previous = text
    return found


def _display(sentence: str, n: int) -> str:
    """The sentence with its citation before the final punctuation (after a closing quote)."""
    text = sentence.strip()
    if text[-1] in "。！？；;!?":
        return f"{text[:-1]}[{n}]{text[-1]}"
    if text[-1] in '”’」』）)"' and len(text) > 1 and text[-2] in "。！？；;!?":
        return f"{text}[{n}]"
    return f"{text}[{n}]。"


def _word_groups(weights: dict[str, float]) -> list[tuple[list[str], float]]:
    """Search-mode words grouped under the longest word holding them (负责/责人 under 负责人), so one
    word of the question counts once; a group weighs as its heaviest member."""
    longest = [t for t in weights if not any(t != other and t in other for other in weights)]
    return [([t for t in weights if t in word], max(w for t, w in weights.items() if t in word)) for word in longest]


def _coverage(weights: dict[str, float], text: str) -> float:
    lowered = text.lower()
    return sum(w for t, w in weights.items() if t in lowered)


def question_parts(question: str) -> list[str]:
    """A question that asks several things (…？…？) split into its parts; else the question itself."""
    parts = [p.strip() for p in _PART_END.split(question) if len(p.strip()) >= MIN_PART_CHARS]
    return parts if len(parts) > 1 else [question]


def answer_extractive(
    question: str,
    standalone: str,
    sources: Sequence[Source],
    article_text: Callable[[Source], str],
    in_corpus: Callable[[str], bool] = lambda term: True,
) -> tuple[str, bool]:
    """(answer text with [n] markers, refused); `in_corpus` says whether the index knows a word.

    A question of several parts is answered part by part over the same sources; it is refused
    only when no part can be answered. Words that only one part uses weigh more in that part, and
    a part whose best sentence an earlier part already took adds the best sentence that holds what
    this part alone asks (队长 in "…出征仪式？…谁是代表团的队长？").
    """
    if not sources:
        return REFUSAL + "。", True
    parts = question_parts(standalone)
    chosen: dict[tuple[str, str, int], Candidate] = {}
    for part in parts:
        own_question = part if len(parts) > 1 else question
        others = [p for p in parts if p is not part]
        ranked = _rank(own_question, part, standalone if others else "", others, sources, article_text, in_corpus)
        picked = _pick(ranked)
        if others and picked and picked[0].key in chosen:
            lacking = [t for t in _distinctive(part, others) if t not in picked[0].text.lower()]
            extra = next((c for c in ranked if c.key not in chosen and any(t in c.text.lower() for t in lacking)), None)
            picked += [extra] if extra else []
        for c in picked:
            chosen.setdefault(c.key, c)
    if not chosen:
        return REFUSAL + "。", True
    return "".join(_display(c.text, c.n) for c in sorted(chosen.values(), key=lambda c: c.key)), False


def _distinctive(part: str, others: Sequence[str]) -> list[str]:
    """The words of one part of a question that no other part uses."""
    shared = {t for other in others for t in content_terms(other)}
    return [t for t in content_terms(part) if t not in shared]


def _pick(ranked: list[Candidate]) -> list[Candidate]:
    """The best sentence, and up to two more from the same article that score at least 70% as well."""
    if not ranked:
        return []
    chosen = [ranked[0]]
    for c in ranked[1 : MAX_SENTENCES + 2]:
        same_article = c.key[:2] == chosen[0].key[:2]
        if same_article and c.score >= SECOND_SENTENCE_RATIO * chosen[0].score and len(chosen) < MAX_SENTENCES:
            chosen.append(c)
    return chosen


def term_weights(
    standalone: str, context_question: str, other_parts: Sequence[str], sentences: list[str]
) -> dict[str, float]:
    """The question's words, each weighted by its rarity among the candidate sentences; a word only this
    part of a multi-part question uses weighs double, the rest of the question (its context) lightly."""
    weights = _weights(content_terms(standalone), sentences)
    own = set(_distinctive(standalone, other_parts))
    weights = {t: w * (DISTINCTIVE_WEIGHT if t in own and other_parts else 1.0) for t, w in weights.items()}
    for term, weight in _weights(content_terms(context_question), sentences).items():
        weights.setdefault(term, CONTEXT_WEIGHT * weight)
    return weights


def _rank(
    question: str,
    standalone: str,
    context_question: str,
    other_parts: Sequence[str],
    sources: Sequence[Source],
    article_text: Callable[[Source], str],
    in_corpus: Callable[[str], bool],
) -> list[Candidate]:
    """The grounded sentences that could answer one question (part), best first; [] to refuse it."""
    kind = question_type(question) if question_type(question) != "factoid" else question_type(standalone)
    terms = content_terms(standalone)
    pool = candidates(sources, with_titles=bool(_ABOUT_HEADLINE.search(question)))
    weights = term_weights(standalone, context_question, other_parts, [c.text for c in pool])
    total = sum(weights.values()) or 1.0
    by_n = {s.n: s for s in sources}

    def place_score(c: Candidate) -> float:
        """The sentence's words, then its neighbours' and its article title's, and the source's rank."""
        rest = {t: w for t, w in weights.items() if t not in c.text.lower()}
        context, title = _coverage(rest, c.context), _coverage(rest, by_n[c.n].title)
        return (c.coverage * total + 0.5 * context + 0.3 * title) / total + 0.1 / c.n

    for c in pool:
        c.coverage = _coverage(weights, c.text) / total
        c.score = place_score(c)
    shortlist = sorted((c for c in pool if c.coverage >= MIN_COVERAGE), key=lambda c: -c.score)[:SHORTLIST]
    for c in shortlist:
        c.typed = satisfies_type(kind, c.text, standalone)
        c.score += TYPE_BONUS if c.typed else 0.0
    critical = critical_terms(standalone, in_corpus)
    events, superlative = event_names(standalone), asks_superlative(standalone)
    everything = "\n".join(s.title + "\n" + s.text for s in sources).lower()
    story = set(terms) | set(content_terms(context_question))  # a part of a question is about the question's story
    grounding = _word_groups({t: w for t, w in weights.items() if t in everything and t in story})
    texts: dict[int, str] = {}

    def grounded(c: Candidate) -> bool:
        """Grounded where it stands, or else in one of its copies (then it is placed and scored there)."""
        first = (c.n, c.key, c.context)
        for n, key, context in [first, *c.copies]:
            c.n, c.key, c.context = n, key, context
            if grounded_here(c):
                if (n, key, context) != first:
                    c.score = place_score(c) + (TYPE_BONUS if c.typed else 0.0)
                return True
        c.n, c.key, c.context = first
        return False

    def grounded_here(c: Candidate) -> bool:
        """Typed as asked, every critical term in its article, and the article holds most question words."""
        if c.n not in texts:
            texts[c.n] = (by_n[c.n].title + "\n" + article_text(by_n[c.n])).lower()
        if not (c.typed or kind not in STRICT_TYPES) or missing_terms(critical, texts[c.n]):
            return False
        nearby = c.context + c.text
        if kind in STRICT_TYPES and any(event not in nearby for event in events):
            return False
        if superlative and "最" not in c.text:
            return False
        held = sum(w for group, w in grounding if any(t in texts[c.n] for t in group))
        held /= sum(w for _, w in grounding) or 1.0
        return held >= MIN_ARTICLE_COVERAGE

    return sorted([c for c in shortlist if grounded(c)], key=lambda c: -c.score)


def unsupported_terms(
    standalone: str,
    sources: Sequence[Source],
    article_text: Callable[[Source], str],
    in_corpus: Callable[[str], bool] = lambda term: True,
) -> list[str]:
    """Critical terms of the question that no single source article holds together; [] when one does."""
    critical = critical_terms(standalone, in_corpus)
    if not critical or not sources:
        return critical
    best: list[str] | None = None
    for source in sources:
        missing = missing_terms(critical, source.title + "\n" + article_text(source))
        if best is None or len(missing) < len(best):
            best = missing
    return best or []
