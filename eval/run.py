"""Run an end-to-end evaluation: ask every gold question, score retrieval, answers and citations, write a report.

`newsqa eval --qa FILE.jsonl [--corpus PATH ...] [--compare]` (or `python -m eval ...`) runs it;
with `--compare` the same questions go to BM25-only, dense-only and a plain LangChain RAG too.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from eval.baselines import LangChainBaseline
from eval.gold import GoldItem, load_gold
from eval.report import headline_table, write_report
from eval.retrieval import DEPTH, judge_articles, ranked_articles
from eval.scoring import citation_markers, citation_recall, correctness, summarise
from rag.answer.question import question_type
from rag.chain import Assistant
from rag.errors import NewsqaError
from rag.index import NewsIndex
from rag.question_file import read_questions
from rag.retrieve import HybridRetriever, Mode
from rag.settings import Settings
from rag.types import Answer

Ranked = list[tuple[str, str, str]]


@dataclass
class System:
    """A system under evaluation: how it answers, and how it ranks articles for the retrieval metrics."""

    name: str
    assistant: Assistant
    rank: Callable[[str], Ranked]
    backend: str


def read_gold(path: Path) -> list[GoldItem]:
    """The gold set, or one clear error naming the file (and the line, for broken JSON)."""
    if not path.is_file():
        raise NewsqaError(f"找不到问答文件 {path}", f"no QA file {path}")
    read_questions(path)  # every line is a JSON object with a question, or an error with its line number
    try:
        return load_gold(path)
    except (ValueError, KeyError, TypeError, AttributeError) as error:  # e.g. a plain-text line, no id
        raise NewsqaError(
            f"{path} 不是有效的问答 JSONL（每行需有 id 和 question）",
            f"{path} is not a valid QA JSONL file (each line needs id and question): {error!r}",
        ) from error


def hybrid_ranker(index: NewsIndex, mode: Mode) -> Callable[[str], Ranked]:
    retriever = HybridRetriever(index=index, k=DEPTH, mode=mode, neighbours=False)
    return lambda question: ranked_articles(retriever.search(question))


def mode_assistant(index: NewsIndex, mode: Mode) -> Assistant:
    """Our chain over a single retriever (neighbours included, as in the hybrid chain)."""
    return Assistant(index.settings, index, retriever=HybridRetriever(index=index, k=index.settings.k, mode=mode))


BASELINES = ("bm25", "dense", "langchain")


def build_systems(index: NewsIndex, backend: str, baselines: Sequence[str], show_progress: bool) -> list[System]:
    """newsqa itself, then the chosen baselines: BM25-only, dense-only (extractive) and the LangChain RAG."""
    systems = [System("newsqa", Assistant(index.settings, index), hybrid_ranker(index, "hybrid"), backend)]
    for mode in ("bm25", "dense"):
        if mode in baselines:
            systems.append(
                System(f"{mode}-only", mode_assistant(index, mode), hybrid_ranker(index, mode), "extractive")
            )
    if "langchain" not in baselines:
        return systems
    baseline = LangChainBaseline(index, index.settings.data_dir / "baseline-langchain")
    added, removed = baseline.sync(show_progress)
    print(f"langchain baseline: {added} article(s) added, {removed} chunk(s) removed", file=sys.stderr)
    systems.append(
        System(
            "langchain",
            Assistant(index.settings, index, retriever=baseline.retriever()),
            lambda question: baseline.ranked(question, DEPTH),
            "extractive",
        )
    )
    return systems


def score_item(index: NewsIndex, system: System, item: GoldItem, k: int | None) -> dict:
    """Ask one question and score it; a question the chain rejects is recorded with its error."""
    error = ""
    try:
        answer = system.assistant.ask(item.question, history=item.history, k=k, backend=system.backend)
    except NewsqaError as exc:
        error = str(exc)
        answer = Answer(question=item.question, answer="", refused=True, standalone_question=item.question)
    ranked = system.rank(answer.standalone_question)
    relevant = judge_articles(index, item, ranked)
    correct, f1 = correctness(item.answer_groups, answer.answer, answer.refused)
    by_n = {s.n: s for s in answer.sources}
    cited = [by_n[c.n].title + "\n" + by_n[c.n].text for c in answer.citations if c.n in by_n]
    return {
        "system": system.name,
        "id": item.id,
        "type": item.type or "untyped",
        "asks": question_type(answer.standalone_question),
        "question": item.question,
        "history": item.history,
        "standalone_question": answer.standalone_question,
        "answer_groups": item.answer_groups,
        "answerable": item.answerable,
        "answer": answer.answer,
        "short_answer": answer.short_answer,
        "refused": answer.refused,
        "correct": correct,
        "f1": f1,
        "citations": [c.model_dump(include={"n", "article_id", "title", "quote"}) for c in answer.citations],
        "citation_markers": citation_markers(answer.answer),
        "flagged": [{"sentence": x.text, "flags": x.flags} for x in answer.sentences if x.flags or not x.supported],
        "citation_recall": citation_recall(item.answer_groups, cited) if item.answer_groups else None,
        "retrieved": [
            {"rank": rank, "article_id": article_id, "title": title, "relevant": ok}
            for rank, ((_, article_id, title), ok) in enumerate(zip(ranked, relevant, strict=True), start=1)
        ],
        "sources": [s.article_id for s in answer.sources],
        "evidence_doc_ids": item.evidence_doc_ids,
        "timings": answer.timings,
        "backend": answer.backend,
        "notices": answer.notices,
        "error": error,
    }


def run_eval(
    qa: Path,
    settings: Settings,
    out: Path,
    corpus: Sequence[Path] = (),
    backend: str | None = None,
    k: int | None = None,
    baselines: Sequence[str] = (),
    limit: int | None = None,
    show_progress: bool = True,
) -> dict[str, dict]:
    """Evaluate `qa` against the index in `settings.data_dir` (after ingesting `corpus`); returns the summary."""
    items = read_gold(qa)[:limit]
    if not items:
        raise NewsqaError(f"{qa} 中没有问题", f"no questions in {qa}")
    index = NewsIndex(settings)
    if corpus:
        from ingest.pipeline import ingest_paths

        print(f"ingest: {ingest_paths(index, corpus, show_progress=show_progress).summary()}", file=sys.stderr)
    index.require_content()
    backend = backend or settings.answer_backend
    if backend not in ("extractive", "openai"):
        raise NewsqaError(f"未知的回答方式 {backend}", f"unknown backend {backend}: use extractive or openai")
    records: list[dict] = []
    unknown = sorted(set(baselines) - set(BASELINES))
    if unknown:
        raise NewsqaError(f"未知的基线 {unknown}", f"unknown baseline(s) {unknown}: choose from {', '.join(BASELINES)}")
    for system in build_systems(index, backend, baselines, show_progress):
        for item in tqdm(items, desc=system.name, unit="question", disable=not show_progress):
            records.append(score_item(index, system, item, k))
    summary = {
        name: {
            "overall": summarise(rows),
            "by_type": _grouped(rows, "type"),
            "by_asked": _grouped(rows, "asks"),
        }
        for name, rows in _by_system(records).items()
    }
    setup = {
        "qa": str(qa),
        "questions": len(items),
        "data_dir": str(settings.data_dir),
        "backend": backend,
        "k": k or settings.k,
        "embedding_model": settings.embedding_model,
        **index.catalog.counts(),
    }
    write_report(out, summary, records, setup)
    print(headline_table(summary))
    print(f"\nreport: {out / 'report.md'}  results: {out / 'results.jsonl'}")
    return summary


def _grouped(rows: Sequence[dict], key: str) -> dict[str, dict]:
    """The summary of each group of rows with the same value under `key`, in order of appearance."""
    return {value: summarise([r for r in rows if r[key] == value]) for value in dict.fromkeys(r[key] for r in rows)}


def _by_system(records: Sequence[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for record in records:
        grouped.setdefault(record["system"], []).append(record)
    return grouped
