"""Fit the rule-based answerer's ranking weights on gold sets, and show how they hold on a set left out.

    python -m eval.fit_ranking --set page=eval/data/hengyang-2022-12-15.jsonl:/tmp/page-data \\
        --set cmrc=/tmp/cmrc/qa.jsonl:/tmp/cmrc-data --set crud=…/qa-dev.jsonl:/tmp/crud-data [--cache DIR]

A sentence's score (`rag.answer.extractive.RankWeights`) is the share of the question's weighted words it
holds, plus weighted: the shares its previous sentence and its article's title hold of the words it
lacks, its source's rank (1/n), whether it holds the asked type, and the share of the question's words
its article holds. Every candidate of a part's pool is
cached with these features (not only the shortlist), and for each weight setting on a grid the
answerer's choice is replayed with the refusal thresholds as they are set (`eval.replay`, which says
how a setting is chosen and reported). The meaning term (`RankWeights.dense`) needs the embedding model
and is not replayed: its weight was chosen through the chain (`newsqa eval` on each set).
"""

from __future__ import annotations

import itertools

from eval.replay import replay, report, sets_from_command_line
from rag.answer.extractive import MIN_ARTICLE_COVERAGE, MIN_COVERAGE, MIN_KNOWN_SHARE, RANK_WEIGHTS, RankWeights

GRID = {
    "context": [0.0, 0.25, 0.5, 0.75, 1.0],
    "title": [0.0, 0.15, 0.3, 0.45, 0.6],
    "rank": [0.0, 0.05, 0.1, 0.2],
    "typed": [0.0, 0.1, 0.2, 0.3, 0.4],
    "article": [0.0, 0.5, 1.0, 1.5, 2.0],
}
ALL_CANDIDATES = 10_000  # a shortlist no pool reaches: every candidate is cached


def score(weights: RankWeights, candidate: dict) -> float:
    """The candidate's score under `weights`, as `rank_sentences` adds it up."""
    place = sum(getattr(weights, name) * candidate[name] for name in ("context", "title", "rank"))
    typed = weights.typed if candidate["typed"] else 0.0
    return candidate["coverage"] + place + typed + weights.article * candidate["article"]


def main(argv: list[str] | None = None) -> None:
    sets = sets_from_command_line(__doc__.splitlines()[0], argv, ALL_CANDIDATES)
    settings = [RankWeights(**dict(zip(GRID, values, strict=True))) for values in itertools.product(*GRID.values())]

    def keep(c: dict) -> bool:
        return c["coverage"] >= MIN_COVERAGE and c["article"] >= MIN_ARTICLE_COVERAGE and c["known"] >= MIN_KNOWN_SHARE

    results = {
        name: {w: replay(rows, keep, lambda c, w=w: score(w, c)) for w in settings} for name, rows in sets.items()
    }
    current = ", ".join(f"{name} {scored[RANK_WEIGHTS].cell()}" for name, scored in results.items())
    print(f"current weights {tuple(RANK_WEIGHTS)}: {current}")
    chosen = report(results, "weights")
    print(f"\nranking weights fit on all sets: {chosen}")


if __name__ == "__main__":
    main()
