"""Dates in questions and articles: full, partial (14日, 12月14日) and relative (昨天, 上周三) ones,
resolved against the article's own date so that a question's 12月14日 matches a text's 14日.

A date is a (year, month, day) triple whose unknown fields are None. A partial date in an article
takes the missing year and month from the article's date (a day after the article's day belongs
to the month before: a paper of 12-15 writing 20日 means November 20); a question's partial
date matches any date that agrees on every field the question states.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

Day = tuple[int | None, int | None, int | None]

_DATE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(?:(\d{1,2})[日号])?")
_RELATIVE_DAYS = {"前天": -2, "昨天": -1, "昨日": -1, "今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2}
RELATIVE_DAY = re.compile(r"前天|昨天|昨日|今天|今日|明天|明日|后天|(上|本|这|下)(?:周|星期)([一二三四五六日天])")
RELATIVE_YEAR = re.compile(r"(前年|去年|今年|明年)")
_YEAR_OFFSET = {"前年": -2, "去年": -1, "今年": 0, "明年": 1}
_WEEKDAY = "一二三四五六日"
_WEEK_OFFSET = {"上": -1, "本": 0, "这": 0, "下": 1}


def article_day(iso: str) -> date | None:
    """The article's date from its `YYYY-MM-DD` metadata, or None."""
    try:
        return date.fromisoformat(iso[:10])
    except ValueError:
        return None


def stated_dates(text: str) -> list[Day]:
    """Every date a text writes out (2023年7月, 12月14日, 14日, 2021年), as stated, without resolving."""
    found = []
    for match in _DATE.finditer(text):
        year, month, day = (int(g) if g else None for g in match.groups())
        if year is None and month is None and day is None:
            continue
        if (month and not 1 <= month <= 12) or (day and not 1 <= day <= 31):
            continue
        found.append((year, month, day))
    return found


def stated_years(text: str, today: date | None = None) -> set[int]:
    """The years a text states (2021年) or, given the article's date, implies (今年, 去年)."""
    years = {y for y, _, _ in stated_dates(text) if y}
    if today:
        years |= {today.year + _YEAR_OFFSET[m.group(1)] for m in RELATIVE_YEAR.finditer(text)}
    return years


def resolve(day: Day, today: date | None) -> Day:
    """A partial date of an article completed from the article's date (year, then month)."""
    year, month, dom = day
    if today is None or (year is not None and month is not None):
        return day
    if month is None and dom is not None:
        month, year = today.month, year or today.year
        if dom > today.day:  # a day after the paper's own day: the month before
            month, year = (month - 1, year) if month > 1 else (12, year - 1)
    elif year is None and month is not None:
        year = today.year if month <= today.month else today.year - 1
    return (year, month, dom)


def relative_dates(text: str, today: date) -> list[Day]:
    """The days that 昨天, 今日, 上周三 … and the years that 今年, 去年 … in a text stand for, given the
    article's date."""
    found: list[Day] = [(today.year + _YEAR_OFFSET[m.group(1)], None, None) for m in RELATIVE_YEAR.finditer(text)]
    for match in RELATIVE_DAY.finditer(text):
        if match.group(0) in _RELATIVE_DAYS:
            when = today + timedelta(days=_RELATIVE_DAYS[match.group(0)])
        else:
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=_WEEK_OFFSET[match.group(1)])
            when = monday + timedelta(days=_WEEKDAY.index(match.group(2).replace("天", "日")))
        found.append((when.year, when.month, when.day))
    return found


def text_dates(text: str, today: date | None) -> list[Day]:
    """The dates a text refers to, partial ones resolved against the article's date."""
    resolved = [resolve(d, today) for d in stated_dates(text)]
    return resolved + (relative_dates(text, today) if today else [])


def matches(asked: Day, found: Day) -> bool:
    """Whether a date found in a text is the asked one: it states the finest field the question states
    (the day of 12月14日) and contradicts none of the others (a field it leaves unknown is no conflict)."""
    finest = max((i for i, a in enumerate(asked) if a is not None), default=None)
    if finest is None or found[finest] != asked[finest]:
        return False
    return all(a is None or f is None or a == f for a, f in zip(asked, found, strict=True))


def holds_date(asked: Day, text: str, today: date | None) -> bool:
    """Whether a text refers to the asked date, its partial and relative dates resolved against `today`."""
    return any(matches(asked, found) for found in text_dates(text, today))


def absolute(day: Day) -> str:
    """A date written out in full as far as it is known: 2022年12月14日, 12月14日, 14日."""
    year, month, dom = day
    return "".join(f"{v}{unit}" for v, unit in ((year, "年"), (month, "月"), (dom, "日")) if v is not None)
