"""Replay the rule-based answerer's decisions from cached candidates, to fit its numbers on gold sets.

Every question is asked once through the real chain (its sources and standalone form); each part's
grounded candidates are then ranked with the refusal thresholds at 0 and kept with their features
(cached per set). A fit script replays the answerer's choice for each setting on a grid — which
candidates a part keeps, in what order, and so which sentences answer — and scores it: answerable
accuracy (every gold group in the answer) and, on sets with unanswerable questions, refusal F1. A
setting is chosen by the mean over the sets it is fit on of (accuracy + refusal F1) / 2 (accuracy alone
on a set without unanswerable questions): once on all sets, and once leaving each set out (with the sets
that share its questions: the part of the name before "-"), whose score at the setting it did not
choose is reported. The replay leaves out three refinements of the answerer (a part whose best sentence
another part took adds another; a span the question frames adds only sentences with more of its words;
the meaning term, which needs the embedding model), so its numbers approximate `newsqa eval`'s: run the
chain with the chosen setting to confirm.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from tqdm import tqdm

from eval.gold import load_gold
from eval.scoring import correctness
from rag.answer.extractive import (
    MIN_PARTS_ANSWERED,
    MIN_SCORE,
    STRICT_TYPES,
    Part,
    enough_parts,
    pick_sentences,
    rank_sentences,
)
from rag.chain import Assistant
from rag.index import NewsIndex
from rag.settings import Settings
from rag.types import Source

Row = dict  # {"id", "groups", "parts": [[candidate, …] per part]}, a candidate as `Cached` reads it
Setting = TypeVar("Setting", bound=Hashable)


@dataclass
class Scored:
    accuracy: float
    refusal_f1: float | None

    @property
    def objective(self) -> float:
        return self.accuracy if self.refusal_f1 is None else (self.accuracy + self.refusal_f1) / 2

    def cell(self) -> str:
        f1 = "–" if self.refusal_f1 is None else f"{self.refusal_f1:.3f}"
        return f"{self.accuracy:.3f} / {f1}"


class Cached:
    """A cached candidate as `pick_sentences` reads it, with its features."""

    def __init__(self, row: dict, score: float | None = None) -> None:
        self.text, self.key = row["text"], tuple(row["key"])
        self.score = row["score"] if score is None else score
        self.worded = self.score  # the replay leaves the meaning term out
        self.features = row


def collect(qa: Path, data_dir: Path, shortlist_size: int) -> list[Row]:
    """One row per question: its gold groups and, per part, the grounded candidates at zero thresholds
    among the `shortlist_size` best before the type bonus."""
    index = NewsIndex(Settings(data_dir=data_dir))
    assistant = Assistant(index.settings, index)

    def article_text(source: Source) -> str:
        return index.catalog.article_text(source.source, source.article_id) or source.text

    rows = []
    for item in tqdm(load_gold(qa), desc=qa.stem, unit="question", file=sys.stderr):
        answer = assistant.ask(item.question, history=item.history)
        parts = []
        standalone, has_term = answer.standalone_question, index.lexical.has_term
        for part in Part.each(item.question, standalone, answer.sources, article_text, has_term, STRICT_TYPES):
            ranked = rank_sentences(
                part, min_coverage=0.0, min_article=0.0, min_known=0.0, min_score=0.0, shortlist_size=shortlist_size
            )
            known = part.known_share()
            parts.append(
                [
                    {"text": c.text, "key": list(c.key), "score": c.score, "coverage": c.coverage, "typed": c.typed}
                    | {name: c.features.get(name, 0.0) for name in ("article", "context", "title", "rank")}
                    | {"known": known}
                    for c in ranked
                ]
            )
        rows.append({"id": item.id, "groups": item.answer_groups, "parts": parts})
    return rows


def sets_from_command_line(description: str, argv: list[str] | None, shortlist_size: int) -> dict[str, list[Row]]:
    """The sets a fit script is run on (`--set NAME=QA.jsonl:DATA_DIR` …, `--cache DIR`), loaded."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--set", action="append", required=True, help="NAME=QA.jsonl:DATA_DIR (repeatable)")
    parser.add_argument("--cache", type=Path, help="folder for each set's candidates (reused when present)")
    args = parser.parse_args(argv)
    return load_sets(args.set, args.cache, shortlist_size)


