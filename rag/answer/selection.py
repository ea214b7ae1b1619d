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

from collections.abc import Callable, Sequence

from rag.answer.dates import article_day, matches, text_dates
from rag.answer.extractive import (
    Candidate,
    Encode,
    Extracted,
    Key,
    Part,
    _coverage,
    _distinctive,
    cited_sentences,
    enough_parts,
    question_parts,
    similarities,
)
from rag.answer.model import AnswerModel, answer_model
from rag.answer.span import lead
from rag.cite import REFUSAL
from rag.types import Source

MAX_SENTENCES = 3  # a part's best sentence, and others of its article that the model says answer too
SHORTLIST = 6  # candidates scored with the dense feature (one encode call)
STRICT_TYPES = frozenset({"number", "when", "role", "list"})  # without such content a sentence cannot answer


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
    when fewer than half of its parts can be answered (`enough_parts`). Words that only one part uses
    weigh more in that part, and a part whose best sentence an earlier part already took adds the best
    sentence that holds what this part alone asks (队长 in "…出征仪式？…谁是代表团的队长？").
    """
    model = answer_model()
    parts = question_parts(standalone)
    by_n = {s.n: s for s in sources}
    chosen: dict[Key, Candidate] = {}
    answered: list[tuple[str, str, Source]] = []  # (question part, best sentence, its source)
    scored = scored_parts(question, standalone, sources, article_text, in_corpus, encode, model)
    for part, ranked in scored:
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
        answered.append((part if len(parts) > 1 else question, best.text, by_n[best.n]))
    if not enough_parts(len(answered), len(scored)):
        return Extracted(REFUSAL + "。", True)
    shown, short = lead(answered)
    return Extracted(shown + cited_sentences(chosen.values()), False, short)


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
    parts = Part.each(question, standalone, sources, article_text, in_corpus, STRICT_TYPES)
    shortlists = [_rank(part)[:SHORTLIST] for part in parts]
    _add_dense([part.text for part in parts], shortlists, encode)
    for shortlist in shortlists:
        for c in shortlist:
            c.score = model.probability(c.features)
        shortlist.sort(key=lambda c: -c.score)
    return [(part.text, shortlist) for part, shortlist in zip(parts, shortlists, strict=True)]


def _add_dense(parts: list[str], shortlists: list[list[Candidate]], encode: Encode | None) -> None:
    """The dense feature of every shortlisted candidate: one encode call for the parts and the sentences."""
    texts = list(dict.fromkeys(c.text for shortlist in shortlists for c in shortlist))
    if encode is None or not texts:
        for shortlist in shortlists:
            for c in shortlist:
                c.features["dense"] = 0.0
        return
    nearness = similarities(encode, parts, texts)
    column = {text: i for i, text in enumerate(texts)}
    for i, shortlist in enumerate(shortlists):
        for c in shortlist:
            c.features["dense"] = float(nearness[i, column[c.text]])


def _rank(part: Part) -> list[Candidate]:
    """The candidates that can answer one question part with their features (dense aside), best first by
    the model without its dense feature; [] when none can."""
    model = answer_model()
    weights, total, by_n, grounds = part.weights, part.total, part.by_n, part.grounds
    named = [t for t in grounds.critical if not t.startswith("副")] or list(grounds.people)

    def features(c: Candidate) -> dict[str, float] | None:
        """The candidate's features where it stands, or None when it cannot answer there."""
        source = by_n[c.n]
        if not grounds.article_holds(source, part.article(c.n)) or not grounds.sentence_fits(source, c.text, c.context):
            return None
        nearby = c.context + c.text
        typed = part.typed(c)
        if part.strict and not typed:
            return None
        rest = {t: w for t, w in weights.items() if t not in c.text.lower()}
        found = text_dates(nearby, article_day(source.date))
        return {
            "lexical": _coverage(weights, c.text) / total,
            "context": _coverage(rest, c.context) / total,
            "headline": _coverage(rest, source.title) / total,
            "typed": float(typed),
            "article": part.article_share(c.n),
            "subject": sum(t.lower() in nearby.lower() for t in named) / len(named) if named else 1.0,
            "time": float(bool(grounds.dates) and any(matches(d, f) for d in grounds.dates for f in found)),
            "rank": 1.0 / c.n,
            "position": 1.0 / (1.0 + max(c.key[2], 0) / 200),
            "brevity": 1.0 / (1.0 + len(c.text) / 60),
        }

    ranked = []
    for c in part.pool:
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
