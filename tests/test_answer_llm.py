"""The `openai` backend against a real loopback server speaking chat-completions; verification catches bad replies."""

from __future__ import annotations

import socket

from rag.chain import FALLBACK_NOTICE, REFUSAL_NOTICE, UNSUPPORTED_NOTICE, Assistant
from rag.index import NewsIndex
from tests.fake_llm_server import FakeLLM

QUESTION = "长沙海关的关长是谁？"
UNANSWERABLE = "衡阳2022年GDP是多少？"  # names what the page lacks (GDP)
NOT_ON_THE_PAGE = "朱健去了哪些省直部门？"  # names nothing the page lacks, and the page does not say


def assistant_for(index: NewsIndex, base_url: str, timeout: float = 30.0) -> Assistant:
    settings = index.settings.model_copy(
        update={"answer_backend": "openai", "openai_base_url": base_url, "llm_timeout": timeout}
    )
    return Assistant(settings, index)


def source_holding(index: NewsIndex, text: str) -> int:
    """The number the chain gives the source that contains `text` for QUESTION."""
    return next(s.n for s in Assistant(index.settings, index).ask(QUESTION).sources if text in s.text)


def extractive_answer(index: NewsIndex, question: str = QUESTION) -> str:
    """What the offline answerer says to `question` (the text a replaced LLM answer falls back to)."""
    return Assistant(index.settings, index).ask(question, backend="extractive").answer


def test_correct_citation_is_kept_and_prompt_numbers_sources(page_index: NewsIndex):
    n = source_holding(page_index, "关长朱光耀")
    with FakeLLM([f"长沙海关党委书记、关长是朱光耀[{n}]。"]) as llm:
        answer = assistant_for(page_index, llm.base_url).ask(QUESTION)
    prompt = llm.requests[0]["messages"][-1]["content"]
    assert f"[{n}]《" in prompt and QUESTION in prompt
    assert answer.backend == "openai" and not answer.refused
    assert [c.n for c in answer.citations] == [n] and "朱光耀" in answer.citations[0].quote
    assert answer.sentences[0].supported and not answer.sentences[0].flags
    assert answer.answer == f"长沙海关党委书记、关长是朱光耀[{n}]。" and answer.notices == []


def test_out_of_range_citation_and_invented_number_are_caught(page_index: NewsIndex):
    """An answer with one supported sentence is kept; its other sentences are flagged."""
    n = source_holding(page_index, "关长朱光耀")
    reply = f"长沙海关关长是朱光耀[{n}]。长沙海关关长是朱光耀[99]。长沙海关去年监管货值达到8848亿元[{n}]。"
    with FakeLLM([reply]) as llm:
        answer = assistant_for(page_index, llm.base_url).ask(QUESTION)
    assert answer.backend == "openai" and answer.answer == reply
    kept, out_of_range, invented = answer.sentences
    assert kept.supported and kept.cites == [n]
    assert not out_of_range.supported and any("[99]" in f for f in out_of_range.flags)
    assert not invented.supported and any("8848" in f for f in invented.flags)
    assert [(c.n, c.sentence) for c in answer.citations] == [(n, 0)]


def test_bare_citation_markers_fall_back_to_the_extractive_answer(page_index: NewsIndex):
    with FakeLLM(["[1] [2] [3]"]) as llm:
        answer = assistant_for(page_index, llm.base_url).ask(QUESTION)
    assert answer.backend == "extractive" and UNSUPPORTED_NOTICE in answer.notices
    assert answer.answer == extractive_answer(page_index) and "朱光耀" in answer.answer
    assert not answer.refused and answer.citations and all(s.supported for s in answer.sentences)


def test_citations_that_all_fail_verification_fall_back(page_index: NewsIndex):
    n = source_holding(page_index, "关长朱光耀")
    with FakeLLM([f"长沙海关关长是王建国[{n}]。他今年五十岁[{n}]。"]) as llm:
        answer = assistant_for(page_index, llm.base_url).ask(QUESTION)
    assert answer.backend == "extractive" and UNSUPPORTED_NOTICE in answer.notices
    assert answer.answer == extractive_answer(page_index) and "王建国" not in answer.answer


def test_llm_refusal_of_an_answerable_question_falls_back(page_index: NewsIndex):
    with FakeLLM(["资料中没有找到相关信息。"]) as llm:
        answer = assistant_for(page_index, llm.base_url).ask(QUESTION)
    assert answer.backend == "extractive" and REFUSAL_NOTICE in answer.notices
    assert not answer.refused and answer.answer == extractive_answer(page_index) and "朱光耀" in answer.answer


