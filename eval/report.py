"""Write an evaluation's report: Markdown tables, PNG plots (matplotlib, Agg) and one JSON line per question."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after use("Agg"): no display needed

from eval.scoring import STAGES, hit_curve

HEADLINE = (
    "hit@1",
    "hit@5",
    "MRR",
    "nDCG@10",
    "accuracy",
    "F1",
    "citation validity",
    "citation recall",
    "flagged sentences",
    "refusal P",
    "refusal R",
    "total_ms p50",
    "total_ms p95",
)
RETRIEVAL = ("hit@1", "hit@3", "hit@5", "hit@10", "MRR", "nDCG@10")
BY_TYPE = ("n", "hit@5", "MRR", "accuracy", "F1", "citation validity", "citation recall", "refusal P", "refusal R")
Summary = dict[str, dict]

NOTES = """\
- **Retrieval** (answerable questions only): the standalone (condensed) question is searched to depth 10
  without neighbour chunks; a hit is relevant when its article is an evidence article, holds the evidence
  passage, or (with evidence ids) contains every expected answer (`eval.gold.GoldItem.is_relevant`).
  The LangChain baseline is ranked by its top-10 similarity hits (it answers from the top 4).
- **accuracy**: every answer group has a member in the (not refused) answer; an unanswerable question is
  correct when refused. **F1**: character F1 against the first member of each group, joined (1/0 for
  unanswerable questions, by refusal).
- **citation validity**: verified citations / all `[n]` markers in the raw answer (dropped ones included).
  **citation recall**: share of answer groups with a member inside some cited chunk. **flagged sentences**:
  answer sentences that verification marked unsupported or flagged (a number or name in no source, a
  citation out of range or not supporting its sentence) — the claims it caught.
- **refusal P/R**: refusing as a detector of unanswerable questions.
- Latency in milliseconds per stage, from `Answer.timings`; BM25-only, dense-only and LangChain answer
  with the extractive backend through the same chain, only the retrieval step differs."""


def _cell(value: float | None, column: str) -> str:
    if value is None:
        return "–"
    if column in ("n", "flagged sentences"):
        return str(int(value))
    return f"{value:.1f}" if column.endswith(("p50", "p95")) else f"{value:.3f}"


def markdown_table(rows: dict[str, dict], columns: Sequence[str], first: str = "system") -> str:
    lines = [f"| {first} | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, row in rows.items():
        lines.append(f"| {name} | " + " | ".join(_cell(row.get(c), c) for c in columns) + " |")
    return "\n".join(lines)


def headline_table(summary: Summary) -> str:
    return markdown_table({name: s["overall"] for name, s in summary.items()}, HEADLINE)


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split()).replace("|", "｜")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def failures_table(records: Sequence[dict]) -> str:
    """The wrong answers of one system, one line each, with the rank of the first relevant article."""
    wrong = [r for r in records if r["correct"] is False]
    if not wrong:
        return "None."
    lines = ["| id | type | question | expected | answer | first relevant rank |", "|---|---|---|---|---|---|"]
    for r in wrong:
        expected = " + ".join("/".join(g) for g in r["answer_groups"] or []) or "(refuse)"
        answer = "(refused)" if r["refused"] else r["answer"]
        rank = next((h["rank"] for h in r["retrieved"] if h["relevant"]), "–")
        lines.append(
            f"| {r['id']} | {r['type']} | {_short(r['question'])} | {_short(expected, 40)} | "
            f"{_short(answer, 120)} | {rank} |"
        )
    return "\n".join(lines)


def _plots(out: Path, summary: Summary, records: Sequence[dict]) -> list[str]:
    names = list(summary)
    by_system = {name: [r for r in records if r["system"] == name] for name in names}

    fig, ax = plt.subplots(figsize=(6, 4))
    for name in names:
        ax.plot(range(1, 11), hit_curve(by_system[name]), marker="o", label=name)
    ax.set(xlabel="k", ylabel="hit@k", title="hit@k (answerable questions)", ylim=(0, 1.02), xticks=range(1, 11))
    ax.grid(alpha=0.3)
    ax.legend()
    fig.savefig(out / "hit_at_k.png", dpi=110, bbox_inches="tight")

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    axes[0].boxplot([[r["timings"].get("total_ms", 0.0) for r in by_system[n]] for n in names], tick_labels=names)
    axes[0].set(ylabel="ms (log scale)", yscale="log", title="total latency per question")
    stages = [s for s in STAGES if s != "total_ms"]
    axes[1].boxplot(
        [[r["timings"].get(s, 0.0) for r in by_system[names[0]]] for s in stages],
        tick_labels=[s.removesuffix("_ms") for s in stages],
    )
    axes[1].set(ylabel="ms (log scale)", yscale="log", title=f"{names[0]}: latency per stage")
    fig.savefig(out / "latency.png", dpi=110, bbox_inches="tight")

    types = list(summary[names[0]]["by_type"])
    fig, ax = plt.subplots(figsize=(max(6, len(types) * 1.2), 4))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        values = [summary[name]["by_type"].get(t, {}).get("accuracy") or 0.0 for t in types]
        ax.bar([x + i * width for x in range(len(types))], values, width, label=name)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(types))], types)
    ax.set(ylabel="accuracy", title="answer accuracy by question type", ylim=(0, 1.05))
    ax.legend()
    fig.savefig(out / "accuracy_by_type.png", dpi=110, bbox_inches="tight")
    plt.close("all")
    return ["hit_at_k.png", "latency.png", "accuracy_by_type.png"]


def write_report(out: Path, summary: Summary, records: Sequence[dict], setup: dict) -> None:
    """`out/report.md`, `out/results.jsonl` and the plots."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / "results.jsonl").open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    hit_plot, latency_plot, type_plot = _plots(out, summary, records)
    first = next(iter(summary))
    types = summary[first]["by_type"]
    accuracy_by_type = {
        t: {name: s["by_type"].get(t, {}).get("accuracy") for name, s in summary.items()} for t in types
    }
    latency = {name: s["overall"] for name, s in summary.items()}
    sections = [
        f"# Evaluation report — {Path(setup['qa']).name}",
        f"{datetime.now():%Y-%m-%d %H:%M} · " + " · ".join(f"{key}: {value}" for key, value in setup.items()),
        "## Headline\n\n" + headline_table(summary),
        "## Retrieval\n\n" + markdown_table(latency, RETRIEVAL) + f"\n\n![hit@k]({hit_plot})",
        "## Answer accuracy by question type\n\n"
        + markdown_table(accuracy_by_type, list(summary), first="type")
        + f"\n\n![accuracy by type]({type_plot})",
        f"## {first} by question type\n\n" + markdown_table(types, BY_TYPE, first="type"),
        f"## {first} by the answer type each question asks\n\nAs `rag.answer.question.question_type` reads the "
        "standalone question (who, when, number, list …; factoid when it asks no type).\n\n"
        + markdown_table(summary[first]["by_asked"], BY_TYPE, first="asks"),
        "## Latency (ms)\n\n"
        + markdown_table(latency, [f"{s} {p}" for s in STAGES for p in ("p50", "p95")])
        + f"\n\n![latency]({latency_plot})",
        f"## {first}: wrong answers\n\nEvery question, with its answer, citations and retrieved articles, is in "
        "`results.jsonl` (one line per system and question).\n\n"
        + failures_table([r for r in records if r["system"] == first]),
        "## How the numbers are computed\n\n" + NOTES,
    ]
    (out / "report.md").write_text("\n\n".join(sections) + "\n", encoding="utf-8")
