"""The model-based extractive answerer (issue 13): score candidate sentences with a small fitted model.

Candidates are the news sentences of the sources (without datelines) and, for a list question, runs
of clauses split by ；(so a list comes whole). Each candidate that can answer (its article holds the
question's names and dates, it has the asked type of content, it states no other year than the
one asked) gets general features (`rag.answer.model.FEATURES`) and a probability from the fitted
logistic model. The best candidate of each part of the question answers it when its probability
reaches the fitted threshold (with up to two more of its article that reach it too), else the
part is refused. The answer is the short span first (a name with its role, a number with its
unit, a date, the list), then the supporting sentences, each cited.

Not yet the chain's answerer: on the page gold set it answers fewer questions right than the rule-
based `rag.answer.extractive` (README, Evaluation). `eval/fit_answer_model.py` fits it and
`eval/dev_table.py` measures it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import NamedTuple

import numpy as np

from rag.answer.analysis import (
    asked_dates,
    asked_unit,
    critical_terms,
    defined_aliases,
    missing_terms,
    people_in,
    question_type,
    satisfies_type,
)
from rag.answer.dates import RELATIVE_DAY, absolute, article_day, matches, stated_years, text_dates
from rag.answer.extractive import (
    Candidate,
    Key,
    _coverage,
    _display,
    _distinctive,
    _word_groups,
    candidates,
    question_parts,
    term_weights,
)
from rag.answer.extractive import news_text as plain_news_text
from rag.answer.model import AnswerModel, answer_model
from rag.cite import REFUSAL, supports
from rag.lexicon import NUMBER, PLACE_FLAGS, TITLE_PATTERN
from rag.names import pos_words
from rag.question import content_terms, event_names
from rag.text import sentence_spans
from rag.types import Source

MAX_SENTENCES = 3  # a part's best sentence, and others of its article that the model says answer too
SUBJECT_WINDOW = 12  # characters before a name in which the question's words mark it as the one asked for
SHORTLIST = 6  # candidates scored with the dense feature (one encode call)
STRICT_TYPES = frozenset({"number", "when", "role", "list"})  # without such content a sentence cannot answer
# a dateline or byline opening a story: 衡阳日报讯（全媒体记者 陈润）, 本报讯, 新华社北京12月14日电（记者 …）
_WIRE_DATELINE = re.compile(r"[^，。：\s]{0,12}讯|新华社[^，。\s]{0,12}电")
_DATELINE = re.compile(rf"^\s*(?:{_WIRE_DATELINE.pattern})\s*(?:[（(][^）)]{{0,40}}[）)])?\s*")
_ABOUT_HEADLINE = re.compile(r"标题|题目|大标题|headline")
_CLAUSE = re.compile(r"[^，,；;。！？!?：:]+")
_CALENDAR = re.compile(r"\d{4}年(?:\d{1,2}月)?(?:\d{1,2}[日号])?|\d{1,2}月(?:\d{1,2}[日号])?|\d{1,2}[日号]")
_AMOUNT = re.compile(rf"{NUMBER}\s*(?:[%％]|[\u4e00-\u9fff]{{0,1}}[元人岁度个项次家位名条年天倍吨米亿万])")

class Extracted(NamedTuple):
    """What the extractive answerer returns: the cited text, whether it refused, the short answer."""

    text: str
    refused: bool
    short_answer: str = ""


def news_text(sentence: str) -> str | None:
    """A source sentence as news (`rag.answer.extractive.news_text`), without a dateline or byline before it."""
    text = plain_news_text(sentence)
    return (_DATELINE.sub("", text) or None) if text else None


Encode = Callable[[list[str]], np.ndarray]


def answer_by_model(
    question: str,
    standalone: str,
    sources: Sequence[Source],
    article_text: Callable[[Source], str],
    in_corpus: Callable[[str], bool] = lambda term: True,
    encode: Encode | None = None,
) -> Extracted:
    """The cited answer, whether it refused, and the short answer; `in_corpus` says whether the index
    knows a word, `encode` embeds sentences (the index's model) for the dense feature.

    A question of several parts is answered part by part over the same sources; it is refused
    only when no part can be answered. Words that only one part uses weigh more in that part, and
    a part whose best sentence an earlier part already took adds the best sentence that holds what
    this part alone asks (队长 in "…出征仪式？…谁是代表团的队长？").
    """
    model = answer_model()
    parts = question_parts(standalone)
    by_n = {s.n: s for s in sources}
    chosen: dict[Key, Candidate] = {}
    spans: list[tuple[str, str, int]] = []  # (the span as written, the short answer, its source)
    for part, ranked in scored_parts(question, standalone, sources, article_text, in_corpus, encode, model):
        answering = [c for c in ranked if c.score >= model.threshold]
        if not answering:
            continue
        best = answering[0]
        if best.key in chosen:  # another part took it: the best sentence holding what this part alone asks
            lacking = [t for t in _distinctive(part, [p for p in parts if p is not part]) if t not in best.text]
            best = next((c for c in answering if c.key not in chosen and any(t in c.text for t in lacking)), best)
        chosen.setdefault(best.key, best)
        same_article = [c for c in answering if c.key[:2] == best.key[:2] and c.key not in chosen]
        for c in same_article[: MAX_SENTENCES - 1]:  # news facts spread over neighbouring sentences
            chosen[c.key] = c
        written, short = short_span(part if len(parts) > 1 else question, best.text, article_day(by_n[best.n].date))
        if short and all(short != s for _, s, _ in spans):
            spans.append((written, short, best.n))
    if not chosen:
        return Extracted(REFUSAL + "。", True)
    shown = "".join(_display(w, n) for w, _, n in spans if w and supports(w, by_n[n].title + "\n" + by_n[n].text))
    body = "".join(
        _display(c.text[start:end], c.n)  # each clause of a run cited on its own, as verification reads them
        for c in sorted(chosen.values(), key=lambda c: c.key)
        for start, end in sentence_spans(c.text)
    )
    return Extracted(shown + body, False, "；".join(short for _, short, _ in spans))


def scored_parts(
    question: str,
    standalone: str,
    sources: Sequence[Source],
    article_text: Callable[[Source], str],
    in_corpus: Callable[[str], bool] = lambda term: True,
    encode: Encode | None = None,
    model: AnswerModel | None = None,
) -> list[tuple[str, list[Candidate]]]:
    """Each part of the question with its candidates that can answer it, scored, best first."""
    if not sources:
        return []
    model = model or answer_model()
    parts = question_parts(standalone)
    aliases = _aliases(sources)
    shortlists = []
    for part in parts:
        own_question = part if len(parts) > 1 else question
        others = [p for p in parts if p is not part]
        context = standalone if others else ""
        ranked = _rank(own_question, part, context, others, sources, article_text, in_corpus, aliases)
        shortlists.append(ranked[:SHORTLIST])
    _add_dense(parts, shortlists, encode)
    for shortlist in shortlists:
        for c in shortlist:
            c.score = model.probability(c.features)
        shortlist.sort(key=lambda c: -c.score)
    return list(zip(parts, shortlists, strict=True))


def _add_dense(parts: list[str], shortlists: list[list[Candidate]], encode: Encode | None) -> None:
    """The dense feature of every shortlisted candidate: one encode call for the parts and the sentences."""
    texts = list(dict.fromkeys(c.text for shortlist in shortlists for c in shortlist))
    if encode is None or not texts:
        for shortlist in shortlists:
            for c in shortlist:
                c.features["dense"] = 0.0
        return
    vectors = np.asarray(encode([*parts, *texts]), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    row = {text: len(parts) + i for i, text in enumerate(texts)}
    for i, shortlist in enumerate(shortlists):
        for c in shortlist:
            c.features["dense"] = float(vectors[i] @ vectors[row[c.text]])


def _rank(
    question: str,
    standalone: str,
    context_question: str,
    other_parts: Sequence[str],
    sources: Sequence[Source],
    article_text: Callable[[Source], str],
    in_corpus: Callable[[str], bool],
    aliases: dict[str, set[str]],
) -> list[Candidate]:
    """The candidates that can answer one question (part) with their features (dense aside), best
    first by the model without its dense feature; [] when none can."""
    model = answer_model()
    kind = question_type(question) if question_type(question) != "factoid" else question_type(standalone)
    terms = content_terms(standalone)
    pool = candidates(
        sources, with_titles=bool(_ABOUT_HEADLINE.search(question)), with_runs=kind == "list", news=news_text
    )
    weights = term_weights(standalone, context_question, other_parts, [c.text for c in pool])
    total = sum(weights.values()) or 1.0
    by_n = {s.n: s for s in sources}
    critical = critical_terms(standalone, in_corpus)
    named = [t for t in critical if not t.startswith("副")] or list(people_in(standalone))
    dates, years = asked_dates(standalone), {y for y, m, d in asked_dates(standalone) if y and not m and not d}
    events = event_names(standalone)
    everything = "\n".join(s.title + "\n" + s.text for s in sources).lower()
    story = set(terms) | set(content_terms(context_question))  # a part of a question is about the question's story
    grounding = _word_groups({t: w for t, w in weights.items() if t in everything and t in story})
    grounding_total = sum(w for _, w in grounding) or 1.0
    people = people_in(standalone)
    documents = _documents(sources)
    texts: dict[int, str] = {}

    def article(n: int) -> str:
        if n not in texts:
            texts[n] = (by_n[n].title + "\n" + article_text(by_n[n])).lower()
        return texts[n]

    def features(c: Candidate) -> dict[str, float] | None:
        """The candidate's features where it stands, or None when it cannot answer there."""
        source = by_n[c.n]
        today = article_day(source.date)
        if missing_terms(critical, article(c.n), aliases, people, documents[source.source]):
            return None
        if dates and not any(any(matches(d, f) for f in text_dates(article(c.n), today)) for d in dates):
            return None
        nearby = c.context + c.text
        if kind in STRICT_TYPES and any(event not in nearby for event in events):
            return None
        own_years = stated_years(c.text, today)
        if years and own_years and not own_years & years:  # the sentence's own time is another year
            return None
        typed = satisfies_type(kind, c.text, standalone)
        if kind in STRICT_TYPES and not typed:
            return None
        rest = {t: w for t, w in weights.items() if t not in c.text.lower()}
        found = text_dates(nearby, today)
        return {
            "lexical": _coverage(weights, c.text) / total,
            "context": _coverage(rest, c.context) / total,
            "headline": _coverage(rest, source.title) / total,
            "typed": float(typed),
            "article": sum(w for group, w in grounding if any(t in article(c.n) for t in group)) / grounding_total,
            "subject": sum(t.lower() in nearby.lower() for t in named) / len(named) if named else 1.0,
            "time": float(bool(dates) and any(matches(d, f) for d in dates for f in found)),
            "rank": 1.0 / c.n,
            "position": 1.0 / (1.0 + max(c.key[2], 0) / 200),
            "brevity": 1.0 / (1.0 + len(c.text) / 60),
        }

    ranked = []
    for c in pool:
        if not c.text.strip() or _coverage(weights, c.text) == 0:
            continue
        for n, key, context in [(c.n, c.key, c.context), *c.copies]:  # grounded where it stands, or in a copy
            c.n, c.key, c.context = n, key, context
            found = features(c)
            if found is not None:
                c.features = found
                c.score = model.probability(found)
                ranked.append(c)
                break
    return sorted(ranked, key=lambda c: -c.score)


def short_span(question: str, sentence: str, today: date | None = None) -> tuple[str, str]:
    """(the span as the sentence writes it, the short answer) for a question: a name with its role, a
    number with its unit, a date (the short answer resolves it against the article's date), the list;
    for other questions the clause that shares most of the question's words."""
    kind = question_type(question)
    text = sentence.strip().rstrip("。！？；;!?")
    if kind == "when":
        asked = set(_CALENDAR.findall(question))
        written = next((d for d in _CALENDAR.findall(text) if d not in asked), "")
        relative = RELATIVE_DAY.search(text)
        written = written or (relative.group(0) if relative and today else "")
        if written:
            resolved = text_dates(written, today)
            return written, absolute(resolved[0]) if resolved else written
    if kind == "number":
        unit = asked_unit(question)
        stripped = _CALENDAR.sub(" ", text) if "年" not in unit else text
        for match in _AMOUNT.finditer(stripped):
            if match.group(0) not in question and (not unit or unit in match.group(0) or unit == "%"):
                return match.group(0), match.group(0)
    if kind in ("who", "role"):
        terms = content_terms(question)

        def nearness(name: str) -> int:  # the question's words just before the name: the subject near the span
            at = text.find(name)
            return sum(t in text[max(0, at - SUBJECT_WINDOW) : at] for t in terms)

        names = sorted(people_in(text) - people_in(question), key=text.find)
        if names:
            name = max(names, key=nearness)
            found = re.search(rf"(?:[\u4e00-\u9fff]{{0,6}}{TITLE_PATTERN})?{re.escape(name)}", text)
            return (found.group(0), found.group(0)) if found else (name, name)
    if kind == "where":
        places = [w for w, flag in pos_words(text) if flag in PLACE_FLAGS and len(w) > 1 and w not in question]
        if places:
            return places[0], places[0]
    if kind == "list":
        clause = max(_CLAUSE.findall(text), key=lambda c: c.count("、"), default="")
        if clause.count("、") >= 1 and "；" not in sentence:
            return clause.strip(), clause.strip()
        return "", text
    terms = content_terms(question)
    clauses = _CLAUSE.findall(text)
    if len(clauses) <= 1:
        return "", text
    best = max(clauses, key=lambda c: sum(t in c for t in terms))
    return "", best.strip()


def unsupported_terms(
    standalone: str,
    sources: Sequence[Source],
    article_text: Callable[[Source], str],
    in_corpus: Callable[[str], bool] = lambda term: True,
) -> list[str]:
    """Critical terms of the question that no single source article holds together (aliases the
    sources define count); [] when one does. The evidence check of the LLM backend."""
    critical = critical_terms(standalone, in_corpus)
    if not critical or not sources:
        return critical
    aliases, people, documents = _aliases(sources), people_in(standalone), _documents(sources)
    return min(
        (
            missing_terms(critical, s.title + "\n" + article_text(s), aliases, people, documents[s.source])
            for s in sources
        ),
        key=len,
    )


def _aliases(sources: Sequence[Source]) -> dict[str, set[str]]:
    """The short and full forms of names the sources define (第十五次缔约方大会（COP15））."""
    aliases: dict[str, set[str]] = {}
    for source in sources:
        for form, others in defined_aliases(source.text).items():
            aliases.setdefault(form, set()).update(others)
    return aliases


def _documents(sources: Sequence[Source]) -> dict[str, str]:
    """The retrieved text of each source document (a paper's page or file), to find the province it names;
    datelines aside (新华社北京…电 names where a wire story was filed, not the paper's province)."""
    documents: dict[str, str] = {}
    for s in sources:
        documents[s.source] = documents.get(s.source, "") + "\n" + _WIRE_DATELINE.sub("", s.title + "\n" + s.text)
    return documents
