"""The offline answer chain end to end on the real index of the page, and its parts."""

from __future__ import annotations

from eval.gold import load_gold
from eval.metrics import answer_correct
from rag.chain import Assistant
from rag.cite import split_cited_sentences, verify
from rag.condense import condense_rules
from rag.errors import NewsqaError
from rag.index import NewsIndex
from rag.types import Source
from tests.conftest import GOLD


def test_list_answer_cites_the_enumerating_sentence(page_index: NewsIndex):
    answer = Assistant(page_index.settings, page_index).ask("刘越高拜访了哪些省直部门？")
    assert not answer.refused
    for department in ("省商务厅", "省生态环境厅", "省水利厅", "长沙海关", "省工信厅", "省市场监督管理局", "省统计局"):
        assert department in answer.answer
    assert answer.citations and all(s.supported for s in answer.sentences)
    cited = {s.n: s for s in answer.sources}[answer.citations[0].n]
    assert answer.citations[0].quote == cited.text[answer.citations[0].quote_start : answer.citations[0].quote_end]
    assert set(answer.timings) >= {"condense_ms", "retrieve_ms", "answer_ms", "verify_ms", "total_ms"}


def test_absent_facts_are_refused_with_closest_sources(page_index: NewsIndex):
    assistant = Assistant(page_index.settings, page_index)
    for question in ("衡阳2022年GDP是多少？", "刘越高在北京拜访了哪些部委？", "长沙海关副关长是谁？"):
        answer = assistant.ask(question)
        assert answer.refused and answer.answer.startswith("资料中没有找到相关信息"), question
        assert answer.sources and not answer.citations


def test_follow_ups_are_rewritten_and_answered(page_index: NewsIndex):
    assistant = Assistant(page_index.settings, page_index)
    history = [{"role": "user", "content": "刘越高拜访了哪些部门？"}]
    who = assistant.ask("他在长沙还和谁会谈了？", history)
    assert who.standalone_question == "刘越高在长沙还和谁会谈了？" and "李大剑" in who.answer
    which = assistant.ask("其中哪个单位的负责人是关长？", history)
    assert which.standalone_question.startswith("刘越高拜访了哪些部门") and "长沙海关" in which.answer


def test_gold_set_accuracy_and_refusal_stay_above_the_floor(page_index: NewsIndex):
    """A regression floor under the measured numbers (the eval report has the exact figures)."""
    assistant = Assistant(page_index.settings, page_index)
    items = load_gold(GOLD)
    answers = [(item, assistant.ask(item.question, item.history)) for item in items]
    answerable = [(i, a) for i, a in answers if i.answerable]
    accuracy = sum(not a.refused and answer_correct(a.answer, i.answer_groups or []) for i, a in answerable)
    refused_right = sum(a.refused for i, a in answers if not i.answerable)
    refused_all = sum(a.refused for _, a in answers)
    assert accuracy / len(answerable) >= 0.85
    # the refusal thresholds are fit on four dev sets, not this one (measured: precision 1.0, recall 13 of 16)
    assert refused_right / sum(not i.answerable for i in items) >= 0.8
    assert refused_right / refused_all >= 0.85
    assert all(s.supported for _, a in answers for s in a.sentences)  # extractive citations always verify


def test_bad_questions_get_clear_errors(page_index: NewsIndex):
    assistant = Assistant(page_index.settings, page_index)
    for question, words in (("  ", "empty"), ("问" * 2000, "too long")):
        try:
            assistant.ask(question)
        except NewsqaError as error:
            assert words in str(error)
        else:
            raise AssertionError(f"no error for {question[:5]!r}")


def test_citation_markers_in_all_forms_are_parsed():
    parsed = split_cited_sentences("甲说了一件事[1][2]。乙做了另一件事【3】。丙[1,4]。丁。[2]")
    assert parsed == [("甲说了一件事。", [1, 2]), ("乙做了另一件事。", [3]), ("丙。", [1, 4]), ("丁。", [2])]
    quoted = split_cited_sentences("他说：“景气水平持续改善。”[1]乙[2]。")
    assert quoted == [("他说：“景气水平持续改善。”", [1]), ("乙。", [2])]


def test_verification_keeps_supported_and_flags_the_rest():
    source = Source(
        n=1,
        chunk_id="c",
        article_id="a",
        title="标题",
        date="",
        paper="",
        source="s",
        text="市委书记刘越高率队赴省商务厅对接工作。共投入资金30亿元。",
        start=0,
        end=30,
        score=1.0,
    )
    sentences, citations = verify("刘越高率队赴省商务厅对接工作[1]。共投入资金50亿元[1]。另一句[2]。", [source])
    assert [s.supported for s in sentences] == [True, False, False]
    assert citations[0].quote == "市委书记刘越高率队赴省商务厅对接工作。"
    assert any("50" in f for f in sentences[1].flags) and any("[2]" in f for f in sentences[2].flags)


def test_rule_condenser_carries_the_subject_over():
    history = [{"role": "user", "content": "朱健向谁征求了意见？"}, {"role": "assistant", "content": "……"}]
    assert condense_rules("他说2023年是什么之年？", history) == "朱健说2023年是什么之年？"
    assert condense_rules("刘丽华主持了什么会议？", history) == "刘丽华主持了什么会议？"
    assert condense_rules("这些意见是关于什么的？", history).startswith("朱健向谁征求了意见")
