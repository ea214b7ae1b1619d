"""Score one answered question (correctness, F1, citations) and summarise a set of scored questions."""

from __future__ import annotations

from collections.abc import Sequence

from eval.metrics import answer_correct, char_f1, hit_at, percentile, precision_recall, squash
from eval.retrieval import ranking_metrics
from rag.cite import split_cited_sentences, strip_citations

STAGES = ("condense_ms", "retrieve_ms", "answer_ms", "verify_ms", "total_ms")
Groups = list[list[str]] | None


def reference_text(groups: Sequence[Sequence[str]]) -> str:
    """The reference answer for F1: the first member of every group, joined."""
    return "".join(group[0] for group in groups if group)


def citation_markers(answer: str) -> int:
    """How many `[n]` the raw answer cites (per sentence, repeats counted once), valid or not."""
    return sum(len(cited) for _, cited in split_cited_sentences(answer))


def citation_recall(groups: Sequence[Sequence[str]], cited_texts: Sequence[str]) -> float:
    """Share of answer groups with a member that occurs in some cited chunk (0.0 when nothing is cited)."""
    texts = [squash(t) for t in cited_texts]
    covered = sum(any(squash(m) in t for m in group for t in texts) for group in groups)
    return covered / len(groups) if groups else 1.0


def correctness(groups: Groups, answer: str, refused: bool) -> tuple[bool | None, float | None]:
    """(correct, char F1): an unanswerable item (no groups) must be refused; unknown answers score None."""
    if groups is None:
        return None, None
    if not groups:
        return refused, float(refused)
    if refused:
        return False, 0.0
    text = strip_citations(answer)
    return answer_correct(text, groups), char_f1(text, reference_text(groups))


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarise(records: Sequence[dict]) -> dict[str, float | None]:
    """Retrieval (answerable questions), answer, citation, refusal and latency metrics of scored records."""
    answerable = [r for r in records if r["answerable"]]
    result: dict[str, float | None] = {"n": float(len(records))}
    result.update(ranking_metrics([[h["relevant"] for h in r["retrieved"]] for r in answerable]))
    result["accuracy"] = _mean([float(r["correct"]) for r in records if r["correct"] is not None])
    result["F1"] = _mean([r["f1"] for r in records if r["f1"] is not None])
    markers = sum(r["citation_markers"] for r in records)
    result["citation validity"] = sum(len(r["citations"]) for r in records) / markers if markers else None
    result["flagged sentences"] = float(sum(len(r["flagged"]) for r in records))
    result["citation recall"] = _mean([r["citation_recall"] for r in records if r["citation_recall"] is not None])
    refused, unanswerable = [r["refused"] for r in records], [not r["answerable"] for r in records]
    precision, recall = precision_recall(refused, unanswerable)
    result["refusal P"] = precision if any(refused) else None
    result["refusal R"] = recall if any(unanswerable) else None
    for stage in STAGES:
        values = [r["timings"][stage] for r in records if stage in r["timings"]]
        result[f"{stage} p50"] = percentile(values, 50) if values else None
        result[f"{stage} p95"] = percentile(values, 95) if values else None
    return result


def hit_curve(records: Sequence[dict], depth: int = 10) -> list[float]:
    """hit@1..depth over the answerable records."""
    rows = [[h["relevant"] for h in r["retrieved"]] for r in records if r["answerable"]]
    return [sum(hit_at(row, k) for row in rows) / len(rows) if rows else 0.0 for k in range(1, depth + 1)]
