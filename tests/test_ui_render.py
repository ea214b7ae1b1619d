"""The chat face's HTML: citation links, unsupported sentences, refusals, highlighted quotes, and a streamed
chat turn whose LLM reply is taken back."""

from __future__ import annotations

from html import escape

from ingest.uploads import UploadedFile
from rag.chain import UNSUPPORTED_NOTICE, Assistant
from rag.index import NewsIndex
from rag.types import Answer, AnswerSentence, Citation, Source
from tests.fake_llm_server import FakeLLM
from ui.web.app import chat_turn
from ui.web.render import answer_html, highlighted_passage, question_html, sources_html, upload_report_html

PASSAGE = "12日下午，刘越高与朱光耀座谈。长沙海关将加强对接交流。<b>"
SOURCE = Source(
    n=1, chunk_id="c1", article_id="a1", title="刘越高率队赴省直相关部门对接工作", date="2022-12-15",
    paper="衡阳日报", source="/data/hengyang.txt", text=PASSAGE, start=0, end=len(PASSAGE), score=0.03,
    found_by=["bm25", "dense"],
)  # fmt: skip
QUOTE_START = PASSAGE.index("长沙海关")


def answer(**changes: object) -> Answer:
    fields: dict = {
        "question": "长沙海关怎么说？",
        "answer": "长沙海关将加强对接交流[1]。关长已于2021年退休。",
        "refused": False,
        "standalone_question": "长沙海关怎么说？",
        "sources": [SOURCE],
        "citations": [
            Citation(
                n=1,
                chunk_id="c1",
                article_id="a1",
                title=SOURCE.title,
                quote="长沙海关将加强对接交流。",
                quote_start=QUOTE_START,
                quote_end=QUOTE_START + 12,
                sentence=0,
            )
        ],
        "sentences": [
            AnswerSentence(text="长沙海关将加强对接交流。", cites=[1]),
            AnswerSentence(text="关长已于2021年退休。", supported=False, flags=["数字 2021 不在任何来源中"]),
        ],
        "notices": ["大模型服务不可用"],
        "timings": {"total_ms": 12.5},
    }
    return Answer(**{**fields, **changes})


def test_citations_link_to_their_card_and_unsupported_sentences_are_marked():
    html = answer_html(answer(), turn=3)
    assert '<a class="nq-cite" href="#nq-src-3-1" title="[1] 《刘越高率队赴省直相关部门对接工作》' in html
    assert "<sup>[1]</sup></a>。" in html  # the marker before the full stop, as the answer text writes it
    assert '<span class="nq-sentence">长沙海关将加强对接交流</span><a class="nq-cite"' in html
    assert (
        '<span class="nq-sentence nq-unsupported" title="数字 2021 不在任何来源中">关长已于2021年退休</span>。' in html
    )
    assert "⚠ 数字 2021 不在任何来源中" in html
    assert '<div class="nq-notice">ℹ 大模型服务不可用</div>' in html


def test_refusal_points_to_the_closest_sources_which_are_all_open():
    refused = answer(answer="资料中没有找到相关信息。", refused=True, citations=[], sentences=[])
    assert "最接近的资料" in answer_html(refused, turn=1)
    panel = sources_html(refused, turn=1)
    assert "最接近的资料 (closest sources)" in panel and '<details class="nq-source" id="nq-src-1-1" open>' in panel


def test_the_quoted_span_is_highlighted_and_everything_is_escaped():
    panel = sources_html(answer(), turn=2, details=True)
    assert "<mark>长沙海关将加强对接交流。</mark>&lt;b&gt;" in panel
    assert "bm25 + dense" in panel and "合计 total" in panel
    assert "bm25" not in sources_html(answer(), turn=2, details=False)
    assert highlighted_passage("abcdef", [(1, 3), (2, 4), (-1, 2)]) == "a<mark>bcd</mark>ef"
    assert question_html("其中<哪个>？", "完整问题") == (
        '其中&lt;哪个&gt;？<div class="nq-standalone">↳ 完整问题 (standalone)：完整问题</div>'
    )


def test_an_upload_report_has_a_line_per_file_and_per_skipped_reason():
    html = upload_report_html(
        [
            UploadedFile(name="a.jsonl", source="/up/a.jsonl", status="ingested", articles=2, chunks=3,
                         reasons=["line 4: no text"]),
            UploadedFile(name="<b>.txt", status="skipped", reasons=["binary file, not text"]),
        ]
    )  # fmt: skip
    assert html == (
        '<div class="nq-ok">✓ a.jsonl：已导入 (ingested)，2 篇文章、3 个片段 (2 articles, 3 chunks)</div>'
        '<div class="nq-bad">⚠ a.jsonl：已跳过 (skipped) — line 4: no text</div>'
        '<div class="nq-bad">⚠ &lt;b&gt;.txt：已跳过 (skipped) — binary file, not text</div>'
    )


def test_a_replaced_llm_reply_is_taken_back_in_the_chat(page_index: NewsIndex):
    """The chat shows the LLM's bare markers while they stream, clears them at the reset, then shows the
    extractive answer with the notice."""
    question = "长沙海关的关长是谁？"
    with FakeLLM(["[1] [2] [3]"]) as llm:
        settings = page_index.settings.model_copy(update={"answer_backend": "openai", "openai_base_url": llm.base_url})
        assistant = Assistant(settings, page_index)
        turn = chat_turn(assistant, question, [], [], "openai", 5, None, None, None, False)
        shown = [messages[-1]["content"] for _, messages, _, _ in turn]
    streamed = next(i for i, html in enumerate(shown) if "[1] [2] [3]" in html)
    cleared = next(i for i, html in enumerate(shown) if i > streamed and "[1] [2] [3]" not in html)
    assert "nq-streaming" in shown[cleared]  # the text was taken back before the answer came
    final = shown[-1]
    assert "nq-streaming" not in final and "[1] [2] [3]" not in final
    assert escape(UNSUPPORTED_NOTICE) in final and "朱光耀" in final
