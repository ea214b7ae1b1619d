"""The per-set table of issue 13 from `newsqa eval` reports, and the leave-one-set-out check of the answer model.

    python -m eval.dev_table --report page=/tmp/page-report --report crud=/tmp/crud-report …
    python -m eval.dev_table --features /tmp/answer-features    # in-set vs left-out, from fit_answer_model's cache

From reports (`results.jsonl`): per set and system, accuracy on answerable questions, refusal precision
and recall, citation validity, character F1 of the short answer against the gold span (the answer
text, citations removed, when a system gives no short answer) and retrieval MRR.

From the candidate cache: for each set, the model fit on all sets (in-set) and the model fit on
the other sets (left out) decide every question of the set again from its recorded candidates —
answered right when the best candidate holds the answer and reaches the threshold, refused when
none reaches it — so the table shows how far a set's numbers fall when it was not fit on.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from eval.fit_answer_model import _matrix, fit
from eval.metrics import char_f1, precision_recall, reciprocal_rank
from eval.scoring import reference_text
from rag.answer.model import FEATURES
from rag.cite import strip_citations


def report_rows(results: Path, only: set[str] | None = None) -> dict[str, dict[str, float]]:
    """Per system: the table's metrics from one `results.jsonl` (only the questions `only` names, if given)."""
    by_system: dict[str, list[dict]] = {}
    for line in results.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if only is None or record["id"] in only:
            by_system.setdefault(record["system"], []).append(record)
    table = {}
    for system, records in by_system.items():
        answerable = [r for r in records if r["answerable"]]
        refusal_p, refusal_r = precision_recall([r["refused"] for r in records], [not r["answerable"] for r in records])
        markers = sum(r["citation_markers"] for r in records)

        def short_f1(r: dict) -> float:
            short = r.get("short_answer") or strip_citations(r["answer"])
            return 0.0 if r["refused"] else char_f1(short, reference_text(r["answer_groups"]))

        table[system] = {
            "n": len(records),
            "accuracy": float(np.mean([bool(r["correct"]) for r in answerable])) if answerable else float("nan"),
            "refusal P": refusal_p,
            "refusal R": refusal_r,
            "citation validity": sum(len(r["citations"]) for r in records) / markers if markers else 1.0,
            "short F1": float(np.mean([short_f1(r) for r in answerable])) if answerable else float("nan"),
            "MRR": float(np.mean([reciprocal_rank([h["relevant"] for h in r["retrieved"]]) for r in answerable])),
        }
    return table


def decide(rows: list[dict], model: dict) -> dict[str, float]:
    """Accuracy (answerable) and refusal P/R when `model` decides the recorded candidates of `rows`: a part
    is answered by its best candidate when it reaches the threshold, right when that candidate holds a
    gold answer (a simpler test than the scorer's, which wants every answer group and also reads the
    other sentences the answerer adds)."""
    w = np.array([model["weights"][name] for name in FEATURES])
    correct, refused = [], []
    for row in rows:
        picked = []
        for part in row["parts"]:
            if part:
                scores = 1 / (1 + np.exp(-(_matrix(part)[0] @ w + model["bias"])))
                best = int(scores.argmax())
                picked += [part[best]["label"]] if scores[best] >= model["threshold"] else []
        refused.append(not picked)
        if row["answerable"]:
            correct.append(any(picked))
    p, r = precision_recall(refused, [not row["answerable"] for row in rows])
    return {"accuracy": float(np.mean(correct)) if correct else float("nan"), "refusal P": p, "refusal R": r}


def leave_one_out(features: Path) -> dict[str, dict[str, dict[str, float]]]:
    """Per cached set: decided by the model fit on every set, and by the one fit without its group (the
    part of its name before "-": crud-unanswerable is left out with crud, whose questions it shares)."""
    sets = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(features.glob("*.json"))}
    everything = fit([row for rows in sets.values() for row in rows])
    table = {}
    for name, rows in sets.items():
        group = name.split("-")[0]
        others = fit([row for other, rows_ in sets.items() if other.split("-")[0] != group for row in rows_])
        table[name] = {"in-set": decide(rows, everything), "left out": decide(rows, others)}
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--report", action="append", default=[], help="NAME=REPORT_DIR[:QA.jsonl] (results.jsonl; only QA's ids)"
    )
    parser.add_argument("--features", type=Path, help="the --cache folder of eval.fit_answer_model")
    args = parser.parse_args(argv)
    columns = ("n", "accuracy", "refusal P", "refusal R", "citation validity", "short F1", "MRR")
    if args.report:
        print("| set | system | " + " | ".join(columns) + " |\n|" + "---|" * (len(columns) + 2))
        for spec in args.report:
            name, _, paths = spec.partition("=")
            folder, _, qa = paths.partition(":")
            only = {str(json.loads(line)["id"]) for line in Path(qa).read_text("utf-8").splitlines()} if qa else None
            for system, row in report_rows(Path(folder) / "results.jsonl", only).items():
                print(f"| {name} | {system} | " + " | ".join(f"{row[c]:.3f}" for c in columns) + " |")
    if args.features:
        print("\n| set | fit | accuracy | refusal P | refusal R |\n|---|---|---|---|---|")
        for name, rows in leave_one_out(args.features).items():
            for kind, row in rows.items():
                print(f"| {name} | {kind} | {row['accuracy']:.3f} | {row['refusal P']:.3f} | {row['refusal R']:.3f} |")


if __name__ == "__main__":
    main()
