"""Question analysis: the answer type, the asked unit, the searchable words and the terms that must be found.

Types: who, where, when, number (with the asked unit: 岁, 度, 元, 人, % …), list (哪些: the whole
list), role, reason (为什么), method (怎么), yesno (是否), definition (什么是X: the sentence opening with
X defines it), or factoid (the rest). A
keyword question without a question word (北京冬奥会开幕日期, 电影的主演) is typed by its head noun.
Critical terms (names, Latin words, works in 《》, the names a question opens with, deputy titles,
government bodies) must be in the answer's article, where a term may match an alias or an
abbreviation the sources define, and a province the paper's own 我省/全省 (`rag.answer.grounds`).
The noun naming the kind of answer (哪所大学) need not be found.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping

from rag.answer.dates import RELATIVE_DAY, Day, stated_dates
from rag.lexical import tokenize
from rag.lexicon import (
    BODY,
    CREDIT,
    GLUED,
    HEAD_NOUNS,
    NUMBER,
    OWN_PROVINCE,
    OWN_REGION,
    PERIOD,
    PERSON_FLAGS,
    PLACE_FLAGS,
    PLACE_PHRASE,
    PROVINCES,
    QUESTION_WORD,
    ROLE,
    TITLE,
    UNIT_FORMS,
    UNIT_NOUNS,
    UNITS,
)
from rag.names import in_dictionary, pos_words

_TYPES = (
    ("role", re.compile(r"什么职务|什么职位|担任什么|什么身份|哪个职务")),
    ("list", re.compile(r"哪些|哪几|有什么.{0,4}(?:项目|措施|部门|单位)|哪[两三四五六七八九十]")),
    ("number", re.compile(r"多少|几[个项次家位名人条年天岁度元倍种类所座届场]|几$|多[大高长远重久]|百分之几|比例")),
    ("when", re.compile(r"何时|哪天|哪一天|什么时候|什么时间|哪年|哪一年|哪月|几月|几号|几日|何日|哪个月|哪一年")),
    ("who", re.compile(r"谁|哪位|哪个人|什么人|哪名")),
    ("where", re.compile(r"哪里|哪儿|何地|在哪|哪个城市|哪座城市|什么地方|哪个国家|哪个省")),
    # 为什么 ending a question after 称/叫/名 asks what it is called (又被称之为什么？), not why (这是为什么？)
    ("reason", re.compile(r"(?<![称叫名之作成])为什么|为什么(?![？?。\s]*$)|为何|什么原因|原因是什么|因为什么")),
    ("method", re.compile(r"怎么|如何|怎样|通过什么方式|采取了什么")),
    ("yesno", re.compile(r"是否|有没有|是不是|能不能|能否|吗[？?]?$")),
    ("definition", re.compile(r"^(?:什么是|何谓)|^[^，,的]{2,20}?是什么(?:意思)?[？?]?$")),
)
_EVENT = re.compile(  # a numbered meeting: 十三届二次会议, 十六届人大二次会议, 第十二次主席会议
    r"[一二三四五六七八九十百\d]+届[\u4e00-\u9fff]{0,4}?[一二三四五六七八九十\d]+次(?:全体)?会议"
    r"|第[一二三四五六七八九十百\d]+次[\u4e00-\u9fff]{0,4}会议"
)
_ASKING_WORDS = frozenset("其中 分别 具体 主要 哪位 哪家 哪项 哪种 哪名 哪次 哪年 哪月".split())  # ask, do not describe
_HEAD_NAME_FLAGS = PERSON_FLAGS | PLACE_FLAGS | {"nt", "nz", "eng", "j"}
_OPENING_FLAGS = {"m", "t", "x", "p"}  # numbers and times (2008年), punctuation, 在
_DEFINED = re.compile(r"^(?:什么是|何谓)|是什么(?:意思)?[？?]?$|[？?]$")
_WH_WORDS = frozenset("什么 哪 哪个 哪些 哪一 哪种 哪类 哪家 哪所 哪座 哪位 哪条 哪项".split())
_WORK_TITLE = re.compile(r"《([^《》]{1,30})》")
_CODE = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z]{1,6}[-/]?\d{1,5}[A-Za-z0-9]*|[A-Z](?:\.[A-Z])+\.?)(?![A-Za-z0-9])")
_CHAR_FLAGS = {"n", "g", "ng", "vg"}  # what jieba tags the characters of a name it does not know
_SUBJECT_FLAGS = {"n", "nr", "nrfg", "nrt", "ns", "nt", "nz", "eng", "j", "ng", "nl", "an"}  # nouns and names
_PREPOSITIONS = ("在", "从", "自", "到", "于", "当")  # 在此期间 is one word to jieba
_TIME_END = re.compile(r"(?:[年月日时]|期间|以来|[前后])\s*$")  # a clause of numbers ending so is a time
_DOCUMENT_WORDS = frozenset("标题 题目 大标题 报道 文章 本文 新闻 稿件 记者 作者".split())  # not what it reports
_ABOUT = frozenset("对于 关于 至于".split())  # …but 对于X的关系，专家们… is about X
_ADVERBIAL_ASKING = frozenset("为什么 为何 怎么 如何 怎样 请问".split())  # ask how or why, not what the subject is
_NAME_FLAGS = PERSON_FLAGS | PLACE_FLAGS | {"nz", "eng"}
_GIVEN_NAME_FLAGS = {"n", "nr", "nz", "ng", "v", "vg", "vn", "a", "ag"}  # 建成 (v), 巨峰 (nr): a given name
_EXCLUSION = re.compile(r"除[^，,。；;]{1,40}?外")
_DEMONSTRATIVES = ("此", "该")  # 此鱼, 该剧, 该机场: the thing named before
_NOT_THINGS = frozenset("次时后外处前")  # 此次, 此时, 此后, 此外, 此处, 此前: a time, a place or a count
_NAMED_BATTLE = re.compile(r"[\u4e00-\u9fff]{2,}(?:之战|之役|战役|会战|起义|惨案)$")  # 井手之战, 淮海战役
_ASKS_IDENTITY = re.compile(r"是谁[？?]?\s*$")
_LISTING_VERBS = frozenset("是 有 包括".split())  # X是什么, X有哪些: X names the kind of answer
_BEFORE_AMOUNT = frozenset("约 大约 是 为 有 达 共 一共 总共 大概".split())  # between a measure and 多少
_ASKS_PLACE_NAME = re.compile(r"哪[个座一]?(?:城市|国家|省|县|市)")  # not 在哪个会议上, 在哪部电影中
_ASKS_DAY = re.compile(r"哪天|哪一天|几号|几日|何日|日期|开幕日")
_ASKS_YEAR = re.compile(r"哪年|哪一年|何年|年份")
_NOT_IN_NAMES = re.compile(r"[哪些跟与去了的在是什么谁]")
_CALENDAR = re.compile(  # dates and times, which do not answer "how many"
    r"\d{4}年(?:\d{1,2}月)?(?:\d{1,2}日)?|\d{1,2}月(?:\d{1,2}[日号])?|\d{1,2}[日号]|\d{1,2}时(?:\d{1,2}分)?"
)
_DATE_STAMP = re.compile(r"\d{4}年(?:\d{1,2}月)?(?:\d{1,2}[日号])?|\d{1,2}月\d{1,2}[日号]")  # a day, not a span
_ASKS_SPAN = re.compile(r"(?:多少|几)个?(?:年|月|日|天|号|小时|分钟)|多久")  # a span in calendar units: 2200年 answers
_NUMERAL = re.compile(r"\d+(?:\.\d+)?")
_IS_A = re.compile(r"是一(?=[个种类位名座家项件条所只张本部])")  # 是一个, 是一种: "is a", not a count
_COUNTED = re.compile(rf"{NUMBER}\s*(?:{'|'.join(sorted(map(re.escape, UNITS), key=len, reverse=True))})")
_FORMED_UNITS = "|".join(sorted(map(re.escape, {*UNIT_FORMS, *UNITS, "个百分点"}), key=len, reverse=True))
_ASKED_UNIT = re.compile(rf"(?:多少|几)(?:[十百千万亿]+)?({_FORMED_UNITS})")  # 多少亿美元 counts in 美元
_TRAILING = re.compile(r"[\s？?。！!]+$|(?:是|为|是什么|是多少|有哪些)[\s？?。]*$")
_REASON = re.compile(r"因为|由于|原因|为了|因此|所以|导致|旨在|出于|以便|是为")
_METHOD = re.compile(r"通过|采取|采用|方式|方法|措施|办法|利用|依靠|借助|步骤")
_LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9]")
MAX_LISTED_CLAUSE = 12  # characters: a longer clause between commas says something, it lists nothing
_JOINERS = frozenset("和 与 及 以及 或".split())  # words that join the items of a list
_ALIAS = re.compile(
    r"([^\s，。；、：:（）()“”\"]{2,30})[（(](?:以下)?(?:简称)?[“\"]?([A-Za-z0-9\u4e00-\u9fff]{2,12})[”\"]?[）)]"
)


def question_type(question: str) -> str:
    """role, list, number, when, who, where, reason, method, yesno, definition (什么是X), or factoid; a
    question without a question word takes the type of its head noun (…的主演 → who, …日期 → when)."""
    for name, pattern in _TYPES:
        if pattern.search(question):
            return name
    head = _TRAILING.sub("", question.strip())
    return next((name for name, pattern in HEAD_NOUNS if pattern.search(head)), "factoid")


def asks_identity(question: str) -> bool:
    """Whether the question asks who a person it names is (朱光耀是谁？), whose answer is a title or a
    description, not a name (谁是…, 秘书长是谁 ask for a name)."""
    found = _ASKS_IDENTITY.search(question)
    words = pos_words(question[: found.start()]) if found else ()
    return bool(words) and words[-1][1] in PERSON_FLAGS  # the person is the subject, not 朱健的秘书


def asks_place_name(question: str) -> bool:
    """Whether the question asks for a place by its name (哪个城市, 哪个国家, 哪个省): then a sentence that
    names no place cannot answer it. Other where-questions (在哪里任职, 在哪部电影中) may be answered by a
    body, a work or an occasion."""
    return question_type(question) == "where" and _ASKS_PLACE_NAME.search(question) is not None


def typing_question(question: str, standalone: str) -> str:
    """The words whose type an answer must have: the question as asked when it asks a type ("其中衡东县有
    几个？"), else its standalone form (a follow-up's earlier words must not set the asked unit)."""
    return question if question_type(question) != "factoid" else standalone


def content_terms(question: str) -> list[str]:
    """The question's searchable words (jieba search mode, without question/function words, nor a word
    found only inside a question phrase: 一年 of 哪一年)."""
    asking = [m.span() for m in QUESTION_WORD.finditer(question)]

    def only_asks(term: str) -> bool:
        places = [m.start() for m in re.finditer(re.escape(term), question)]
        return bool(places) and all(any(a <= p and p + len(term) <= b for a, b in asking) for p in places)

    return [t for t in dict.fromkeys(tokenize(question)) if t not in _ASKING_WORDS and not only_asks(t)]


def event_names(question: str) -> list[str]:
    """Numbered events a question is about (十三届二次会议, 第十二次主席会议): the answer sentence or the
    one before it must name the same event, or it answers about another meeting."""
    return _EVENT.findall(question)


def referents(question: str) -> list[str]:
    """The things a demonstrative points back to (鱼 of 此鱼, 剧 of 该剧, 机场 of 在该机场运行): the question is
    about such a thing, so an article that never names one answers about something else. A demonstrative
    of time, place or count (此后, 此处, 此次) points to no thing."""
    words = pos_words(question)
    found = []
    for i, (word, flag) in enumerate(words):
        if word in _DEMONSTRATIVES and i + 1 < len(words) and words[i + 1][1].startswith("n"):
            found.append(words[i + 1][0])
        elif len(word) == 2 and word[0] in _DEMONSTRATIVES and flag in ("r", "v") and word[1] not in _NOT_THINGS:
            found.append(word[1])
    return found


def asked_category(question: str) -> set[str]:
    """The nouns that name what kind of answer is wanted — 大学 in "毕业于哪所大学", 地方 in "位于什么地方",
    职业 in "他的职业是什么", 著作 in "他的著作有哪些" — which the answer's article need not write."""
    tagged = pos_words(question)
    words, flags = [w for w, _ in tagged], [f for _, f in tagged]
    category = set()
    for i, word in enumerate(words):
        if word in _WH_WORDS:
            j = i + 1
            while j < len(words) and flags[j][:1] in "umq" and len(words[j]) <= 2:  # a classifier: 所, 一类, 个
                j += 1
            if j < len(words) and flags[j].startswith("n"):
                category.add(words[j])
        ends_asking = words[i + 1 : i + 2] in (["什么"], ["哪些"]) and all(f == "x" for f in flags[i + 2 :])
        if word in _LISTING_VERBS and i > 0 and flags[i - 1].startswith("n") and ends_asking:  # 他的职业是什么？
            category.add(words[i - 1])  # …的著作有哪些？
    return category


def asked_measure(question: str) -> set[str]:
    """The noun a number question measures (长度 in "果实的长度约是多少厘米", 人口 in "北京的人口有多少"):
    the noun after 的 just before 多少/几, unless a person (的王健林有多少股份). It says what is asked,
    so it is no name the article must hold (jieba tags 长度 as a place)."""
    tagged = pos_words(question)
    words, flags = [w for w, _ in tagged], [f for _, f in tagged]
    measured = set()
    for i, word in enumerate(words):
        if word in ("多少", "几"):
            j = i - 1
            while j > 0 and words[j] in _BEFORE_AMOUNT:
                j -= 1
            if j > 0 and words[j - 1] == "的" and flags[j].startswith("n") and flags[j] not in PERSON_FLAGS:
                measured.add(words[j])
    return measured


def counted_thing(question: str) -> str:
    """What a number question counts when it ends on it (光塔 of "有多少穆斯林统治时期的光塔？", 项目 of
    "签约了多少个项目？"): the noun closing the question right after 多少/几, a measure word or a 的
    that follows them; "" when there is none, or it is a unit (多少平方公里). An article that never
    names the thing cannot say how many there are."""
    words = [(w, f) for w, f in pos_words(question) if f != "x"]  # punctuation aside
    amount = max((i for i, (w, _) in enumerate(words) if w in ("多少", "几")), default=-1)
    if amount < 0 or amount + 1 >= len(words):
        return ""
    word, flag = words[-1]
    before = words[-2][0] if len(words) >= 2 else ""
    after_amount = len(words) - 1 == amount + 1 or words[-2][1] == "q" or before == "的"
    if flag in _SUBJECT_FLAGS and len(word) >= 2 and word not in UNITS and after_amount:
        return word
    return ""


def asked_unit(question: str) -> str:
    """The unit a number question counts in (多少岁 → 岁, 气温 → 度, 票价 → 元, 人数 → 人, 比例 → %), or ""."""
    direct = _ASKED_UNIT.search(question)
    if direct:
        return direct.group(1)
    return next((unit for pattern, unit in UNIT_NOUNS if pattern.search(question)), "")


def head_names(question: str) -> list[str]:
    """The names a question opens with, its topic (卡塞雷斯 in "卡塞雷斯的陆地面积是多大？", 吉斯 and 伯恩 in
    "2008年，吉斯伯恩大区…"): consecutive proper-name words, and a run of three or more single
    characters jieba cannot join (an unknown name: 萱侬律), after an opening time phrase; a surname with
    the word after it (宋建成, which jieba cuts 宋/建成)."""
    words = pos_words(question)
    i = 0
    while i < len(words) and words[i][1] in _OPENING_FLAGS:
        i += 1
    opens_clause = i == 0 or words[i - 1][1] == "x"  # not 艾 of 五月艾
    if opens_clause and i + 1 < len(words) and len(words[i][0]) == 1 and words[i][1] in PERSON_FLAGS:
        given, flag = words[i + 1]
        if len(given) <= 2 and flag in _GIVEN_NAME_FLAGS:  # 宋/建成: a surname and a given name jieba does not know
            return [words[i][0] + given]
    names, unknown = [], ""
    while i < len(words) and (
        words[i][1] in _HEAD_NAME_FLAGS or (len(words[i][0]) == 1 and words[i][1] in _CHAR_FLAGS)
    ):
        word = words[i][0]
        if len(word) == 1:
            unknown += word
        else:
            names += [unknown] if len(unknown) >= 3 else []
            names.append(word)
            unknown = ""
        i += 1
    return names + ([unknown] if len(unknown) >= 3 else [])


def glued_to(word: str, following: str) -> bool:
    """Whether jieba may have glued to the end of a name it does not know a function character (黄华麒是)
    or the first character of the next word (魏舒史 of 魏舒史称: 史称 is a word)."""
    return word[-1] in GLUED or (bool(following) and in_dictionary(word[-1] + following[0]))


def unglued(term: str, text: str, question: str = "") -> str:
    """A question word without the character jieba glued to a name it does not know (`glued_to`, read
    with what follows the word in the question), when only the name is in the (lower-cased) sources' text."""
    lowered = term.lower()
    at = question.find(term)
    following = question[at + len(term) :] if at >= 0 else ""
    if len(term) >= 3 and glued_to(term, following) and lowered not in text and lowered[:-1] in text:
        return term[:-1]
    return term


def topic(question: str) -> str:
    """The first word of the question's subject, the thing it asks about (牡蒿 in "牡蒿在什么季节开花？",
    佐敦 in "为什么到了1996年，佐敦谷南道必须停用？"): after a fronted clause (`_fronted`: a time, a 在…
    phrase, 为什么…) and an opening 为什么/怎么/请问, the first noun (or Latin word) of two or
    more characters, or the first two of a run of single characters jieba cannot join (an unknown name)
    or of a long word it made up, which may run into the verb (符泳练水的时间…); the noun a common
    word modifies when that subject does something (`_modified_head`: 白色的方格组成了什么). "" when the
    subject is what is asked (哪个机构…, 谁…), a pronoun (此鱼, 该剧), the document itself (标题中说…) or a
    verb (the question opens with what is done)."""
    clauses = re.split(r"[，,]", question)
    fronted = len(clauses) > 1 and _fronted(clauses[0])
    words = pos_words("，".join(clauses[1:]) if fronted else question)
    i = 0
    while i < len(words) and (words[i][1] in _OPENING_FLAGS or words[i][0] in _ADVERBIAL_ASKING):
        i += 1
    if head := _modified_head(words[i:]):
        return head
    unknown = ""
    for word, flag in words[i:]:
        if len(word) == 1 and flag in _CHAR_FLAGS:
            unknown += word
            continue
        if len(unknown) >= 2:
            break
        unknown = ""  # one character before a word (两国领导人): the word opens the subject
        if flag not in _SUBJECT_FLAGS or len(word) < 2 or QUESTION_WORD.match(word) or word in _DOCUMENT_WORDS:
            return ""
        if len(word) < 4 or in_dictionary(word) or _LATIN_OR_DIGIT.search(word):  # COP15 whole
            return word
        return word[:2]  # a word jieba made up, which may run into the verb
    return unknown[:2] if len(unknown) >= 2 else ""


def _modified_head(words: tuple[tuple[str, str], ...]) -> str:
    """The noun a common word modifies when a subject so built does something (方格 of "白色的方格组成了
    什么？", 分值 of "不同的分值代表着什么意思？"): the subject is the 方格, not the colour. Not when 是/有
    follows (报告的名称是什么: 名称 is what is asked), nor when a name modifies (软枝黄蝉的原生地)."""
    if len(words) < 4:
        return ""
    (modifier, modifier_flag), (particle, _), (noun, noun_flag), (following, _) = words[:4]
    common = modifier_flag in {"n", "a", "an"} and in_dictionary(modifier)
    does = following not in _LISTING_VERBS and following != "为" and not QUESTION_WORD.match(following)
    return noun if particle == "的" and common and noun_flag == "n" and len(noun) >= 2 and does else ""


def _fronted(clause: str) -> bool:
    """Whether a question's first clause is an adverbial before its subject: a time (2008年，到了1996年，),
    a phrase opening with 在/从/自 … (在此期间，) but not 对于/关于 (which name the topic), or 为什么…."""
    words = pos_words(clause)
    if not words or words[0][0] in _ABOUT:
        return False
    word, flag = words[0]
    timed = flag == "m" and bool(_TIME_END.search(clause))
    return flag in {"t", "p"} or clause.startswith(_PREPOSITIONS) or word in _ADVERBIAL_ASKING or timed


def critical_terms(question: str, in_corpus: Callable[[str], bool] = lambda term: True) -> list[str]:
    """Terms an answer's article must contain: names, Latin words (GDP) and codes (A-135), works named
    in 《》, named battles (井手之战), deputy titles and government bodies. A paper's words for its own
    region (我省, 全国) are not names to find. jieba tags some common words as names (惠民 as a person), so
    a name the corpus does not know counts only when it looks like a full name (`_looks_like_a_name`). A
    body ends where a word ends (not 区考虑部 in "远东地区考虑部署")."""
    terms = []
    words = pos_words(question)
    word_ends = set(itertools.accumulate(len(word) for word, _ in words))
    asked = asked_category(question) | asked_measure(question)  # 英文名 of "…的英文名是什么", 长度: asked
    for i, (word, flag) in enumerate(words):
        if flag not in _NAME_FLAGS or len(word) < 2 or (flag in PLACE_FLAGS and OWN_REGION.search(word)):
            continue
        if word in asked:
            continue
        if flag != "eng" and not in_corpus(word):
            following = words[i + 1][0] if i + 1 < len(words) else ""
            stem = word[:-1] if len(word) >= 3 and glued_to(word, following) else ""
            if stem and in_corpus(stem):  # 呋塞米会 of "为什么呋塞米会导致…", 魏舒史 of "魏舒史称…": 呋塞米, 魏舒
                word = stem
            elif word.endswith("地区") and in_corpus(word[:-2]):  # 台湾地区: the name is 台湾
                word = word[:-2]
            elif not _looks_like_a_name(word, flag):
                continue
        terms.append(word)
    terms += [m.group(0) for m in TITLE.finditer(question) if m.group(0).startswith("副")]
    terms += head_names(question)  # the topic counts even when the corpus does not know it
    terms += _WORK_TITLE.findall(question)  # a work named in 《》: 《赌城谍血》的主角
    terms += _CODE.findall(question)  # a model or code: A-135, MPQ-78, S.K.
    terms += [word for word, _ in words if _NAMED_BATTLE.match(word)]  # 井手之战 of "有田中井手之战是…"
    bodies = [m.group(0) for m in BODY.finditer(question) if m.end() in word_ends]
    terms += [body for body in bodies if not _NOT_IN_NAMES.search(body)]
    unknown_glued = {t for t in terms if t[:-1] in terms and not in_corpus(t)}  # 魏舒史 where 魏舒 is the name
    return list(dict.fromkeys(t for t in terms if t and t not in unknown_glued))


def _looks_like_a_name(word: str, flag: str) -> bool:
    """Whether a word jieba tags as a name is one even where the corpus never writes it: a full personal
    name (three characters) or a place of three or more (武当山); 惠民 (a person to jieba) and 长度 (a
    place) are common words."""
    return (flag in PERSON_FLAGS and len(word) == 3) or (flag in PLACE_FLAGS and len(word) >= 3)


def asked_dates(question: str) -> list[Day]:
    """The dates a question states (12月14日, 2023年7月, 2021年), as stated."""
    return stated_dates(question)


def defined_aliases(text: str) -> dict[str, set[str]]:
    """Names a text defines with a short form in brackets (第十五次缔约方大会（COP15）, …（以下简称“国常会”）),
    both ways: each form maps to the other."""
    aliases: dict[str, set[str]] = {}
    for written, short in _ALIAS.findall(text):
        full = re.split(r"[》”」]", written)[-1] or written  # 《公约》第十五次缔约方大会: the name after the title
        if len(short) < len(full) and not short.isdigit():
            aliases.setdefault(short, set()).add(full)
            aliases.setdefault(full, set()).add(short)
    return aliases


def abbreviates(term: str, text: str, min_length: int = 3) -> bool:
    """Whether the text writes out in full what the term abbreviates: its characters in order, each
    gap short, within one clause (国常会 in 国务院常务会议), as Chinese forms abbreviations. Shorter terms
    than `min_length` are not read as abbreviations (two characters in order are too often chance)."""
    if len(term) < min_length or _LATIN_OR_DIGIT.search(term):
        return False
    gaps = "[^，,。；;、\\s]{0,4}?"
    return re.search(gaps.join(map(re.escape, term)), text) is not None


def missing_terms(
    terms: list[str],
    text: str,
    aliases: Mapping[str, set[str]] | None = None,
    people: set[str] | None = None,
    document: str = "",
) -> list[str]:
    """Terms absent from a text: not there, nor an alias of it, nor (for any name but a person's) written
    out in full, nor a province the text calls 我省/全省 when its `document` (the paper) names that
    province elsewhere; a mention inside 除……外 does not count."""
    kept = _EXCLUSION.sub("", text).lower()
    aliases = aliases or {}
    people = people or set()

    def found(term: str) -> bool:
        lowered = term.lower()
        if lowered in kept or any(a.lower() in kept for a in aliases.get(term, ())):
            return True
        province = term.removesuffix("省")
        if province in PROVINCES and OWN_PROVINCE.search(kept) and province in document:
            return True
        return term not in people and abbreviates(term, kept)

    return [t for t in terms if not found(t)]


def people_in(text: str) -> set[str]:
    return {word for word, flag in pos_words(text) if flag in PERSON_FLAGS}


def satisfies_type(kind: str, sentence: str, question: str = "") -> bool:
    """Whether a sentence has the kind of content a question type asks for, beyond what the question says."""
    if kind == "number":
        sentence = _IS_A.sub("是", sentence)  # 这是一个爱好和平的国家 says what it is, it counts nothing
        unit = asked_unit(question)
        if unit:
            forms = UNIT_FORMS.get(unit, re.escape(unit))
            counted = _DATE_STAMP.sub(" ", sentence) if unit == "时长" else sentence  # 2024年5月20日 is no span
            return re.search(rf"(?:{NUMBER})\s*(?:万|亿)?(?:{forms})", counted) is not None
        asked = set(_NUMERAL.findall(question))
        counted = sentence if _ASKS_SPAN.search(question) else _CALENDAR.sub("", sentence)
        numbers = set(_NUMERAL.findall(counted)) - asked
        return bool(numbers or _COUNTED.search(_CALENDAR.sub("", sentence)))
    if kind == "when":
        dates = set(stated_dates(sentence)) - set(stated_dates(question))
        if _ASKS_DAY.search(question):
            return any(day is not None for _, _, day in dates) or bool(RELATIVE_DAY.search(sentence))
        if _ASKS_YEAR.search(question):
            return any(year is not None for year, _, _ in dates) or bool(re.search(r"今年|去年|明年", sentence))
        relative = re.search(r"上午|下午|晚上|今年|明年|去年|昨天|今天|日前|近日|\d+—\d+", sentence)
        return bool(dates or relative or PERIOD.search(sentence))
    if kind == "list":
        return _enumerates(sentence.strip().rstrip("；;。"), question)
    if kind == "role":
        return bool(ROLE.search(sentence))
    if kind == "who" and asks_identity(question):  # 朱光耀是谁: a title of the person answers
        return bool(TITLE.search(sentence))
    if kind == "who":
        body = sentence if "记者" in question else CREDIT.sub("", sentence)
        return bool(people_in(body) - people_in(question))
    if kind == "where":
        named = any(flag in PLACE_FLAGS and word not in question for word, flag in pos_words(sentence))
        return named or any(m.group(0)[1:] not in question for m in PLACE_PHRASE.finditer(sentence))
    if kind == "reason":
        return bool(_REASON.search(sentence))
    if kind == "method":
        return bool(_METHOD.search(sentence))
    if kind == "definition":  # 什么是标准杆？ — the sentence that opens with the term defines it
        term = _DEFINED.sub("", question.strip())
        return bool(term) and sentence.strip().startswith(term)
    return True


def _enumerates(text: str, question: str) -> bool:
    """Whether a text lists things: items split by 、 or ；, joined by 和/与/及 (not the question's own
    joining, 普京与… of 普京与哪些领导人), or short clauses split by commas."""
    if re.search(r"[、；;]", text):
        return True
    at = 0
    for word, _ in pos_words(text):
        if word in _JOINERS and text[max(0, at - 1) : at + len(word)] not in question:
            return True
        at += len(word)
    clauses = re.split(r"[，,]", text)
    return len(clauses) >= 3 and all(len(c) <= MAX_LISTED_CLAUSE for c in clauses[1:-1])
