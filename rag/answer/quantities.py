"""Quantities a question states (连续31天, 43摄氏度, 50辆) and whether a text states them too.

A question that gives a number with its unit is about the story that has it: an article that never
writes 43 cannot be the one whose highest temperature passed 43 degrees. Dates and times are not
quantities here (the date checks of `rag.answer.dates` read them), nor numbers inside a code or model
name (COP15, A-135), nor a number without a unit (a typing slip: 20此球队).
A text may write the number in digits (with or without thousands separators) or in Chinese numerals
(二十三岁 for 23岁).
"""

from __future__ import annotations

import re

from rag.lexicon import UNITS

_COUNTING = sorted({*UNITS, "摄氏度", "个百分点"} - {"年", "月", "日"}, key=len, reverse=True)  # 2023年 is a date
# digits not glued to a Latin code, counting something: a number with its unit (31天, 43摄氏度, 50辆)
_QUANTITY = re.compile(
    rf"(?<![\d.A-Za-z\-])(\d+(?:\.\d+)?)(?=\s*(?:多|余)?(?:万|亿)?(?:{'|'.join(map(re.escape, _COUNTING))}))"
)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")
_DIGITS = "零一二三四五六七八九"
_PLACES = ((1000, "千"), (100, "百"), (10, "十"))
MAX_WRITTEN_OUT = 9999  # beyond this, papers write digits or 万 forms (3万), not 三万零五


def stated_quantities(question: str) -> list[str]:
    """The numbers (as written) a question states with a unit, not dates nor parts of a code."""
    return list(dict.fromkeys(_QUANTITY.findall(_THOUSANDS.sub("", question))))


def chinese_numeral(number: int) -> str:
    """An integer up to `MAX_WRITTEN_OUT` in Chinese numerals as news writes them: 十七, 二十三, 一百零五."""
    if number < 10:
        return _DIGITS[number]
    written, pending_zero = "", False
    for value, name in _PLACES:
        digit, number = divmod(number, value)
        if digit:
            written += ("零" if pending_zero else "") + _DIGITS[digit] + name
            pending_zero = False
        elif written:
            pending_zero = True
    if number:
        written += ("零" if pending_zero else "") + _DIGITS[number]
    return written.removeprefix("一") if written.startswith("一十") else written


def states_quantity(quantity: str, text: str) -> bool:
    """Whether the text writes the number: in digits, not as part of a longer number (43 is not in 143
    or 43.5), or in Chinese numerals (两 for a leading 二: 两百)."""
    digits = _THOUSANDS.sub("", text)
    if re.search(rf"(?<![\d.]){re.escape(quantity)}(?!\.?\d)", digits):
        return True
    if not quantity.isdigit() or int(quantity) > MAX_WRITTEN_OUT:
        return False
    written = chinese_numeral(int(quantity))
    forms = {written, "两" + written[1:]} if written.startswith("二") else {written}
    return any(re.search(rf"(?<![{_DIGITS}十百千]){form}(?![{_DIGITS}十百千])", text) for form in forms)
