"""Joining the parts of a continued story: 转/接 variants, numerals, page order, missing halves."""

from __future__ import annotations

import pytest

from ingest.continuations import MISSING, edition_number, join_continuations
from rag.types import Article, Box, Layout, TextLine


def part(article_id: str, title: str, text: str, edition: str, note: str, source: str = "/p.pdf") -> Article:
    page = int(edition_number(edition))
    box = Box(page=page, x0=10, y0=10, x1=100, y1=20)
    return Article(
        article_id=article_id,
        title=title,
        text=text,
        source=source,
        layout=Layout(page=page, edition=edition, boxes=[box]),
        lines=[TextLine(start=0, end=len(text), box=box)],
        notes=[note],
    )


@pytest.mark.parametrize(
    ("out", "back"),
    [("下转第2版", "上接第1版"), ("转2版", "接1版"), ("下转第二版", "上接第一版"), ("转第2版", "接第1版")],
)
def test_variants_join_in_either_order(out, back):
    first = part("p#1", "油菜种植面积突破八十万亩", "前半部分。", "第1版", out)
    other = part("p#2", "别的新闻", "无关。", "第2版", "上接第3版")
    second = part("p#3", "油菜种植面积突破八十万亩", "后半部分。", "第2版", back)
    for order in ([first, other, second], [second, other, first]):
        joined = {a.article_id: a for a in join_continuations(order)}
        assert sorted(joined) == ["p#1", "p#2"]
        assert joined["p#1"].text == "前半部分。\n后半部分。" and joined["p#1"].notes == []
        assert [(line.start, line.end) for line in joined["p#1"].lines] == [(0, 5), (6, 11)]
        assert joined["p#2"].notes == ["上接第3版" + MISSING]


def test_the_likeliest_headline_wins_among_several_parts():
    first = part("p#1", "油菜种植面积突破八十万亩", "前。", "第1版", "下转第2版")
    wrong = part("p#2", "公交线路开通", "错。", "第2版", "上接第1版")
    right = part("p#3", "油菜面积八十万亩", "对。", "第2版", "上接第1版")
    joined = join_continuations([first, wrong, right])
    assert [(a.article_id, a.text) for a in joined] == [("p#1", "前。\n对。"), ("p#2", "错。")]
    assert joined[1].notes == ["上接第1版" + MISSING]


def test_edition_numbers():
    assert [edition_number(e) for e in ("第1版", "A03", "第十二版", "二十", "第05版")] == ["1", "A3", "12", "20", "5"]
