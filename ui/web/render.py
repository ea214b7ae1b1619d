"""HTML for the chat face: answers with clickable `[n]` citations, source cards with highlighted quotes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path

from ingest.uploads import UploadedFile
from rag.cite import marker_position
from rag.types import Answer, AnswerSentence, Citation, Source

SOURCES_PLACEHOLDER = (
    '<div class="nq-empty">提问后，这里会列出回答引用的报道原文，引文以黄色标出。'
    "<br><small>(Ask a question: its sources appear here, the quoted passage highlighted.)</small></div>"
)
TIMING_LABELS = {
    "condense_ms": "改写问题 condense",
    "retrieve_ms": "检索 retrieve",
    "retrieve_embed_ms": "· 向量化 embed",
    "retrieve_dense_ms": "· 向量检索 dense",
    "retrieve_bm25_ms": "· BM25",
    "retrieve_fuse_ms": "· 融合 fuse",
    "answer_ms": "生成回答 answer",
    "verify_ms": "核验引用 verify",
    "total_ms": "合计 total",
}
UPLOAD_STATUS = {
    "ingested": "已导入 (ingested)",
    "replaced": "已替换旧版本 (replaced)",
    "unchanged": "内容未变 (unchanged)",
}
BACKEND_LABELS = {"extractive": "抽取式 (extractive)", "openai": "大模型 (LLM)"}


def question_html(question: str, standalone: str = "") -> str:
    """A user turn; a follow-up also shows, small, the standalone question that was searched."""
    shown = f'<div class="nq-standalone">↳ 完整问题 (standalone)：{escape(standalone)}</div>' if standalone else ""
    return f"{escape(question)}{shown}"


def streaming_html(text: str) -> str:
    """The answer while it is being written (citations are verified only at the end)."""
    return f'<span class="nq-streaming">{escape(text) or "……"}</span>'


def status_html(message: str, ok: bool) -> str:
    """A one-line outcome: ✓ done, or ⚠ a problem (a user error, a skipped file)."""
    return f'<div class="nq-ok">✓ {escape(message)}</div>' if ok else f'<div class="nq-bad">⚠ {escape(message)}</div>'


def upload_report_html(results: Sequence[UploadedFile]) -> str:
    """A line per uploaded file (what happened, how much it added), then each skipped file or record and why."""
    lines = []
    for result in results:
        if result.status != "skipped":
            added = (
                f"{result.articles} 篇文章、{result.chunks} 个片段 ({result.articles} articles, {result.chunks} chunks)"
            )
            lines.append(status_html(f"{result.name}：{UPLOAD_STATUS[result.status]}，{added}", ok=True))
        lines += [status_html(f"{result.name}：已跳过 (skipped) — {reason}", ok=False) for reason in result.reasons]
    return "".join(lines)


def _cite_link(turn: int, n: int, source: Source | None, citation: Citation | None) -> str:
    if source is None:
        return f'<sup class="nq-cite nq-cite-bad">[{n}]</sup>'
    quote = citation.quote if citation else source.text
    tooltip = f"[{n}] 《{source.title}》 {source.date} {source.paper}\n{quote[:160]}"
    return f'<a class="nq-cite" href="#nq-src-{turn}-{n}" title="{escape(tooltip)}"><sup>[{n}]</sup></a>'


def _sentence_html(turn: int, position: int, sentence: AnswerSentence, answer: Answer) -> str:
    by_n = {s.n: s for s in answer.sources}
    quotes = {c.n: c for c in answer.citations if c.sentence == position}
    links = "".join(_cite_link(turn, n, by_n.get(n), quotes.get(n)) for n in sentence.cites)
    at = marker_position(sentence.text)
    text, end = escape(sentence.text[:at]), escape(sentence.text[at:])
    if sentence.supported and not sentence.flags:
        return f'<span class="nq-sentence">{text}</span>{links}{end}'
    notes = sentence.flags or ["没有来源支持这句话 (no source supports this sentence)"]
    return (
        f'<span class="nq-sentence nq-unsupported" title="{escape(chr(10).join(notes))}">{text}</span>{links}{end}'
        f'<span class="nq-flag">⚠ {escape("；".join(notes))}</span>'
    )


def answer_html(answer: Answer, turn: int) -> str:
    """The final answer of chat turn `turn`: notices, then each sentence with its `[n]` links to that turn's cards."""
    notices = "".join(f'<div class="nq-notice">ℹ {escape(notice)}</div>' for notice in answer.notices)
    if answer.refused:
        body = (
            f'<div class="nq-refusal">{escape(answer.answer)}</div>'
            '<div class="nq-hint">右侧列出了最接近的资料，供参考 (the closest sources are listed beside the chat)</div>'
        )
    elif answer.sentences:
        body = "".join(_sentence_html(turn, i, s, answer) for i, s in enumerate(answer.sentences))
    else:
        body = escape(answer.answer)
    return f'{notices}<div class="nq-answer">{body}</div>'


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlighted_passage(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """The passage, escaped, with each quoted span in `<mark>` (overlapping spans merged)."""
    valid = ((max(0, s), min(len(text), e)) for s, e in spans if 0 <= s < e)
    parts, cursor = [], 0
    for start, end in _merged(valid):
        parts += [escape(text[cursor:start]), f"<mark>{escape(text[start:end])}</mark>"]
        cursor = end
    parts.append(escape(text[cursor:]))
    return "".join(parts).replace("\n", "<br>")


def _page_figure(source: Source, image: str) -> str:
    """The page image of a PDF source (a data URI), under the passage."""
    where = " · ".join(part for part in (source.region.edition, source.region.section) if part)
    caption = f"版面 page {source.region.page}" + (f" · {escape(where)}" if where else "")
    return (
        f'<figure class="nq-page"><img src="{image}" alt="{caption}" loading="lazy">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def _source_card(source: Source, answer: Answer, turn: int, details: bool, image: str = "") -> str:
    spans = [(c.quote_start, c.quote_end) for c in answer.citations if c.n == source.n]
    cited = bool(spans)
    badge = '<span class="nq-badge">已引用 cited</span>' if cited else '<span class="nq-badge nq-dim">未引用</span>'
    meta = " · ".join(escape(part) for part in (source.date, source.paper, Path(source.source).name) if part)
    extra = ""
    if details:
        extra = (
            f'<div class="nq-details">检索方式 found by: <b>{escape(" + ".join(source.found_by) or "-")}</b>'
            f" · 得分 score {source.score:.4f} · 位置 chars {source.start}–{source.end}"
            f"<br><code>{escape(source.chunk_id)}</code></div>"
        )
    is_open = " open" if cited or answer.refused else ""
    return (
        f'<details class="nq-source" id="nq-src-{turn}-{source.n}"{is_open}>'
        f'<summary><span class="nq-n">[{source.n}]</span> <span class="nq-title">{escape(source.title)}</span>{badge}'
        f'<div class="nq-meta">{meta}</div></summary>'
        f'<div class="nq-passage">{highlighted_passage(source.text, spans)}</div>'
        f"{_page_figure(source, image) if image else ''}{extra}</details>"
    )


def _timings_table(timings: dict[str, float]) -> str:
    rows = "".join(
        f"<tr><td>{escape(TIMING_LABELS.get(key, key))}</td><td>{value:,.0f} ms</td></tr>"
        for key, value in timings.items()
    )
    return f'<table class="nq-timings">{rows}</table>'


def sources_html(
    answer: Answer | None, turn: int = 0, details: bool = False, page_images: dict[int, str] | None = None
) -> str:
    """The sources panel for the last answer (the closest sources when it was a refusal); `page_images`
    holds the page image (a data URI) of source n, for sources from a PDF."""
    if answer is None:
        return SOURCES_PLACEHOLDER
    heading = "最接近的资料 (closest sources)" if answer.refused else "来源 (sources)"
    backend = BACKEND_LABELS.get(answer.backend, answer.backend)
    header = (
        f'<div class="nq-panel-head"><b>{heading}</b>'
        f'<span class="nq-dim">{len(answer.sources)} 条 · {escape(backend)}</span></div>'
    )
    timings = _timings_table(answer.timings) if details and answer.timings else ""
    images = page_images or {}
    cards = "".join(_source_card(s, answer, turn, details, images.get(s.n, "")) for s in answer.sources)
    return header + timings + (cards or '<div class="nq-empty">没有检索到资料 (nothing retrieved)</div>')
