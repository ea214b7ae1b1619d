"""Cleaning and article splitting of the bundled 衡阳日报 page."""

from __future__ import annotations

from ingest.articles import date_from_name, split_articles
from ingest.clean import page_blocks
from tests.conftest import PAGE

TEXT = PAGE.read_text(encoding="utf-8")


def articles():
    return split_articles(TEXT, str(PAGE), PAGE.name, date_from_name(PAGE))


def test_expected_articles_with_metadata():
    found = [(a.title, a.paper, a.reporter, a.date, a.kind) for a in articles()]
    assert found == [
        ("外交部发言人华春莹14日宣布:国家主席习近平将于12月15日…", "新华社", "", "2022-12-15", "brief"),
        ("坚定不移走好高质量发展之路", "衡阳日报", "", "2022-12-15", "teaser"),
        ("刘越高率队赴省直相关部门对接工作", "衡阳日报", "陈润", "2022-12-15", "article"),
        ("14日上午,刘越高考察了深圳华侨城集团,并与张振高座谈", "衡阳日报", "", "2022-12-15", "brief"),
        ("朱健就《政府工作报告》征求市人大常委会机关干部的意见和建议", "衡阳日报", "罗文鹏", "2022-12-15", "article"),
        ("十三届市政协召开第十二次主席会议", "衡阳日报", "向吟吟", "2022-12-15", "article"),
        ("866个民生实事项目“人大代表说了算”", "衡阳日报", "", "2022-12-15", "article"),
    ]


def test_kickers_and_subtitles_are_kept_apart_from_the_title():
    by_title = {a.title: a for a in articles()}
    assert by_title["十三届市政协召开第十二次主席会议"].subtitles == ["刘丽华主持并讲话"]
    assert "“2022年人大工作回眸”①" in by_title["866个民生实事项目“人大代表说了算”"].subtitles
    assert by_title["朱健就《政府工作报告》征求市人大常委会机关干部的意见和建议"].subtitles == [
        "以“跳出衡阳看衡阳”的战略眼光把握机遇 奋力拼出衡阳高质量发展的加速度"
    ]


def test_teaser_becomes_a_small_article_naming_the_page_it_points_to():
    teasers = [a for a in articles() if a.kind == "teaser"]
    assert [(a.title, a.subtitles, a.text) for a in teasers] == [
        (
            "坚定不移走好高质量发展之路",
            ["——以习近平同志为核心的党中央引领中国经济行稳致远述评"],
            "坚定不移走好高质量发展之路——以习近平同志为核心的党中央引领中国经济行稳致远述评，详见第五版。",
        )
    ]
    assert all("详见第五版" not in a.text for a in articles() if a.kind != "teaser")


def test_edition_is_kept_when_the_page_prints_it():
    found = split_articles("2022年12月15日 第3版 要闻\n\n标题\n\n本报讯 正文。", "/x.txt", "x.txt")
    assert [(a.title, a.text, a.layout.edition, a.layout.section) for a in found] == [
        ("标题", "本报讯 正文。", "第3版", "要闻")
    ]
    assert all(not a.layout.edition for a in articles())  # the bundled page prints none


def test_jump_lines_are_kept_as_notes_not_text():
    text = "# 甲标题\n\n本报讯 第一部分正文。\n\n（下转第2版）\n\n# 乙标题\n\n（上接第1版）\n\n后半部分正文。"
    found = split_articles(text, "/x.txt", "x.txt")
    assert [(a.title, a.text, a.notes) for a in found] == [
        ("甲标题", "本报讯 第一部分正文。", ["下转第2版"]),
        ("乙标题", "后半部分正文。", ["上接第1版"]),
    ]


def test_hard_wrapped_lines_are_rejoined():
    by_title = {a.title: a for a in articles()}
    assert "积极探索新型工业化发展的衡阳路径。" in by_title["刘越高率队赴省直相关部门对接工作"].text
    column = by_title["866个民生实事项目“人大代表说了算”"].text
    assert "共召开347次代表大会,共计票决民生实事项目759个,共计投入资金32.448714亿元。" in column
    assert "县(市)区的人大常委会上由县(市)区人大代表投票表决了69个民生实事项目,总投资30.369亿元。" in column
    assert "从过去的“部门提”转变为现在的“群众提”" in column
    assert column.endswith("“由民作主”。")  # the page number "2" glued to the last line is gone


def test_repeated_line_survives_once():
    text = "\n".join(a.text for a in articles())
    assert text.count("市领导于新凡、尹培国、朱春光、黄艳娥分别参加。") == 1
    assert text.count("市领导于新凡、尹培国、黄艳娥参加。") == 1


def test_editors_note_belongs_to_the_column_after_it():
    column = articles()[-1]
    assert column.text.startswith("编者按：2022年即将过去")


def test_paragraph_cut_by_the_page_stays_with_its_article():
    zhu = articles()[4]
    assert zhu.text.endswith("刘正兴说,党的二十大报告系统阐明了")


def test_blocks_know_headlines_and_datelines():
    blocks = page_blocks(TEXT)
    datelines = [b.text[:5] for b in blocks if b.dateline]
    assert datelines == ["新华社北京", "衡阳日报讯", "衡阳日报讯", "衡阳日报讯"]


def test_markdown_headings_start_articles():
    text = "# 第一篇标题\n\n本报讯 (记者 张三) 第一篇正文。\n\n# 第二篇标题\n\n第二篇正文，没有电头。"
    found = split_articles(text, "/x.md", "x.md", "2024-01-02")
    assert [(a.title, a.reporter, a.text) for a in found] == [
        ("第一篇标题", "张三", "本报讯 (记者 张三) 第一篇正文。"),
        ("第二篇标题", "", "第二篇正文，没有电头。"),
    ]
