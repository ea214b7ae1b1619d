"""The offline extractive answerer: pick the source sentences that answer the question, cite each.

Faithful by construction (every answer sentence is a sentence of a source). It refuses when no
sentence covers enough of the question, when the article of the best sentence lacks a name,
date or role the question states (so "刘越高在北京…" is not answered from the 长沙 article), or
when no sentence has what the question type asks for (a number for 多少, a date for 哪天).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from rag.answer.grounds import Grounds
from rag.answer.question import (
    asked_category,
    asks_place_name,
    content_terms,
    question_type,
    satisfies_type,
    typing_question,
    unglued,
)
from rag.answer.slot import slot
from rag.answer.span import lead
from rag.cite import REFUSAL, cited
from rag.lexicon import ASKS_BYLINE, DATELINE, SAME_MEANING
from rag.text import ends_sentence, sentence_spans
from rag.types import Source

# The refusal thresholds, fit on the dev sets by `python -m eval.fit_refusal` (docs/EVALUATION.md):
MIN_COVERAGE = 0.0  # share of the question's weighted words a sentence must hold
MIN_ARTICLE_COVERAGE = 0.45  # share of the question's words (each once) in the sources that the answer's article holds
MIN_KNOWN_SHARE = 0.34  # share of the question's words that some source's article holds at all
MIN_PARTS_ANSWERED = 1.0  # share of a question's parts that must be answerable for it to be answered
MIN_SCORE = 0.95  # the score (on its words and place, `RankWeights`) the best grounded sentence must reach
SECOND_SENTENCE_RATIO = 0.7
MAX_SENTENCES = 3
SHORTLIST = 12
MAX_CONTENDERS = 4  # candidates for best whose nearness in meaning is weighed (when an encoder is given)
CONTENDER_MARGIN = 0.15  # …that score at most this much below the best


class RankWeights(NamedTuple):
    """How a sentence's score adds, to the share of the question's weighted words it holds, the share
    its previous sentence and its article's title hold of the rest, the source's rank (1/n), whether
    it holds the asked type, the share of the question's words its article holds, and (with an
    encoder) how far its meaning falls short of the nearest contender's. Fit on the dev sets by
    `python -m eval.fit_ranking`, the dense weight through the chain (docs/EVALUATION.md)."""

    context: float = 0.5
    title: float = 0.45
    rank: float = 0.05
    typed: float = 0.2
    article: float = 1.0
    dense: float = 1.0


RANK_WEIGHTS = RankWeights()
PLACE_FEATURES = ("context", "title", "rank")
_PART_END = re.compile(r"[？?]")
_ASKING_TERM = re.compile(r"哪|什么|多少|多[长高大远久重宽深]|何")
_BOILERPLATE = re.compile(r"原标题|责任编辑|来源[:：|｜]|编辑[:：|｜]|扫码|点击进入|分享到")
# a photo credit glued to the sentence it stands before, with the credited name when a space ends it
_CREDIT_PREFIX = re.compile(r"^(?:图片)?来源[:：|｜]\s*(?:[^\s，。,：:]{1,12}\s+)?")
MIN_CREDITED_CHARS = 40
_SPACE = re.compile(r"\s+")
_END_MARK = re.compile(r"\s*[（(]完[)）]\s*$")  # the wire copy's end mark: …合作。（完）
_HEADLINE_LABEL = re.compile(r"^\s*原标题[:：]\s*")  # "原标题：<headline><lead sentence>": keep what follows
MIN_PART_CHARS = 4
CONTEXT_WEIGHT = 0.3
DISTINCTIVE_WEIGHT = 2.0  # a word only this part of a multi-part question uses
ABOUT_HEADLINE = re.compile(r"标题|题目|大标题|headline")
STRICT_TYPES = frozenset({"number", "when", "role"})  # without such content a sentence cannot answer
SPAN_TYPES = frozenset({"who", "where", "when", "number", "role"})  # questions a span answers


Key = tuple[str, str, int]  # (source, article id, character offset of the sentence)
Encode = Callable[[list[str]], Any]  # texts → their embeddings (the index's model)


class Extracted(NamedTuple):
    """What an extractive answerer returns: the cited text, whether it refused, the short answer."""

    text: str
    refused: bool
    short_answer: str = ""


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
    run: bool = False  # a run of clauses split by ；(a list), read with the sentence that introduces it
    meaning: float = 0.0  # what its embedding's nearness to the question added to its score (≤ 0)

    @property
    def worded(self) -> float:
        """The score without the meaning term: how well its words (and place) answer."""
        return self.score - self.meaning


def similarities(encode: Encode, queries: list[str], texts: list[str]) -> np.ndarray:
    """Cosine similarity of each query (rows) to each text (columns), embedded in one call of `encode`."""
    vectors = np.asarray(encode([*queries, *texts]), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    return vectors[: len(queries)] @ vectors[len(queries) :].T


def _weights(terms: list[str], sentences: list[str]) -> dict[str, float]:
    total = len(sentences) or 1
    return {t: math.log(1 + total / (1 + sum(t in s for s in sentences))) for t in terms}


def news_text(sentence: str, keep_byline: bool = False) -> str | None:
    """A source sentence as news: without a "原标题：" label, a photo credit or (unless kept) a dateline
    and byline before it (衡阳日报讯（全媒体记者 陈润）) or the end mark （完） after it; None for
    boilerplate (credits, editor lines, share prompts, a bare headline line)."""
    sentence = _END_MARK.sub("", sentence)
    if _HEADLINE_LABEL.match(sentence):
        rest = _HEADLINE_LABEL.sub("", sentence)
        return rest if ends_sentence(rest) and not _BOILERPLATE.search(rest) else None
    if _CREDIT_PREFIX.match(sentence) and len(sentence) >= MIN_CREDITED_CHARS:
        sentence = _CREDIT_PREFIX.sub("", sentence)
    if not keep_byline:
        sentence = DATELINE.sub("", sentence)
    return None if _BOILERPLATE.search(sentence) or not sentence.strip() else sentence


def candidates(
    sources: Sequence[Source],
    with_titles: bool = False,
    with_runs: bool = False,
    keep_byline: bool = False,
) -> list[Candidate]:
    """Every distinct news sentence of the sources (`news_text`: datelines and bylines kept only when
    asked), each headline when asked, and runs of clauses split by ；when asked, keyed by their place.

    A sentence that several sources hold word for word (a story several outlets ran) is one
    candidate, placed in the first of them, with the other places kept as its copies: it would
    answer nothing new and crowd the shortlist.
    """
    seen: set[Key] = set()
    by_words: dict[str, Candidate] = {}
    found = []

    def add(n: int, text: str, key: Key, previous: str, is_run: bool = False) -> None:
        same_words = _SPACE.sub("", text)
        if same_words in by_words:
            by_words[same_words].copies.append((n, key, previous))
        else:
            by_words[same_words] = Candidate(n, text, key, context=previous, run=is_run)
            found.append(by_words[same_words])

    for source in sources:
        title_key = (source.source, source.article_id, -1)
        if with_titles and title_key not in seen:
            seen.add(title_key)
            found.append(Candidate(source.n, source.title, title_key))
        previous, run, run_key, run_context = "", "", None, ""
        for start, end in sentence_spans(source.text):
            key = (source.source, source.article_id, source.start + start)
            text = news_text(source.text[start:end], keep_byline)
            if text is None or key in seen:
                continue
            seen.add(key)
            add(source.n, text, key, previous)
            if with_runs:
                if not run:
                    run_key, run_context = key, previous
                run += text
                if not text.rstrip().endswith(("；", ";")):
                    if run != text and run_key:
                        add(source.n, run, (run_key[0], run_key[1], run_key[2] - 1), run_context, is_run=True)
                    run, run_key = "", None
            previous = text
    return found


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


def enough_parts(answered: int, parts: int, min_share: float = MIN_PARTS_ANSWERED) -> bool:
    """Whether a question of `parts` parts, `answered` of them answerable, is answered: an answer to one
    part of three quotes a related story more often than the one asked about. The share fit on the dev
    sets is 1: every part must be answerable (docs/EVALUATION.md)."""
    return answered > 0 and answered >= min_share * parts


def answer_extractive(
    question: str,
    standalone: str,
    sources: Sequence[Source],
    article_text: Callable[[Source], str],
    in_corpus: Callable[[str], bool] = lambda term: True,
    encode: Encode | None = None,
) -> Extracted:
    """The answer text with [n] markers (each part's short answer first, then the sentences), whether it
    refused, and the short answer; `in_corpus` says whether the index knows a word, `encode` embeds
    texts with the index's model (without it, sentences are ranked on their words alone).

    A question of several parts is answered part by part over the same sources; it is refused
    unless enough of its parts can be answered (`enough_parts`: every part, as fit on the dev sets).
    Words that only one part uses weigh more in that part, and a part whose best sentence an earlier
    part already took adds the best sentence that holds what this part alone asks (队长 in
    "…出征仪式？…谁是代表团的队长？"). When a question's own words frame its span in the best
    sentence (the slot), a further sentence must hold a word the question asks that the sentences
    before it lack: it would add nothing asked.
    """
    if not sources:
        return Extracted(REFUSAL + "。", True)
    by_n = {s.n: s for s in sources}
    chosen: dict[tuple[str, str, int], Candidate] = {}
    answered: list[tuple[str, str, Source]] = []  # (question part, best sentence, its source)
    parts = Part.each(question, standalone, sources, article_text, in_corpus, STRICT_TYPES)
    for part in parts:
        ranked = rank_sentences(part, encode=encode)
        # the question's words frame the span in the best sentence: another must add a word it asks
        framed = part.kind in SPAN_TYPES and not part.others and ranked and slot(part.asked, ranked[0].text)
        picked = pick_sentences(ranked, content_terms(part.text) if framed else ())
        if part.others and picked and picked[0].key in chosen:
            lacking = [t for t in _distinctive(part.text, part.others) if t not in picked[0].text.lower()]
            extra = next((c for c in ranked if c.key not in chosen and any(t in c.text.lower() for t in lacking)), None)
            picked += [extra] if extra else []
        for c in picked:
            chosen.setdefault(c.key, c)
        if picked:
            answered.append((part.asked, picked[0].text, by_n[picked[0].n]))
    if not enough_parts(len(answered), len(parts)):
        return Extracted(REFUSAL + "。", True)
    shown, short = lead(answered)
    return Extracted(shown + cited_sentences(chosen.values()), False, short)


def cited_sentences(chosen: Iterable[Candidate]) -> str:
    """The chosen sentences in text order, each clause cited on its own (as verification reads them); a
    sentence that a chosen run of clauses holds is not repeated."""
    ordered = sorted(chosen, key=lambda c: c.key)
    kept = [
        c
        for c in ordered
        if not any(o is not c and o.key[:2] == c.key[:2] and c.text in o.text and o.text != c.text for o in ordered)
    ]
    return "".join(cited(c.text[start:end], c.n) for c in kept for start, end in sentence_spans(c.text))


def _distinctive(part: str, others: Sequence[str]) -> list[str]:
    """The words of one part of a question that no other part uses."""
    shared = {t for other in others for t in content_terms(other)}
    return [t for t in content_terms(part) if t not in shared]


def pick_sentences(ranked: list[Candidate], wanted: Sequence[str] = ()) -> list[Candidate]:
    """The best sentence, and up to two more from the same article that score at least 70% as well on the
    words (meaning picks the best, it does not rule out a sentence that states more of it); when
    the question's `wanted` words are given (a part a span answers), a further sentence must hold one
    of them that the sentences before it lack, or as many of them as the best (another answer: 12日下午，
    他与A座谈… / 12日下午，他与B座谈…), or it adds nothing the question asked."""
    if not ranked:
        return []
    chosen = [ranked[0]]
    for c in ranked[1 : MAX_SENTENCES + 2]:
        same_article = c.key[:2] == chosen[0].key[:2]
        held = "".join(o.text for o in chosen).lower()
        adds = (
            not wanted
            or c.coverage >= chosen[0].coverage  # another answer, worded as the best one is
            or any(t in c.text.lower() and t not in held for t in wanted)
        )
        close = c.worded >= SECOND_SENTENCE_RATIO * chosen[0].worded
        if same_article and adds and close and len(chosen) < MAX_SENTENCES:
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


@dataclass
class Part:
    """What ranking one question (part) starts from, for both extractive answerers: the asked type, the
    candidate sentences, the question's weighted words, the checks an answer must pass (`grounds`) and
    the word groups its article should hold (`grounding`: the story's words the sources have, without
    the noun naming the kind of answer). `asked` is the part as the user asked it (the whole question
    when it has one part), `text` its standalone form, `others` the question's other parts."""

    asked: str
    text: str
    others: list[str]
    kind: str
    typed_by: str
    pool: list[Candidate]
    weights: dict[str, float]
    by_n: dict[int, Source]
    grounds: Grounds
    grounding: list[tuple[list[str], float]]
    article_text: Callable[[Source], str]
    story: list[str] = field(default_factory=list)
    texts: dict[int, str] = field(default_factory=dict)

    @classmethod
    def each(
        cls,
        question: str,
        standalone: str,
        sources: Sequence[Source],
        article_text: Callable[[Source], str],
        in_corpus: Callable[[str], bool],
        strict_types: frozenset[str],
    ) -> list[Part]:
        """One Part for each part of the (standalone) question; a part of several is read in the context
        of the whole question."""
        texts = question_parts(standalone)
        everything = "\n".join(s.title + "\n" + s.text for s in sources).lower()
        by_n = {s.n: s for s in sources}
        parts = []
        for text in texts:
            asked = text if len(texts) > 1 else question
            others = [t for t in texts if t is not text]
            context = standalone if others else ""
            typed_by = typing_question(asked, text)
            kind = question_type(typed_by)
            pool = candidates(
                sources,
                with_titles=bool(ABOUT_HEADLINE.search(asked)),
                with_runs=kind == "list",
                keep_byline=bool(ASKS_BYLINE.search(asked)),
            )
            weights = {
                unglued(t, everything, text): w
                for t, w in term_weights(text, context, others, [c.text for c in pool]).items()
            }
            story = {unglued(t, everything, text) for t in content_terms(text)}  # its story
            story |= {unglued(t, everything, context) for t in content_terms(context)}
            story -= {t for t in story if any(t in noun for noun in asked_category(text))}  # 哪所大学
            story -= {t for t in story if _ASKING_TERM.match(t)}  # 哪些地方, 多长: the asking, not the story
            grounding = _word_groups({t: w for t, w in weights.items() if t in everything and t in story})
            grounds = Grounds.of(kind, text, sources, article_text, in_corpus, strict_types, context)
            words = [t for t in story if len(t) > 1 and not any(t != other and t in other for other in story)]
            parts.append(
                cls(asked, text, others, kind, typed_by, pool, weights, by_n, grounds, grounding, article_text, words)
            )
        return parts

    @property
    def strict(self) -> bool:
        """Whether only a sentence with the asked type of content can answer: a strict type, or a question
        asking for a place by its name (`asks_place_name`)."""
        return self.kind in self.grounds.strict_types or asks_place_name(self.typed_by)

    @property
    def total(self) -> float:
        return sum(self.weights.values()) or 1.0

    def article(self, n: int) -> str:
        """The title and text (lower-cased) of source n's article."""
        if n not in self.texts:
            self.texts[n] = (self.by_n[n].title + "\n" + self.article_text(self.by_n[n])).lower()
        return self.texts[n]

    def typed(self, c: Candidate) -> bool:
        """Whether the candidate holds the kind of content the part asks for. A date, number or role that
        only the sentence before states joins that sentence to it (2004年，…卫冕失败。赛后，他正式结束
        运动生涯 answers when he retired)."""
        if satisfies_type(self.kind, c.text, self.typed_by):
            return True
        joined = c.context + c.text
        if self.kind in STRICT_TYPES and c.context and not c.run and satisfies_type(self.kind, joined, self.typed_by):
            c.text = joined
            return True
        return False

    def known_share(self) -> float:
        """The share of the question's words (each once, in its longest form) that some source's article
        holds: under half, the sources are about something else (蓝线裸顶鲷 asked, 黄鳍紫鱼 found)."""
        known = sum(any(self.grounds.holds_word(t, self.article(n)) for n in self.by_n) for t in self.story)
        return known / len(self.story) if self.story else 1.0

    def article_share(self, n: int) -> float:
        """The share of the grounding words that source n's article holds (or a form the sources define)."""
        held = sum(w for group, w in self.grounding if any(self.grounds.holds_word(t, self.article(n)) for t in group))
        return held / (sum(w for _, w in self.grounding) or 1.0)


def rank_sentences(
    part: Part,
    min_coverage: float = MIN_COVERAGE,
    min_article: float = MIN_ARTICLE_COVERAGE,
    min_known: float = MIN_KNOWN_SHARE,
    min_score: float = MIN_SCORE,
    rank_weights: RankWeights = RANK_WEIGHTS,
    shortlist_size: int = SHORTLIST,
    encode: Encode | None = None,
) -> list[Candidate]:
    """The grounded sentences that could answer one question part, best first; [] to refuse it (also
    when the best one's score, before nearness in meaning, is under `min_score`). A sentence's coverage
    counts each word of the question once, by its heaviest form the sentence holds (黑龙江省博物馆 with
    its pieces 黑龙江 and 博物馆 is one word: a name does not outweigh what is asked). Each keeps in
    `features` the shares its previous sentence and its title add of the question's words (context,
    title), its source's rank (1/n) and the share of the question's words its article holds (article)."""
    pool, weights, by_n, grounds = part.pool, part.weights, part.by_n, part.grounds
    if part.known_share() < min_known:
        return []

    groups = [members for members, _ in _word_groups(weights)]
    grouped_total = sum(max(weights[t] for t in members) for members in groups) or 1.0

    @functools.cache
    def held(text: str) -> tuple[float, ...]:
        """Per word of the question, the weight of its heaviest form (the word, a piece or a word of the
        same meaning) the text holds."""
        lowered = text.lower()
        return tuple(
            max(
                (weights[t] for t in members if t in lowered or any(w in lowered for w in SAME_MEANING.get(t, ()))),
                default=0.0,
            )
            for members in groups
        )

    def more(text: str, own: tuple[float, ...]) -> float:
        return sum(max(0.0, w - o) for w, o in zip(held(text), own, strict=True)) / grouped_total

    def place_score(c: Candidate) -> float:
        """The sentence's words, then its neighbours' and its article title's, and the source's rank."""
        own = held(c.text)
        c.features.update(context=more(c.context, own), title=more(by_n[c.n].title, own), rank=1 / c.n)
        return c.coverage + sum(getattr(rank_weights, name) * c.features[name] for name in PLACE_FEATURES)

    for c in pool:
        c.coverage = sum(held(c.text)) / grouped_total
        c.score = place_score(c)
    shortlist = sorted((c for c in pool if c.coverage >= min_coverage), key=lambda c: -c.score)[:shortlist_size]
    for c in shortlist:
        c.typed = part.typed(c)
        c.score += rank_weights.typed if c.typed else 0.0

    def grounded(c: Candidate) -> bool:
        """Grounded where it stands, or else in one of its copies (then it is placed and scored there)."""
        first = (c.n, c.key, c.context)
        for n, key, context in [first, *c.copies]:
            c.n, c.key, c.context = n, key, context
            if grounded_here(c):
                if (n, key, context) != first:
                    c.score = place_score(c) + (rank_weights.typed if c.typed else 0.0)
                return True
        c.n, c.key, c.context = first
        return False

    def grounded_here(c: Candidate) -> bool:
        """Typed as asked, its article holds the question's critical terms, dates and most of its words,
        and the sentence fits the asked meeting and year."""
        source = by_n[c.n]
        if not (c.typed or not part.strict) or not grounds.article_holds(source, part.article(c.n)):
            return False
        if not grounds.sentence_fits(source, c.text, c.context):
            return False
        c.features["article"] = part.article_share(c.n)
        return c.features["article"] >= min_article

    ranked = [c for c in shortlist if grounded(c)]
    for c in ranked:  # a sentence whose article holds more of what is asked is more likely the answer
        c.score += rank_weights.article * c.features["article"]
    ranked.sort(key=lambda c: -c.score)
    if ranked and ranked[0].score < min_score:  # the best answers too little of the question
        return []
    return by_meaning(part.text, ranked, encode, rank_weights.dense) if encode is not None else ranked


def by_meaning(question: str, ranked: list[Candidate], encode: Encode, weight: float) -> list[Candidate]:
    """The ranked candidates with the contenders for best (up to `MAX_CONTENDERS` within
    `CONTENDER_MARGIN` of the best score) re-ranked by how far each one's nearness in meaning to the
    question falls short of the nearest one's; the rest keep their place. Only contenders are embedded:
    one encode call, and none when the best stands clear."""
    contenders = [c for c in ranked[:MAX_CONTENDERS] if c.score >= ranked[0].score - CONTENDER_MARGIN]
    if len(contenders) < 2 or not weight:
        return ranked
    nearness = similarities(encode, [question], [c.text for c in contenders])[0]
    for c, near in zip(contenders, nearness, strict=True):
        c.features["dense"] = float(near - nearness.max())
        c.meaning = weight * c.features["dense"]
        c.score += c.meaning
    return sorted(contenders, key=lambda c: -c.score) + ranked[len(contenders) :]
