"""Fit the rule-based answerer's refusal thresholds on gold sets, and show how they hold on a set left out.

    python -m eval.fit_refusal --set page=eval/data/hengyang-2022-12-15.jsonl:/tmp/page-data \\
        --set cmrc=/tmp/cmrc/qa.jsonl:/tmp/cmrc-data --set crud=…/qa-dev.jsonl:/tmp/crud-data [--cache DIR]

The default answerer (`rag.answer.extractive`) refuses a question (part) when less than `MIN_KNOWN_SHARE`
of the question's words are in any source's article, when no grounded sentence covers `MIN_COVERAGE` of
its weighted words, when the best one's article holds less than `MIN_ARTICLE_COVERAGE` of them, or when
the best one scores under `MIN_SCORE`; a question of several parts is refused when less than
`MIN_PARTS_ANSWERED` of its parts can be answered. For each setting of the five on a grid the decision
is replayed from cached candidates (`eval.replay`, which says how a setting is chosen and reported): a
part keeps the candidates over the thresholds and answers with its best ones.
"""

from __future__ import annotations

from collections.abc import Callable

from tqdm import tqdm

from eval.replay import replay, report, sets_from_command_line
from rag.answer.extractive import SHORTLIST

COVERAGE_GRID = [0.0, 0.04, 0.08, 0.12, 0.16, 0.2, 0.25, 0.3, 0.35]
ARTICLE_GRID = [0.4, 0.45, 0.5, 0.55, 0.6, 0.67, 0.7, 0.75, 0.8, 0.85, 0.9]
KNOWN_GRID = [0.0, 0.34, 0.4, 0.5, 0.6]
PARTS_GRID = [0.0, 0.5, 2 / 3, 1.0]  # 0: a question is answered when any part is; 1: only when every part is
SCORE_GRID = [0.0, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2]  # the best sentence's score (`RankWeights`)


def main(argv: list[str] | None = None) -> None:
    sets = sets_from_command_line(__doc__.splitlines()[0], argv, SHORTLIST)
    grid = [
        (a, b, k, p, m)
        for a in COVERAGE_GRID
        for b in ARTICLE_GRID
        for k in KNOWN_GRID
        for p in PARTS_GRID
        for m in SCORE_GRID
    ]

    def keeper(a: float, b: float, k: float) -> Callable[[dict], bool]:
        return lambda c: c["coverage"] >= a and c["article"] >= b and c["known"] >= k

    results = {
        name: {t: replay(rows, keeper(*t[:3]), min_parts=t[3], min_score=t[4]) for t in tqdm(grid, desc=name)}
        for name, rows in sets.items()
    }
    chosen = report(results, "thresholds")
    print(
        f"\nthresholds fit on all sets: MIN_COVERAGE = {chosen[0]}, MIN_ARTICLE_COVERAGE = {chosen[1]}, "
        f"MIN_KNOWN_SHARE = {chosen[2]}, MIN_PARTS_ANSWERED = {chosen[3]}, MIN_SCORE = {chosen[4]}"
    )


if __name__ == "__main__":
    main()
