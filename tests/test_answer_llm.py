"""The `openai` backend against a real loopback server speaking chat-completions; verification catches bad replies."""

from __future__ import annotations

import socket

from rag.chain import FALLBACK_NOTICE, Assistant
from rag.index import NewsIndex
from tests.fake_llm_server import FakeLLM

QUESTION = "长沙海关的关长是谁？"


def assistant_for(index: NewsIndex, base_url: str, timeout: float = 30.0) -> Assistant:
    settings = index.settings.model_copy(
        update={"answer_backend": "openai", "openai_base_url": base_url, "llm_timeout": timeout}
    )
    return Assistant(settings, index)


def source_holding(index: NewsIndex, text: str) -> int:
    """The number the chain gives the source that contains `text` for QUESTION."""
    return next(s.n for s in Assistant(index.settings, index).ask(QUESTION).sources if text in s.text)


def test_correct_citation_is_kept_and_prompt_numbers_sources(page_index: NewsIndex):
    n = source_holding(page_index, "关长朱光耀")
    with FakeLLM([f"长沙海关党委书记、关长是朱光耀[{n}]。"]) as llm:
        answer = assistant_for(page_index, llm.base_url).ask(QUESTION)
    prompt = llm.requests[0]["messages"][-1]["content"]
    assert f"[{n}]《" in prompt and QUESTION in prompt
    assert answer.backend == "openai" and not answer.refused
    assert [c.n for c in answer.citations] == [n] and "朱光耀" in answer.citations[0].quote
    assert answer.sentences[0].supported and not answer.sentences[0].flags


def test_out_of_range_citation_and_invented_number_are_caught(page_index: NewsIndex):
    n = source_holding(page_index, "关长朱光耀")
    with FakeLLM([f"长沙海关关长是朱光耀[99]。长沙海关去年监管货值达到8848亿元[{n}]。"]) as llm:
        answer = assistant_for(page_index, llm.base_url).ask(QUESTION)
    first, second = answer.sentences
    assert not first.supported and any("[99]" in f for f in first.flags)
    assert not second.supported and any("8848" in f for f in second.flags)
    assert answer.citations == []


def test_streaming_tokens_then_verified_answer(page_index: NewsIndex):
    n = source_holding(page_index, "关长朱光耀")
    with FakeLLM([f"朱光耀是长沙海关关长[{n}]。"]) as llm:
        events = list(assistant_for(page_index, llm.base_url).stream(QUESTION))
    tokens = "".join(e["text"] for e in events if e["type"] == "token")
    assert len([e for e in events if e["type"] == "token"]) > 1
    final = events[-1]["answer"]
    assert tokens == final.answer == f"朱光耀是长沙海关关长[{n}]。"
    assert final.citations and final.citations[0].n == n


def test_llm_refusal_and_evidence_based_refusal(page_index: NewsIndex):
    with FakeLLM(["资料中没有找到相关信息。"]) as llm:
        assert assistant_for(page_index, llm.base_url).ask("衡阳2022年GDP是多少？").refused
    with FakeLLM(["衡阳2022年GDP为4000亿元[1]。"]) as llm:
        answer = assistant_for(page_index, llm.base_url).ask("衡阳2022年GDP是多少？")
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
