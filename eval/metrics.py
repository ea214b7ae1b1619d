"""Evaluation metrics: ranking (hit@k, MRR, nDCG), answer correctness, character F1, refusal."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Text without any whitespace, for containment checks across wrapped lines."""
    return _SPACE.sub("", text)


def first_relevant_rank(relevant: Sequence[bool]) -> int | None:
    """1-based rank of the first relevant result, or None."""
    return next((i for i, ok in enumerate(relevant, start=1) if ok), None)


def hit_at(relevant: Sequence[bool], k: int) -> float:
    return 1.0 if any(relevant[:k]) else 0.0


def reciprocal_rank(relevant: Sequence[bool]) -> float:
    rank = first_relevant_rank(relevant)
    return 1.0 / rank if rank else 0.0


def ndcg_at(relevant: Sequence[bool], k: int, total_relevant: int = 1) -> float:
    """Binary-gain nDCG@k; the ideal ranking puts `total_relevant` relevant results first."""
    dcg = sum(1.0 / math.log2(i + 1) for i, ok in enumerate(relevant[:k], start=1) if ok)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(k, max(total_relevant, 1)) + 1))
    return dcg / ideal if ideal else 0.0


def answer_correct(answer: str, answer_groups: Sequence[Sequence[str]]) -> bool:
    """Correct when every group has at least one member occurring in the answer."""
    text = squash(answer)
    return all(any(squash(member) in text for member in group) for group in answer_groups)


def char_f1(prediction: str, reference: str) -> float:
    """Character-level F1 (bag of characters, whitespace ignored), as used for Chinese QA."""
    pred, ref = Counter(squash(prediction)), Counter(squash(reference))
    common = sum((pred & ref).values())
    if not common:
        return 0.0
    precision, recall = common / sum(pred.values()), common / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


def precision_recall(predicted: Sequence[bool], actual: Sequence[bool]) -> tuple[float, float]:
    """Precision and recall of a binary decision (e.g. refusal); 1.0 when nothing to measure."""
    tp = sum(p and a for p, a in zip(predicted, actual, strict=True))
    predicted_n, actual_n = sum(predicted), sum(actual)
    return (tp / predicted_n if predicted_n else 1.0, tp / actual_n if actual_n else 1.0)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
