"""The short answer: the span of a sentence that answers a question — a name with its role, a number
with its unit, a date (resolved against the article's date), the whole list — shown before the sentence."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import date

from rag.answer.dates import RELATIVE_DAY, RELATIVE_YEAR, absolute, article_day, text_dates
from rag.answer.question import asked_unit, asks_identity, content_terms, people_in, question_type
from rag.answer.slot import slot
from rag.cite import cited, supports
from rag.lexicon import ASKS_BYLINE, BODY, CREDIT, NUMBER, PLACE_FLAGS, TITLE_PATTERN, UNIT_FORMS
from rag.names import pos_words
from rag.types import Source

MAX_NAMED_SLOT = 20  # characters: a longer slot is a clause, from which the name or place is taken
SUBJECT_WINDOW = 12  # characters before a name in which the question's words mark it as the one asked for
_FUNCTION_FLAGS = frozenset({"d", "p", "c", "u", "uj", "ul", "ug", "uz", "uv", "ud", "y", "e"})  # jieba's
_CLAUSE = re.compile(r"[^，,；;。！？!?：:]+")
_CLAUSE_MARK = re.compile(r"[，,；;。！？!?：:（(“\"\s]")
_BEFORE_TITLE = re.compile(r"^.*[与和同及向对由为是在]")  # 刘越高还与(…厅长): the words before a title's body
_CALENDAR = re.compile(r"\d{4}年(?:\d{1,2}月)?(?:\d{1,2}[日号])?|\d{1,2}月(?:\d{1,2}[日号])?|\d{1,2}[日号]")
_AMOUNT = re.compile(rf"{NUMBER}\s*(?:[%％]|[\u4e00-\u9fff]{{0,1}}[元人岁度个项次家位名条年天倍吨米亿万])")


def _own_amount(text: str, start: int, amount: str) -> str:
    """The amount found at `start` without a first numeral jieba reads as the end of the word before it:
    一个 of 唯一一个 (唯一/一个), not 一一个; 十五次 of 第十五次 stays whole."""
    ends = set(itertools.accumulate(len(word) for word, _ in pos_words(text)))
    rest = amount[1:]
    return rest if start + 1 in ends and start not in ends and re.match(NUMBER, rest) else amount


def lead(answered: list[tuple[str, str, Source]]) -> tuple[str, str]:
    """For each (question part, its best sentence, that sentence's source): the spans, cited, to show
    before the sentences (a span the source does not hold word for word is not shown), and the short
    answer, the parts' short answers joined by ；."""
    spans: list[tuple[str, str, Source]] = []  # (the span as written, the short answer, its source)
    for part, sentence, source in answered:
        written, short = short_span(part, sentence, article_day(source.date))
        if short and all(short != s for _, s, _ in spans):
            spans.append((written, short, source))
    shown = "".join(cited(w, s.n) for w, _, s in spans if w and supports(w, s.title + "\n" + s.text))
    return shown, "；".join(short for _, short, _ in spans)


def short_span(question: str, sentence: str, today: date | None = None) -> tuple[str, str]:
    """(the span as the sentence writes it, the short answer) for a question: a number with its unit, a
    date (the one in the slot, else the one nearest the question's words; the short answer resolves it
    against the article's date), the list; for a role, and for who a named person is, the titles
    before the name; for who/where/role the slot where the question word stands, else the name with
    its title or the place nearest the question's words; the sentence for why/how/what-is/whether;
    for other questions the slot (not shown before the sentence) or the sentence."""
    kind = question_type(question)
    text = sentence.strip().rstrip("。！？；;!?")
    terms = content_terms(question)

    def nearness(at: int) -> int:  # the question's words just before a span: the subject near it
        return sum(t in text[max(0, at - SUBJECT_WINDOW) : at] for t in terms)

    if kind == "when":
        asked = set(_CALENDAR.findall(question))
        dates = [m for m in _CALENDAR.finditer(text) if m.group(0) not in asked]
        found = slot(question, text)
        in_slot = [m for m in dates if m.group(0) in found]  # the date where the question word stands
        best = in_slot[0] if in_slot else max(dates, key=lambda m: nearness(m.start()), default=None)
        relative = RELATIVE_DAY.search(text) or RELATIVE_YEAR.search(text)
        written = best.group(0) if best else (relative.group(0) if relative and today else "")
        if written:
            resolved = text_dates(written, today)
            return written, absolute(resolved[0]) if resolved else written

    def near(word: str) -> int:
        return nearness(text.find(word))

    if kind == "number":
        unit = asked_unit(question)
        stripped = _CALENDAR.sub(lambda m: " " * len(m.group(0)), text) if "年" not in unit else text
        amounts = [
            m
            for m in _AMOUNT.finditer(stripped)
            if m.group(0) not in question and (not unit or re.search(UNIT_FORMS.get(unit, re.escape(unit)), m.group(0)))
        ]
        if amounts:
            best = max(amounts, key=lambda m: nearness(m.start()))  # the first of the nearest
            amount = _own_amount(stripped, best.start(), best.group(0))
            return amount, amount
    if kind == "role" or (kind == "who" and asks_identity(question)):  # a title stands before the name
        titled = next((t for name in sorted(people_in(question)) if (t := _title_before(name, text))), "")
        if titled:
            return titled, titled
    if kind in ("who", "role", "where"):
        text = text if ASKS_BYLINE.search(question) else CREDIT.sub("", text)  # the reporter does not answer
        found = slot(question, text)
        if found and len(found) <= MAX_NAMED_SLOT and _names_something(found):  # where the question word stands
            title = re.search(rf"{TITLE_PATTERN}$", text[: text.find(found)]) if kind == "who" else None
            span = (title.group(0) if title else "") + found  # with the title the sentence puts before it
            return span, span
        named = _named(kind, text, question, near)
        if named:
            return named, named
    if kind == "list":
        clause = max(_CLAUSE.findall(text), key=lambda c: c.count("、"), default="")
        if clause.count("、") >= 1 and "；" not in sentence:
            return clause.strip(), clause.strip()
        return "", text
    if kind in ("reason", "method", "definition", "yesno"):  # a sentence answers why, how, what is, whether
        return "", text
    found = slot(question, text)  # not shown before the sentence: an untyped slot may be a fragment
    return "", found if found and _names_something(found) else text


def _names_something(span: str) -> bool:
    """Whether a span holds more than function words: adverbs, prepositions, conjunctions and particles
    (进一步, 所为) name no one and nothing."""
    return any(flag not in _FUNCTION_FLAGS for _, flag in pos_words(span))


def _named(kind: str, text: str, question: str, near: Callable[[str], int]) -> str:
    """The person (with the title before the name) or the place in `text` the question asks for: the one
    the question's words stand nearest to (`near` scores a word by them); "" when `text` names none."""
    if kind == "where":
        places = [w for w, flag in pos_words(text) if flag in PLACE_FLAGS and len(w) > 1 and w not in question]
        return max(places, key=near, default="")
    names = sorted(people_in(text) - people_in(question), key=text.find)
    if not names:
        return ""
    name = max(names, key=near)
    found = re.search(rf"(?:[\u4e00-\u9fff]{{0,6}}{TITLE_PATTERN})?{re.escape(name)}(?:[·・][\u4e00-\u9fff]+)*", text)
    return found.group(0) if found else name


def _title_before(name: str, text: str) -> str:
    """The titles `text` writes just before `name` (长沙海关党委书记、关长 before 朱光耀), from the body
    they belong to (省应急管理厅厅长, not 刘越高还与…); "" when no title stands there."""
    for found in re.finditer(re.escape(name), text):
        clause = _CLAUSE_MARK.split(text[: found.start()])[-1]
        if re.search(rf"{TITLE_PATTERN}$", clause):
            bodies = [at for at in range(len(clause)) if BODY.match(clause, at)]  # the last: 市长王强还与省林业厅
            return clause[bodies[-1] :] if bodies else _BEFORE_TITLE.sub("", clause)
    return ""
