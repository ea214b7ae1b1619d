"""Evaluation metrics on hand-made cases whose values are known."""

from __future__ import annotations

import math

import numpy as np
import pytest

from eval.metrics import char_f1, ndcg_at, percentile, reciprocal_rank
from eval.replay import replay
from eval.retrieval import ranking_metrics
from eval.scoring import citation_markers, citation_recall, correctness, hit_curve, reference_text, summarise


def record(relevant: list[bool], **fields: object) -> dict:
    base = {
        "answerable": True,
        "retrieved": [{"relevant": ok} for ok in relevant],
        "correct": True,
        "f1": 1.0,
        "citations": [],
        "citation_markers": 0,
        "flagged": [],
        "citation_recall": None,
        "refused": False,
        "timings": {},
    }
    return base | fields


def test_known_rankings_give_known_hits_mrr_and_ndcg():
    rows = [[True, False], [False, True, False], [False, False, False]]
    metrics = ranking_metrics(rows)
    assert metrics["hit@1"] == pytest.approx(1 / 3)
    assert metrics["hit@3"] == metrics["hit@10"] == pytest.approx(2 / 3)
    assert metrics["MRR"] == pytest.approx((1 + 1 / 2 + 0) / 3)
    assert metrics["nDCG@10"] == pytest.approx((1 + 1 / math.log2(3) + 0) / 3)
    assert reciprocal_rank([False, False, False, True]) == 0.25
    assert ndcg_at([True, False, True], 10, total_relevant=2) == pytest.approx(
        (1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    )
    assert hit_curve([record(r) for r in rows], depth=3) == pytest.approx([1 / 3, 2 / 3, 2 / 3])


def test_correctness_needs_every_group_and_refusal_of_the_unanswerable():
    groups = [["华春莹"], ["14日", "十四日"]]
    assert correctness(groups, "外交部发言人华春莹[1]十四日宣布[1]。", refused=False) == (True, pytest.approx(8 / 21))
    assert correctness(groups, "华春莹宣布。", refused=False)[0] is False
    assert correctness(groups, "华春莹14日宣布。", refused=True) == (False, 0.0)
    assert correctness([], "资料中没有找到相关信息。", refused=True) == (True, 1.0)
    assert correctness([], "一个编造的回答。", refused=False) == (False, 0.0)
    assert correctness(None, "anything", refused=False) == (None, None)
    assert reference_text(groups) == "华春莹14日"
    assert char_f1("华春莹14日", "华春莹 14日") == 1.0


def test_citation_markers_count_dropped_ones_and_recall_looks_inside_cited_chunks():
    assert citation_markers("甲说了话[1]。乙[2][3]。丙[1, 4]。丁。") == 5
    assert citation_markers("资料中没有找到相关信息。") == 0
    cited = ["外交部发言人华春莹14日宣布", "别的新闻"]
    assert citation_recall([["华春莹"], ["12月15日"]], cited) == 0.5
    assert citation_recall([["华春莹"], ["十四日", "14日"]], cited) == 1.0
    assert citation_recall([["华春莹"]], []) == 0.0


def test_summarise_aggregates_citations_refusals_and_latency():
    records = [
        record([True], citations=[{"n": 1}], citation_markers=2, citation_recall=1.0, timings={"total_ms": 10.0}),
        record(
            [False, True],
            correct=False,
            f1=0.5,
            citation_recall=0.0,
            timings={"total_ms": 30.0},
            flagged=[{"sentence": "去年增长了9%。", "flags": ["数字 9 不在任何来源中"]}],
        ),
        record([], answerable=False, refused=True, timings={"total_ms": 20.0}),
        record([True], refused=True, correct=False, f1=0.0, citation_recall=0.0, timings={"total_ms": 40.0}),
    ]
    summary = summarise(records)
    assert summary["n"] == 4
    assert summary["MRR"] == pytest.approx((1 + 0.5 + 1) / 3)  # unanswerable questions are not ranked
    assert summary["accuracy"] == 0.5 and summary["F1"] == pytest.approx(2.5 / 4)
    assert summary["citation validity"] == 0.5  # one kept of two markers
    assert summary["citation recall"] == pytest.approx(1 / 3)
    assert summary["flagged sentences"] == 1
    assert (summary["refusal P"], summary["refusal R"]) == (0.5, 1.0)
    assert summary["total_ms p50"] == 25.0 and summary["condense_ms p50"] is None
    assert summarise(records[:2])["refusal P"] is None  # nothing refused, nothing to refuse: not measurable


def test_percentile_interpolates():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert percentile([], 50) == 0.0


def _candidate(text: str, coverage: float, article: float, typed: bool, article_id: str) -> dict:
    """A cached candidate as `eval.replay` reads it (the features `rank_sentences` keeps)."""
    features = {"article": article, "context": 0.0, "title": 0.0, "rank": 1.0}
    return {
        "text": text,
        "key": ["a.txt", article_id, 0],
        "score": coverage,
        "coverage": coverage,
        "typed": typed,
    } | features


def test_a_replayed_setting_picks_refuses_and_scores_like_the_answerer():
    wordy = _candidate("大桥建成。", 0.6, 0.9, False, "a#1")
    typed = _candidate("大桥于1990年建成。", 0.5, 0.9, True, "b#1")  # another article: never a second sentence
    rows = [
        {"groups": [["1990年"]], "parts": [[wordy, typed]]},
        {"groups": [], "parts": [[_candidate("另一座桥。", 0.4, 0.5, False, "c#1")]]},  # unanswerable
    ]
    by_words = replay(rows, lambda c: True, lambda c: c["coverage"], min_score=0.0)
    typed_first = replay(
        rows, lambda c: c["article"] >= 0.67, lambda c: c["coverage"] + (0.3 if c["typed"] else 0.0), min_score=0.0
    )
    assert (by_words.accuracy, by_words.refusal_f1) == (0.0, 0.0)  # answers both, the first one wrongly
    assert (typed_first.accuracy, typed_first.refusal_f1) == (1.0, 1.0)  # right answer, right refusal
    assert typed_first.objective == 1.0 and by_words.objective == 0.0
    scored = replay(rows, lambda c: True, lambda c: c["coverage"], min_score=0.45)  # the best must reach 0.45
    assert (scored.accuracy, scored.refusal_f1) == (0.0, 1.0)  # the other bridge (0.4) is refused


def test_logistic_fit_recovers_known_weights_and_counts_weighted_rows():
    from eval.logistic import fit_logistic

    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=(20000, 2))
    p = 1 / (1 + np.exp(-(3.0 * x[:, 0] - 2.0 * x[:, 1] - 0.5)))
    y = (rng.uniform(size=len(p)) < p).astype(float)
    w, b = fit_logistic(x, y, l2=0.0)
    assert w == pytest.approx([3.0, -2.0], abs=0.15)
    assert b == pytest.approx(-0.5, abs=0.1)
    # rows of a small group weighted up move the fit towards that group
    x2, y2 = np.zeros((100, 1)), np.concatenate([np.ones(10), np.zeros(90)])
    _, plain = fit_logistic(x2, y2)
    _, balanced = fit_logistic(x2, y2, np.concatenate([np.full(10, 9.0), np.ones(90)]))
    assert 1 / (1 + np.exp(-plain)) == pytest.approx(0.1, abs=0.01)
    assert 1 / (1 + np.exp(-balanced)) == pytest.approx(0.5, abs=0.01)
