"""Fit the model-based answerer's selection model (logistic regression, numpy) and its refusal threshold.

    python -m eval.fit_answer_model --set page=eval/data/hengyang-2022-12-15.jsonl:/tmp/page-data \\
        --set cmrc=/tmp/cmrc/qa.jsonl:/tmp/cmrc-data --set crud=…:/tmp/crud-data [--leave-out cmrc] \\
        [--cache /tmp/answer-features] [--out rag/answer/weights.json]

Each set is a QA file and the data dir it was ingested into (`newsqa eval` builds it), optionally with
a file of article ids to leave out of every answer's sources (`NAME=QA:DATA_DIR:REMOVED`: the CRUD
unanswerable variant over the index of the whole subset, when there is no time to ingest its own
corpus; the next retrieved passages stand in, so it approximates that corpus). Every question
is asked through the real chain; the candidates the answerer scores for it are recorded with their
features (`rag.answer.model.FEATURES`) and a label: does the candidate hold a gold answer? The
rows are cached per set. The weights are fit on the candidates of every set but `--leave-out`; the
threshold is the one that, on those sets' questions, gives the best refusal F1 (precision and recall
together) when a question is refused whose best candidate scores under it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from tqdm import tqdm

from eval.gold import load_gold
from eval.logistic import fit_logistic
from eval.metrics import squash
from rag.answer.model import FEATURES
from rag.answer.selection import scored_parts
from rag.chain import Assistant
from rag.index import NewsIndex
from rag.settings import Settings
from rag.types import Source

EXTRA_K = 10  # sources asked for when some articles are left out, so that others stand in


def collect(qa: Path, data_dir: Path, removed: frozenset[str] = frozenset()) -> list[dict]:
    """One row per question: whether it is answerable, and each part's candidates (features, label)."""
    index = NewsIndex(Settings(data_dir=data_dir))
    encoded: dict[str, np.ndarray] = {}
    encode = index.embeddings.encode

    def encode_once(texts: list[str]) -> np.ndarray:  # the chain and the rescoring embed the same sentences
        missing = [t for t in dict.fromkeys(texts) if t not in encoded]
        encoded.update(zip(missing, encode(missing), strict=True) if missing else ())
        return np.stack([encoded[t] for t in texts])

    index.embeddings.encode = encode_once  # type: ignore[method-assign]
    assistant = Assistant(index.settings, index)
    rows = []
    for item in tqdm(load_gold(qa), desc=qa.stem, unit="question", file=sys.stderr):
        answer = assistant.ask(item.question, history=item.history, k=EXTRA_K if removed else None)
        sources = [s for s in answer.sources if s.article_id not in removed]
        members = [squash(m) for group in item.answer_groups or [] for m in group]

        def article_text(source: Source) -> str:
            return index.catalog.article_text(source.source, source.article_id)

        parts = scored_parts(
            item.question,
            answer.standalone_question,
            sources,
            article_text,
            index.lexical.has_term,
            encode_once,
        )
        rows.append(
            {
                "id": item.id,
                "answerable": item.answerable,
                "parts": [
                    [{"features": c.features, "label": any(m in squash(c.text) for m in members)} for c in candidates]
                    for _, candidates in parts
                ],
            }
        )
    return rows


def best_threshold(rows: list[dict], w: np.ndarray, b: float) -> tuple[float, float]:
    """(threshold, refusal F1 on `rows`): a question is refused when no part's best candidate reaches it."""

    def top(row: dict) -> float:
        best = max((float((_matrix(part)[0] @ w + b).max()) for part in row["parts"] if part), default=-np.inf)
        return float(1 / (1 + np.exp(-best)))

    tops = np.array([top(r) for r in rows])
    unanswerable = np.array([not r["answerable"] for r in rows])
    best = (0.5, -1.0)
    for t in np.unique(np.round(tops, 3)):
        refused = tops < t
        tp = float(np.sum(refused & unanswerable))
        precision = tp / refused.sum() if refused.any() else 0.0
        recall = tp / unanswerable.sum() if unanswerable.any() else 0.0
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        if f1 > best[1]:
            best = (float(t), f1)
    return best


def _matrix(candidates: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    x = np.array([[float(c["features"].get(name) or 0.0) for name in FEATURES] for c in candidates])
    return x.reshape(len(candidates), len(FEATURES)), np.array([float(c["label"]) for c in candidates])


def fit(rows: list[dict]) -> dict:
    """The weights, bias and threshold fit on these questions' candidates."""
    x, y = _matrix([c for r in rows for part in r["parts"] for c in part])
    w, b = fit_logistic(x, y)
    threshold, f1 = best_threshold(rows, w, b)
    return {
        "weights": {name: round(float(v), 4) for name, v in zip(FEATURES, w, strict=True)},
        "bias": round(b, 4),
        "threshold": round(threshold, 4),
        "fit": {"candidates": len(y), "positives": int(y.sum()), "questions": len(rows), "refusal_f1": round(f1, 4)},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", required=True, help="NAME=QA.jsonl:DATA_DIR[:REMOVED_IDS]")
    parser.add_argument("--leave-out", action="append", default=[], help="a set to leave out of the fit")
    parser.add_argument("--cache", type=Path, help="folder for the candidate rows of each set (reused if there)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "rag/answer/weights.json")
    args = parser.parse_args(argv)
    rows: list[dict] = []
    used = []
    for spec in args.set:
        name, _, paths = spec.partition("=")
        qa, data_dir, *rest = paths.split(":")
        if name in args.leave_out:
            continue
        cached = args.cache / f"{name}.json" if args.cache else None
        if cached and cached.is_file():
            set_rows = json.loads(cached.read_text(encoding="utf-8"))
        else:
            removed = frozenset(Path(rest[0]).read_text(encoding="utf-8").split()) if rest else frozenset()
            set_rows = collect(Path(qa), Path(data_dir), removed)
            if cached:
                cached.parent.mkdir(parents=True, exist_ok=True)
                cached.write_text(json.dumps(set_rows), encoding="utf-8")
        rows += set_rows
        used.append(name)
    model = fit(rows)
    model["fit"]["sets"] = used
    args.out.write_text(json.dumps(model, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(model, ensure_ascii=False))


if __name__ == "__main__":
    main()
