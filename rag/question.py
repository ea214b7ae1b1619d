"""Question analysis: what kind of answer a question wants, and which of its terms must be found."""

from __future__ import annotations

import re
from collections.abc import Callable

from rag.lexical import tokenize
from rag.names import pos_words

_TYPES = (
    ("role", re.compile(r"什么职务|什么职位|担任什么|什么身份|哪个职务")),
    ("list", re.compile(r"哪些|哪几|有什么.{0,4}(?:项目|措施|部门|单位)|哪四|哪三|哪两|哪五|哪六|哪七")),
    ("number", re.compile(r"多少|几[个项次家位名人条年天]|几$|多大|多高|多长|多少钱|百分之几|比例")),
    ("when", re.compile(r"何时|哪天|哪一天|什么时候|哪年|哪月|几月|几号|几日|何日|哪个月")),
    ("who", re.compile(r"谁|哪位|哪个人|什么人|哪名")),
    ("where", re.compile(r"哪里|哪儿|何地|在哪|哪个城市|哪座城市|什么地方")),
)
_DATE = re.compile(r"\d{1,4}年(?:\d{1,2}月)?(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日|\d{1,2}日")
_ROLE = re.compile(
    r"副?(?:党组书记|党委书记|书记|厅长|局长|关长|市长|县长|区长|省长|部长|主任|主席|秘书长|董事长|总经理|发言人)"
)
_PROVINCIAL_BODY = re.compile(r"省[\u4e00-\u9fff]{2,10}?(?:委员会|厅|局|办公室)")
_EXCLUSION = re.compile(r"除[^，,。；;]{1,40}?外")
_NAME_FLAGS = {"nr", "nrfg", "nrt", "ns", "nz", "eng"}
_BROAD_PLACE = re.compile(r"省$|^(?:中国|全国|我国|湖南|全省|全市)$")  # the paper writes 我省/全省 for these
_EVENT = re.compile(
    r"[一二三四五六七八九十百\d]+届[一二三四五六七八九十\d]+次(?:全体)?会议"
    r"|第[一二三四五六七八九十百\d]+次[\u4e00-\u9fff]{0,4}会议"
)
_SUPERLATIVE = re.compile(r"最(?:大|多|高|早|晚|少|小|低|长|短|快)")
_YEAR = re.compile(r"^\d{4}年")  # articles often leave the year out: "8月18日" for "2023年8月18日"
_ASKS_DAY = re.compile(r"哪天|哪一天|几号|几日|何日")
_CREDIT = re.compile(r"[（(][^）)]{0,30}记者[^）)]{0,30}[）)]")
_PERSON_FLAGS = frozenset({"nr", "nrfg", "nrt"})
_NOT_IN_NAMES = re.compile(r"[哪些跟与去了的在是什么谁]")
ROLE_WORDS = _ROLE
_ASKING_WORDS = frozenset("其中 分别 具体 主要 哪位 哪家 哪项 哪种 哪名 哪次 哪年 哪月".split())  # ask, do not describe
_CALENDAR = re.compile(  # dates and times, which do not answer "how many"
    r"\d{4}年(?:\d{1,2}月)?(?:\d{1,2}日)?|\d{1,2}月(?:\d{1,2}[日号])?|\d{1,2}[日号]|\d{1,2}时(?:\d{1,2}分)?"
)

_ASKS_SPAN = re.compile(r"(?:多少|几)个?(?:年|月|日|天|号|小时|分钟)")  # a span in calendar units: 2200年 answers


def question_type(question: str) -> str:
    """role, list, number, when, who, where, or factoid."""
    for name, pattern in _TYPES:
        if pattern.search(question):
            return name
    return "factoid"


def content_terms(question: str) -> list[str]:
    """The question's searchable words (jieba search mode, without question/function words)."""
    return [t for t in dict.fromkeys(tokenize(question)) if t not in _ASKING_WORDS]


def critical_terms(question: str, in_corpus: Callable[[str], bool] = lambda term: True) -> list[str]:
    """Terms an answer's article must contain: names, Latin words (GDP), dates (without the year), deputy roles and
    provincial bodies. jieba tags some common words as names (惠民 as a person), so a name the
    corpus does not know counts only when it looks like a full personal name (three characters)."""
    terms = []
    for word, flag in pos_words(question):
        if flag not in _NAME_FLAGS or len(word) < 2 or (flag == "ns" and _BROAD_PLACE.search(word)):
            continue
        if flag != "eng" and not in_corpus(word) and not (flag.startswith("nr") and len(word) == 3):
            continue
        terms.append(word)
    terms += [day for day in (_YEAR.sub("", d) for d in _DATE.findall(question)) if day]
    terms += [m.group(0) for m in _ROLE.finditer(question) if m.group(0).startswith("副")]
    terms += [body for body in _PROVINCIAL_BODY.findall(question) if not _NOT_IN_NAMES.search(body)]
    return list(dict.fromkeys(t for t in terms if t))


def event_names(question: str) -> list[str]:
    """Numbered events a question is about (十三届二次会议, 第十二次主席会议): the answer sentence or the
    one before it must name the same event, or it answers about another meeting."""
    return _EVENT.findall(question)


def asks_superlative(question: str) -> bool:
    return bool(_SUPERLATIVE.search(question))


def missing_terms(terms: list[str], text: str) -> list[str]:
    """Terms absent from a text; a mention inside an exclusion (除……外) does not count."""
    kept = _EXCLUSION.sub("", text)
    return [t for t in terms if t.lower() not in kept.lower()]


def satisfies_type(kind: str, sentence: str, question: str = "") -> bool:
    """Whether a sentence has the kind of content a question type asks for, beyond what the question says."""
    if kind == "number":
        asked = set(re.findall(r"\d+(?:\.\d+)?", question))
        counted = sentence if _ASKS_SPAN.search(question) else _CALENDAR.sub("", sentence)
        numbers = set(re.findall(r"\d+(?:\.\d+)?", counted)) - asked
        return bool(numbers or re.search(r"[一二三四五六七八九十百千万两]+[个项次家位名人条亿万年]", sentence))
    if kind == "when":
        dates = set(_DATE.findall(sentence)) - set(_DATE.findall(question))
        if _ASKS_DAY.search(question):
            return any(re.search(r"\d{1,2}[日号]$", d) for d in dates)
        return bool(dates or re.search(r"(?:上午|下午|今年|明年|去年|\d+—\d+)", sentence))
    if kind == "list":
        return bool(re.search(r"[、和及与]", sentence)) or sentence.count("，") + sentence.count(",") >= 2
    if kind == "role":
        return bool(_ROLE.search(sentence))
    if kind == "who":
        body = sentence if "记者" in question else _CREDIT.sub("", sentence)
        asked = {word for word, flag in pos_words(question) if flag in _PERSON_FLAGS}
        return any(flag in _PERSON_FLAGS and word not in asked for word, flag in pos_words(body))
    if kind == "where":
        return any(flag == "ns" for _, flag in pos_words(sentence))
    return True
