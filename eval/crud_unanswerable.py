"""Write an unanswerable variant of the CRUD-RAG subset: a corpus without some questions' answers, and its QA set.

    python -m eval.crud_unanswerable --subset /tmp/crud/corpus.jsonl --out /tmp/crud-unans [--n 60] [--seed 0]

From the subset (`eval.crud_subset`), `--n` questions are drawn with `--seed`; their evidence
articles and every other article that holds any part of their answer are removed: a member of any
answer group, as the scorer finds one, unless the member is too common to tell (in more than 1% of
the articles and more than three, like 美国 or 2023年), and every article holding a member of each
group (the whole answer, however common its words). So no drawn question keeps an article that
answers it, nor one that answers a part of it in words that tell. The rest of the subset stays, so
same-topic articles remain and a refusal has to be earned. `qa.jsonl` holds the drawn questions
with `answer_groups: []` (type `unanswerable`) and the other questions that stay answerable in the
reduced corpus (an article still holds their answer), so refusal precision and recall are both
measured; `removed.txt` lists the removed article ids. Write it outside the repository.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from eval.crud_subset import DEFAULT_QA

_SPACE = re.compile(r"\s+")
MAX_MEMBER_SHARE = 0.01  # an answer member in more of the articles than this says nothing of answering…
MIN_TELLING_LIMIT = 3  # …unless it is in this many or fewer


def _squash(text: str) -> str:
    return _SPACE.sub("", text)


def telling_members(
    groups: list[list[str]], squashed_texts: list[str], max_share: float = MAX_MEMBER_SHARE
) -> set[str]:
    """The (squashed) members of the answer groups found in at most `max_share` of the texts (or three): an article
    holding one holds part of the answer (240元, 严正交涉), one holding 美国 need not."""
    limit = max(max_share * len(squashed_texts), MIN_TELLING_LIMIT)
    members = {_squash(m) for group in groups for m in group if _squash(m)}
    return {m for m in members if sum(m in text for text in squashed_texts) <= limit}


def holds_answer(text: str, groups: list[list[str]]) -> bool:
    """Whether one article holds a member of every answer group (whitespace ignored)."""
    squashed = _squash(text)
    return bool(groups) and all(any(_squash(m) in squashed for m in group if m) for group in groups)


def build(subset: Path, qa: Path, out: Path, n: int, seed: int = 0) -> tuple[int, int, int]:
    """Write `out/corpus.jsonl` and `out/qa.jsonl`; (articles kept, unanswerable, answerable)."""
    articles = [json.loads(line) for line in subset.read_text(encoding="utf-8").splitlines() if line.strip()]
    ids = {str(a["id"]) for a in articles}
    items = [json.loads(line) for line in qa.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = [q for q in items if q.get("answer_groups") and set(q.get("evidence_doc_ids") or []) <= ids]
    chosen = random.Random(seed).sample(items, min(n, len(items)))
    squashed = [_squash(a["text"]) for a in articles]
    removed: set[str] = set()
    for item in chosen:
        removed.update(item["evidence_doc_ids"])
        groups, members = item["answer_groups"], telling_members(item["answer_groups"], squashed)
        removed.update(
            str(a["id"])
            for a, text in zip(articles, squashed, strict=True)
            if any(m in text for m in members) or holds_answer(a["text"], groups)
        )
    kept = [a for a in articles if str(a["id"]) not in removed]
    chosen_ids = {q["id"] for q in chosen}
    questions = []
    for item in items:
        unanswerable = item["id"] in chosen_ids
        if unanswerable or any(holds_answer(a["text"], item["answer_groups"]) for a in kept):
            questions.append(
                {
                    "id": item["id"],
                    "question": item["question"],
                    "answer_groups": [] if unanswerable else item["answer_groups"],
                    "evidence_doc_ids": [i for i in item["evidence_doc_ids"] if i not in removed],
                    "type": "unanswerable" if unanswerable else item.get("type") or "answerable",
                }
            )
    out.mkdir(parents=True, exist_ok=True)
    (out / "corpus.jsonl").write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in kept), "utf-8")
    (out / "qa.jsonl").write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), "utf-8")
    (out / "removed.txt").write_text("".join(f"{i}\n" for i in sorted(removed)), "utf-8")
    return len(kept), len(chosen), len(questions) - len(chosen)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subset", type=Path, required=True, help="the corpus written by eval.crud_subset")
    parser.add_argument("--qa", type=Path, default=DEFAULT_QA)
    parser.add_argument("--out", type=Path, required=True, help="folder to write (not inside the repository)")
    parser.add_argument("--n", type=int, default=60, help="questions to make unanswerable")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    kept, unanswerable, answerable = build(args.subset, args.qa, args.out, args.n, args.seed)
    print(f"wrote {kept} articles, {unanswerable} unanswerable + {answerable} answerable questions to {args.out}")


if __name__ == "__main__":
    main()