def load_sets(specs: Sequence[str], cache: Path | None, shortlist_size: int) -> dict[str, list[Row]]:
    """Each `NAME=QA.jsonl:DATA_DIR` set's rows, read from `cache` when there, else collected (and cached)."""
    sets = {}
    for spec in specs:
        name, _, paths = spec.partition("=")
        qa, _, data_dir = paths.rpartition(":")
        cached = cache / f"{name}.json" if cache else None
        if cached and cached.exists():
            rows = json.loads(cached.read_text())
        else:
            rows = collect(Path(qa), Path(data_dir), shortlist_size)
            if cached:
                cached.parent.mkdir(parents=True, exist_ok=True)
                cached.write_text(json.dumps(rows, ensure_ascii=False))
        sets[name] = rows
    return sets


def replay(
    rows: list[Row],
    keep: Callable[[dict], bool],
    score: Callable[[dict], float] | None = None,
    min_parts: float = MIN_PARTS_ANSWERED,
    min_score: float = MIN_SCORE,
) -> Scored:
    """The answer to every question when each part keeps the candidates `keep` accepts, ranked by `score`
    (by their cached score when None), and answers with its best ones unless the best scores under
    `min_score`; refused when fewer than `min_parts` of its parts answer (`enough_parts`)."""
    correct, answerable, refused_right, refused, unanswerable = 0, 0, 0, 0, 0
    for row in rows:
        texts, answered = [], 0
        for part in row["parts"]:
            kept = [Cached(c, None if score is None else score(c)) for c in part if keep(c)]
            kept.sort(key=lambda c: -c.score)
            kept = kept if kept and kept[0].score >= min_score else []
            texts += [c.text for c in pick_sentences(kept)]  # type: ignore[arg-type]
            answered += bool(kept)
        is_refused = not enough_parts(answered, len(row["parts"]), min_parts)
        texts = [] if is_refused else texts
        ok, _ = correctness(row["groups"], "".join(texts), is_refused)
        if row["groups"]:
            answerable += 1
            correct += bool(ok)
        else:
            unanswerable += 1
            refused_right += is_refused
        refused += is_refused
    accuracy = correct / (answerable or 1)
    if not unanswerable:
        return Scored(accuracy, None)
    precision = refused_right / refused if refused else 0.0
    recall = refused_right / unanswerable
    f1 = 2 * precision * recall / (precision + recall) if refused_right else 0.0
    return Scored(accuracy, f1)


def choose(results: dict[str, dict[Setting, Scored]], names: list[str]) -> Setting:
    """The grid setting with the best mean objective over the named sets (the first of ties)."""
    return max(results[names[0]], key=lambda s: sum(results[n][s].objective for n in names) / len(names))


def report(results: dict[str, dict[Setting, Scored]], label: str) -> Setting:
    """Print each set's score at the setting fit on all sets, on itself and on the others; the first."""
    names = list(results)
    chosen = choose(results, names)
    print(f"| set | fit on all {chosen}: accuracy / refusal F1 | in-set: {label}: acc / F1 | fit on the others |")
    print("|---|---|---|---|")
    for name in names:
        own = choose(results, [name])
        group = name.split("-")[0]  # crud-unanswerable shares crud's questions: both are left out together
        others = choose(results, [n for n in names if n.split("-")[0] != group] or [name])
        print(
            f"| {name} | {results[name][chosen].cell()} | {own}: {results[name][own].cell()} | "
            f"{others}: {results[name][others].cell()} |"
        )
    return chosen
