"""Sentence selection of the extractive answerer on hand-made news sources shaped like wire copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pipeline import ingest_paths
from rag.answer.extractive import STRICT_TYPES, Part, answer_extractive, candidates, news_text, rank_sentences
from rag.answer.question import satisfies_type
from rag.chain import Assistant
from rag.cite import verify
from rag.index import NewsIndex
from rag.lexicon import DATELINE
from rag.types import Source


def _source(n: int, article_id: str, text: str, title: str = "") -> Source:
    return Source(
        n=n,
        chunk_id=f"{article_id}#0",
        article_id=article_id,
        title=title or text[:12],
        date="2023-08-01",
        paper="",
        source="wire.jsonl",
        text=text,
        start=0,
        end=len(text),
        score=1.0,
    )


def _answer(question: str, sources: list[Source]) -> tuple[str, bool]:
    texts = {s.article_id: s.text for s in sources}
    text, refused, _ = answer_extractive(question, question, sources, lambda s: texts[s.article_id])
    return text, refused


def test_syndicated_sentences_are_candidates_once():
    story = "国家统计局30日发布数据。上半年文化企业营业收入59357亿元。"
    sources = [_source(1, "a", story), _source(2, "b", story), _source(3, "c", "另一篇报道的句子。")]
    texts = [c.text for c in candidates(sources)]
    assert texts.count("上半年文化企业营业收入59357亿元。") == 1
    assert "另一篇报道的句子。" in texts
    answer, refused = _answer("上半年文化企业营业收入是多少？", sources)
    assert not refused and answer.count("上半年文化企业营业收入59357亿元") == 1


def test_a_headline_label_does_not_hide_the_lead_sentence():
    text = "原标题：商务部发布报告 今天，中国商务部发布《美国履行世贸规则义务情况报告》。报告共分四部分。"
    assert candidates([_source(1, "a", text)])[0].text.startswith("商务部发布报告")
    answer, refused = _answer("谁发布了《美国履行世贸规则义务情况报告》？", [_source(1, "a", text)])
    assert not refused and "中国商务部" in answer and "原标题" not in answer


def test_a_dated_wire_dateline_and_byline_are_not_quoted():
    sentence = "中新网北京7月24日电 (记者 郭超凯)记者24日从应急管理部获悉，消防员招录工作正式启动。"
    assert news_text(sentence) == "记者24日从应急管理部获悉，消防员招录工作正式启动。"
    assert news_text("人民网北京8月1日电 水利部1日发布汛情通报。") == "水利部1日发布汛情通报。"
    assert news_text("会议于7月24日电视直播。") == "会议于7月24日电视直播。"  # not at the start: no dateline


@pytest.mark.parametrize(
    ("text", "paper", "credit"),
    [
        ("衡阳日报讯（全媒体记者 陈润）12月13日，", "衡阳日报", "全媒体记者 陈润"),
        ("新华社北京电 （记者 王宁）今天，", "新华社", "记者 王宁"),  # an agency may leave the date out
        ("中新网北京7月24日电 (记者 张三) 今天，", "中新网", "记者 张三"),
        ("极目新闻讯 8月9日上午，", "极目新闻", None),
        ("中国新闻网北京1月1日电 记者1日获悉，", "中国新闻网", None),  # 网 is part of the name
        ("新华社北京2023年1月1日电（记者 李明）", "新华社", "记者 李明"),
        ("湖南日报·新湖南客户端讯（记者 李明）", "湖南日报·新湖南客户端", "记者 李明"),
        ("央视网消息：近日，", "央视网", None),
    ],
)
def test_one_dateline_pattern_gives_ingest_the_paper_and_credit(text: str, paper: str, credit: str | None):
    found = DATELINE.match(text)
    assert found and found.group("paper") == paper and found.group("credit") == credit


def test_ordinary_text_is_not_a_dateline():
    assert DATELINE.match("以下列出台湾电视公司（简称：台视）旗下各频道播出的节目。") is None  # 台湾电 is no 电
    assert DATELINE.match("通讯员张三说，") is None
    for opening in (
        "全社会用电量同比增长5%。",
        "农民专业合作社利用光伏发电增收。",
        "该旅行社来电称，",
        "据新华社报道，",
    ):
        assert DATELINE.match(opening) is None, opening  # 社…电 inside a sentence is no agency's dateline


def test_the_wire_end_mark_is_not_part_of_a_sentence():
    text = "帕特鲁舍夫表示，俄方愿与中方加强战略沟通。此外，俄方还将继续与金砖国家开展军事合作。（完）"
    assert [c.text for c in candidates([_source(1, "a", text)])][-1] == "此外，俄方还将继续与金砖国家开展军事合作。"
    answer, refused = _answer("俄方将继续与谁开展军事合作？", [_source(1, "a", text)])
    assert not refused and "金砖国家" in answer and "完" not in answer
    sentences, _ = verify(answer, [_source(1, "a", text)])
    assert sentences and all(s.supported for s in sentences)


def test_a_bare_headline_line_is_not_a_candidate():
    text = "报告共分四部分。原标题：商务部发布美国履行世贸规则义务情况报告"
    assert [c.text for c in candidates([_source(1, "a", text)])] == ["报告共分四部分。"]


def test_a_long_sentence_behind_a_photo_credit_is_news_but_credits_are_not():
    rule = (
        "图片来源：国家疾控局《猴痘防控方案》明确，防控的总体要求为坚持“预防为主、防治结合、精准防控、快速处置”原则。"
    )
    credit = "图片来源：新华社。"
    answer, refused = _answer("《猴痘防控方案》规定了什么总体要求？", [_source(1, "a", credit + rule)])
    assert not refused and "预防为主" in answer
    assert "新华社" not in answer and "来源" not in answer
    named = news_text("图片来源：视觉中国 国家统计局30日发布数据显示，上半年全国文化企业实现营业收入59357亿元。")
    assert named is not None and named.startswith("国家统计局30日发布")


def test_a_syndicated_sentence_is_cited_where_its_article_answers():
    sentence = "上半年营业收入59357亿元。"
    off_topic = _source(1, "a", "某县文化馆发布公告。" + sentence)  # lacks 衡阳, the place the question names
    on_topic = _source(2, "b", "衡阳市统计局30日发布文化企业数据。" + sentence)
    answer, refused = _answer("衡阳上半年营业收入是多少？", [off_topic, on_topic])
    assert not refused and "59357亿元[2]" in answer


def test_dates_do_not_answer_how_many():
    assert not satisfies_type("number", "和平会议将于5日在吉达召开。", "有多少个国家参加了和平会议？")
    assert not satisfies_type("number", "会议于2023年8月5日10时30分开幕。", "有多少个国家参加？")
    assert satisfies_type("number", "沙特已向约30个国家发出邀请。", "有多少个国家参加了和平会议？")
    assert satisfies_type("number", "衡阳已有2200年建城史。", "衡阳有多少年的建城史？")  # a span, not a date
    assert satisfies_type("number", "展会持续15日。", "展会持续几天？")
    assert satisfies_type("number", "公司斥资77亿美元收购该品牌。", "公司斥资多少钱收购了该品牌？")  # any currency
    assert satisfies_type("number", "转会费为4500万英镑。", "转会费是多少钱？")


def test_a_list_is_items_not_the_questions_own_joining_nor_long_clauses():
    question = "总统与哪些国家的领导人发表了联合声明？"
    assert not satisfies_type("list", "总统与各国领导人的联合声明发布。", question)  # 总统与: the question's
    talks = "参与会谈的各国领导人指出，会谈在人道主义问题上取得了实质进展，并一致认为合作将继续。"
    assert not satisfies_type("list", talks, question)
    assert satisfies_type("list", "出席会谈的领导人包括甲国总统、乙国总统以及丙国外长。", question)
    assert satisfies_type("list", "声明由甲国和乙国共同发表。", question)
    assert satisfies_type("list", "参展的有机械，化工，纺织，食品等行业。", "参展的有哪些行业？")


def test_a_place_is_one_the_question_does_not_name_and_may_be_a_common_noun():
    question = "被困游客在哪里过夜？"
    assert satisfies_type("where", "视频显示，被困游客被带到游客中心过夜。", question)
    assert satisfies_type("where", "救援队当晚赶到涿州，转移群众300余人。", "救援队在哪个城市救援？")
    assert not satisfies_type("where", "内蒙古救援队成立于2012年。", "内蒙古救援队在哪个城市救援？")
    texts = {"a": "数十名游客被迫露宿山坡，直到第二天获救。被困游客被带到游客中心过夜，次日下山。"}
    sources = [_source(1, "a", texts["a"])]
    answer, refused = _answer(question, sources)
    assert not refused and answer.index("游客中心") < answer.index("[1]")


def test_a_bracketed_number_of_the_source_is_not_taken_for_a_citation():
    text = "经中国证监会《批复》（证监许可[2018]1910号）核准，公司获准非公开发行股份不超过5416万股。"
    sources = [_source(1, "a", text)]
    answer, refused = _answer("公司获准非公开发行多少股份？", sources)
    assert not refused and "〔2018〕" in answer and "[2018]" not in answer
    sentences, citations = verify(answer, sources)
    assert all(s.supported and not s.flags for s in sentences) and {c.n for c in citations} == {1}


@pytest.mark.parametrize(
    ("question", "text", "answer"),
    [
        (
            "林晓峰的职业是什么？",
            "随后几年，林晓峰因为伤病，出场机会并不多。林晓峰曾随队夺得联赛冠军。林晓峰，中国排球运动员，司职主攻。",
            "林晓峰，中国排球运动员，司职主攻",
        ),
        (
            "苏木镇的气候有什么特点？",
            "苏木镇位于河谷北岸，镇上有一座古桥。苏木镇冬季温和少雨，夏季炎热多雨。苏木镇的居民以种植茶叶为生。",
            "苏木镇冬季温和少雨，夏季炎热多雨",
        ),
    ],
)
def test_of_sentences_with_the_same_words_the_one_nearest_in_meaning_answers(
    page_index: NewsIndex, question: str, text: str, answer: str
) -> None:
    sources = [_source(1, "a", text, title="人物")]
    result = answer_extractive(question, question, sources, lambda s: text, encode=page_index.embeddings.encode)
    assert result.short_answer == answer
    # meaning picks the best sentence; the others, as well worded, still support it
    sentences, _ = verify(result.text, sources)
    assert all(s.supported and not s.flags for s in sentences)
    assert all(sentence in result.text for sentence in text.rstrip("。").split("。"))


def test_the_chain_ranks_by_meaning_when_the_setting_asks(fresh_index: NewsIndex, tmp_path: Path) -> None:
    paper = tmp_path / "sport.txt"
    paper.write_text(
        "体坛人物\n随后几年，林晓峰因为伤病，出场机会并不多。林晓峰曾随队夺得联赛冠军。林晓峰，中国排球运动员，司职主攻。\n",
        encoding="utf-8",
    )
    ingest_paths(fresh_index, [paper], show_progress=False)
    by_words = Assistant(fresh_index.settings, fresh_index).ask("林晓峰的职业是什么？")
    meaning = fresh_index.settings.model_copy(update={"rank_by_meaning": True})
    by_meaning = Assistant(meaning, fresh_index).ask("林晓峰的职业是什么？")
    assert by_meaning.short_answer == "林晓峰，中国排球运动员，司职主攻" != by_words.short_answer


def test_the_sentence_whose_article_holds_more_of_the_question_wins_a_tie():
    """Two list sentences hold the same words of the question; the one whose article is about what is
    asked (the mayor, the people's congress, proposals) ranks over the better-ranked source's."""
    other = _source(
        1,
        "b",
        "市长出席全省生态环境保护督察反馈会。人大代表列席会议。"
        "会议通报了督察情况。省领导希望衡阳围绕三个方面：强化底线思维、补齐短板弱项、抓好问题整改。",
        title="工作动态",
    )
    asked = _source(
        2,
        "a",
        "市长朱健到市人大常委会机关调研，听取人大代表课题建言献策工作汇报。会上介绍了近期工作安排。"
        "他希望大家围绕三个方面：加快产业发展、推进城市更新、做好民生保障。",
        title="工作动态",
    )
    texts = {s.article_id: s.text for s in (other, asked)}
    question = "市长希望人大围绕哪些课题建言献策？"
    part = Part.each(question, question, [other, asked], lambda s: texts[s.article_id], lambda t: True, STRICT_TYPES)
    ranked = [c.text for c in rank_sentences(part[0])]
    assert ranked.index("他希望大家围绕三个方面：加快产业发展、推进城市更新、做好民生保障。") < ranked.index(
        "省领导希望衡阳围绕三个方面：强化底线思维、补齐短板弱项、抓好问题整改。"
    )
