"""Retrieval quality on the page's gold set meets the bar (hybrid hit@5 ≥ 0.95, MRR ≥ 0.85)."""

from __future__ import annotations

from eval.gold import load_gold
from eval.retrieval import score
from rag.index import NewsIndex
from tests.conftest import GOLD


def test_hybrid_meets_the_bar_and_beats_single_retrievers(page_index: NewsIndex):
    items = [i for i in load_gold(GOLD) if i.answerable and i.type != "followup"]
    assert len(items) >= 40
    results = {mode: score(page_index, items, mode) for mode in ("dense", "bm25", "hybrid")}
    hybrid = results["hybrid"]
    assert hybrid["hit@5"] >= 0.95 and hybrid["MRR"] >= 0.85
    assert hybrid["MRR"] >= max(results["dense"]["MRR"], results["bm25"]["MRR"])