def test_unsupported_reply_to_an_unanswerable_question_becomes_a_refusal(page_index: NewsIndex):
    with FakeLLM(["[1] [2]"]) as llm:
        answer = assistant_for(page_index, llm.base_url).ask(NOT_ON_THE_PAGE)
    assert answer.refused and answer.backend == "extractive" and UNSUPPORTED_NOTICE in answer.notices
    assert answer.answer == extractive_answer(page_index, NOT_ON_THE_PAGE) and answer.citations == []


def test_streaming_tokens_then_verified_answer(page_index: NewsIndex):
    n = source_holding(page_index, "关长朱光耀")
    with FakeLLM([f"朱光耀是长沙海关关长[{n}]。"]) as llm:
        events = list(assistant_for(page_index, llm.base_url).stream(QUESTION))
    tokens = "".join(e["text"] for e in events if e["type"] == "token")
    assert len([e for e in events if e["type"] == "token"]) > 1
    final = events[-1]["answer"]
    assert tokens == final.answer == f"朱光耀是长沙海关关长[{n}]。"
    assert final.citations and final.citations[0].n == n
    assert not any(e["type"] == "reset" for e in events)


def test_streamed_reply_that_is_replaced_is_reset_then_the_final_text_follows(page_index: NewsIndex):
    with FakeLLM(["[1] [2] [3]"]) as llm:
        events = list(assistant_for(page_index, llm.base_url).stream(QUESTION))
    kinds = [e["type"] for e in events]
    reset = kinds.index("reset")
    assert kinds[0] == "token" and reset > 0 and kinds[reset + 1 :] == ["token", "answer"]
    assert "".join(e["text"] for e in events[:reset]) == "[1] [2] [3]"  # what the client showed, then took back
    final = events[-1]["answer"]
    assert events[reset + 1]["text"] == final.answer == extractive_answer(page_index)
    assert final.backend == "extractive" and UNSUPPORTED_NOTICE in final.notices


def test_streamed_answer_refused_for_missing_terms_is_reset(page_index: NewsIndex):
    with FakeLLM(["衡阳2022年GDP为4000亿元[1]。"]) as llm:
        events = list(assistant_for(page_index, llm.base_url).stream(UNANSWERABLE))
    kinds = [e["type"] for e in events]
    assert kinds[-3:] == ["reset", "token", "answer"] and kinds.count("reset") == 1
    final = events[-1]["answer"]
    assert final.refused and events[-2]["text"] == final.answer and "4000" not in final.answer


def test_llm_refusal_and_evidence_based_refusal(page_index: NewsIndex):
    """An LLM refusal stands when the extractive answerer refuses too; an answer naming what the sources
    lack is refused."""
    with FakeLLM(["资料中没有找到相关信息。"]) as llm:
        refusal = assistant_for(page_index, llm.base_url).ask(NOT_ON_THE_PAGE)
    assert refusal.refused and refusal.backend == "openai" and refusal.answer == "资料中没有找到相关信息。"
    assert REFUSAL_NOTICE not in refusal.notices and UNSUPPORTED_NOTICE not in refusal.notices
    with FakeLLM(["衡阳2022年GDP为4000亿元[1]。"]) as llm:
        answer = assistant_for(page_index, llm.base_url).ask(UNANSWERABLE)
    assert answer.refused and any("GDP" in n for n in answer.notices)


def test_follow_up_is_condensed_by_the_llm(page_index: NewsIndex):
    with FakeLLM(["刘越高在长沙还和谁会谈了？", "刘越高还与省应急管理厅厅长李大剑进行了会谈[2]。"]) as llm:
        history = [
            {"role": "user", "content": "刘越高拜访了哪些部门？"},
            {"role": "assistant", "content": "省商务厅等。"},
        ]
        answer = assistant_for(page_index, llm.base_url).ask("他在长沙还和谁会谈了？", history)
    assert answer.standalone_question == "刘越高在长沙还和谁会谈了？"
    assert "李大剑" in answer.answer


def test_server_down_or_slow_falls_back_to_extractive(page_index: NewsIndex):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    answer = assistant_for(page_index, f"http://127.0.0.1:{dead_port}/v1").ask(QUESTION)
    assert answer.backend == "extractive" and FALLBACK_NOTICE in answer.notices and "朱光耀" in answer.answer
    with FakeLLM(["太慢了[1]。"], delay=3) as llm:
        slow = assistant_for(page_index, llm.base_url, timeout=0.5).ask(QUESTION)
    assert slow.backend == "extractive" and FALLBACK_NOTICE in slow.notices
