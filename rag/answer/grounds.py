"""Whether a sentence can answer a question where it stands: the checks both extractive answerers share.

The sentence's article must name what the question is about (its topic), what its demonstratives
point to (鱼 of 此鱼) and what it counts (光塔 of 有多少…的光塔), and hold every critical term of the
question (a name, a Latin word, a deputy title, a government body), where a term may match an alias
or an abbreviation the sources define and a province the paper's own 我省/全省, and every quantity the
question states (连续31天); a date the question states must match a date of the article (partial and
relative dates resolved against the article's date); a year the question states must not be
contradicted by the sentence's own year; a superlative asked (投资最大) must be stated; and for a strict
question type (a number, a date …) a numbered meeting the question names must be named in the
sentence or the one before it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rag.answer.dates import article_day, matches, stated_years, text_dates
from rag.answer.quantities import stated_quantities, states_quantity
from rag.answer.question import (
    abbreviates,
    asked_dates,
    counted_thing,
    critical_terms,
    defined_aliases,
    event_names,
    missing_terms,
    people_in,
    referents,
    topic,
    unglued,
)
from rag.lexicon import ASKS_SUPERLATIVE, SAME_MEANING, STATES_SUPERLATIVE, WIRE_DATELINE
from rag.types import Source


@dataclass
class Grounds:
    """What one question (part) asks of an answer's article and sentence; `article` reads an article's text."""

    kind: str
    critical: list[str]
    aliases: dict[str, set[str]]
    people: set[str]
    documents: dict[str, str]
    dates: list
    years: set[int]
    events: list[str]
    superlative: bool
    strict_types: frozenset[str]
    topic: str
    things: list[str]
    quantities: list[str]

    @classmethod
    def of(
        cls,
        kind: str,
        standalone: str,
        sources: Sequence[Source],
        article_text: Callable[[Source], str],
        in_corpus: Callable[[str], bool],
        strict_types: frozenset[str],
        context: str = "",
    ) -> Grounds:
        """`context`: the whole question when this is one of its parts, whose names the part's article must
        hold too (该区间的全长是多少米 asks about the 12号线 the part before it names)."""
        dates = asked_dates(standalone)
        critical = critical_terms(standalone, in_corpus)
        return cls(
            kind=kind,
            critical=critical + [t for t in critical_terms(context, in_corpus) if t not in critical]
            if context
            else critical,
            aliases=source_aliases(sources),
            people=people_in(standalone),
            documents=source_documents(sources, article_text),
            dates=dates,
            years={y for y, m, d in dates if y and not m and not d},
            events=event_names(standalone),
            superlative=bool(ASKS_SUPERLATIVE.search(standalone)),
            strict_types=strict_types,
            topic=source_topic(standalone, sources),
            things=referents(standalone) + [t for t in [counted_thing(standalone)] if t],
            quantities=stated_quantities(standalone),
        )

    def holds_word(self, word: str, article: str) -> bool:
        """The (lower-cased) article holds a word of the question, a word of the same meaning (别称 for
        别名) or a form the sources define for it."""
        lowered = word.lower()
        return (
            lowered in article
            or any(same in article for same in SAME_MEANING.get(lowered, ()))
            or any(
                form.lower() in article
                for key, forms in self.aliases.items()
                if key.lower() == lowered
                for form in forms
            )
        )

    def holds_topic(self, source: Source, article: str) -> bool:
        """Whether the article (lower-cased) names what the question is about (`topic`: 牡蒿 of "牡蒿在什么季节
        开花？"), as written, by a word of the same meaning, an alias the sources define, the paper's 我省
        or written out in full (文革 for 文化大革命); sources that never name it answer about something else."""
        return (
            not self.topic
            or self.holds_word(self.topic, article)
            or abbreviates(self.topic, article, min_length=2)
            or not missing_terms([self.topic], article, self.aliases, self.people, self.documents[source.source])
        )

    def article_holds(self, source: Source, article: str) -> bool:
        """The article (title and text, lower-cased) holds the question's critical terms, names its topic
        (`holds_topic`) and the things it points to or counts (鱼 of 此鱼, 光塔 of 有多少…的光塔), and holds
        the quantities it states (连续31天) and its dates."""
        if missing_terms(self.critical, article, self.aliases, self.people, self.documents[source.source]):
            return False
        if not self.holds_topic(source, article) or not all(self.holds_word(t, article) for t in self.things):
            return False
        if not all(states_quantity(q, article) for q in self.quantities):
            return False
        today = article_day(source.date)
        return not self.dates or any(any(matches(d, f) for f in text_dates(article, today)) for d in self.dates)

    def sentence_fits(self, source: Source, sentence: str, context: str) -> bool:
        """The sentence (after `context`, the one before it) names the asked meeting (`names_event`) when
        the type is strict, states no other year than the asked one, and a superlative when one is asked
        (投资最大)."""
        nearby = context + sentence
        if self.kind in self.strict_types and any(not names_event(event, nearby) for event in self.events):
            return False
        if self.superlative and not STATES_SUPERLATIVE.search(sentence):
            return False
        own_years = stated_years(sentence, article_day(source.date))
        return not (self.years and own_years and not own_years & self.years)


def names_event(event: str, text: str) -> bool:
    """Whether the text names the meeting, as the question writes it or in full (十四届全国人大一次会议 in
    第十四届全国人民代表大会第一次会议)."""
    return event in text or abbreviates(event, text)


def unsupported_terms(
    standalone: str,
    sources: Sequence[Source],
    article_text: Callable[[Source], str],
    in_corpus: Callable[[str], bool] = lambda term: True,
) -> list[str]:
    """What the question states that no single source article holds together: its critical terms
    (aliases the sources define count), its topic, the things it points to or counts and the quantities
    it states (`article_holds`); [] when one article holds it all. The evidence check of the LLM backend."""
    grounds = Grounds.of("", standalone, sources, article_text, in_corpus, frozenset())

    def lacking(source: Source | None, article: str) -> list[str]:
        document = grounds.documents.get(source.source, "") if source else ""
        missing = missing_terms(grounds.critical, article, grounds.aliases, grounds.people, document)
        if grounds.topic and grounds.topic not in missing and not (source and grounds.holds_topic(source, article)):
            missing.append(grounds.topic)
        missing += [t for t in grounds.things if not grounds.holds_word(t, article)]
        return missing + [q for q in grounds.quantities if not states_quantity(q, article)]

    articles = [(s, (s.title + "\n" + article_text(s)).lower()) for s in sources]
    return min((lacking(s, article) for s, article in articles), key=len) if articles else lacking(None, "")


def source_topic(question: str, sources: Sequence[Source]) -> str:
    """The question's `topic`, without a character jieba glued to it when only the rest is in the sources."""
    return unglued(topic(question), "\n".join(s.title + "\n" + s.text for s in sources).lower(), question)


def source_aliases(sources: Sequence[Source]) -> dict[str, set[str]]:
    """The short and full forms of names the sources define (第十五次缔约方大会（COP15））."""
    aliases: dict[str, set[str]] = {}
    for source in sources:
        for form, others in defined_aliases(source.text).items():
            aliases.setdefault(form, set()).update(others)
    return aliases


def source_documents(sources: Sequence[Source], article_text: Callable[[Source], str]) -> dict[str, str]:
    """The text of the source articles of each document (a paper's page or file), to find the province it
    names; datelines aside (新华社北京…电 names where a wire story was filed, not the paper's province)."""
    articles: dict[str, dict[str, str]] = {}
    for s in sources:
        articles.setdefault(s.source, {}).setdefault(s.article_id, s.title + "\n" + article_text(s))
    return {doc: WIRE_DATELINE.sub("", "\n".join(texts.values())) for doc, texts in articles.items()}
