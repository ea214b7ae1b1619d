"""The answer-selection model: a logistic regression over general features of a candidate sentence.

Its weights and the refusal threshold are fit on the dev sets by `eval/fit_answer_model.py` and
stored in `weights.json` beside this module; `NEWSQA_ANSWER_WEIGHTS` points at another file (the
leave-one-set-out runs use it). The probability is that the candidate holds the answer; a part of a
question whose best candidate falls under the threshold is refused.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FEATURES = (
    "lexical",  # weighted share of the question's words in the sentence
    "context",  # … of the rest in its neighbouring sentences
    "headline",  # … of the rest in its article's headline
    "dense",  # cosine similarity of question and sentence (the index's embedding model)
    "typed",  # has what the question type asks for (a person for 谁, a number in the asked unit …)
    "article",  # share of the question's words its article holds
    "subject",  # share of the question's names in the sentence or the one before it
    "time",  # states the date or year the question asks about
    "rank",  # 1 / the source's retrieval rank
    "position",  # early in its article
    "brevity",  # short
)
DEFAULT_WEIGHTS = Path(__file__).with_name("weights.json")


@dataclass(frozen=True)
class AnswerModel:
    weights: Mapping[str, float]
    bias: float
    threshold: float

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * features.get(name, 0.0) for name in FEATURES)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=4)
def _load(path: str) -> AnswerModel:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return AnswerModel(weights=dict(data["weights"]), bias=float(data["bias"]), threshold=float(data["threshold"]))


def answer_model() -> AnswerModel:
    """The model of `NEWSQA_ANSWER_WEIGHTS`, or the one shipped with the package."""
    return _load(os.environ.get("NEWSQA_ANSWER_WEIGHTS") or str(DEFAULT_WEIGHTS))
