"""Write the CMRC 2018 trial set as a corpus JSONL and a QA JSONL that `newsqa eval` takes.

    python -m eval.cmrc --out /tmp/cmrc [--data ../shared/datasets/cmrc2018-trial] [--sample N --seed S]

The shared copy (Chinese Wikipedia, CC BY-SA 4.0; see its README) holds 213 contexts and 1,000
questions over the whole pool, 157 of them unanswerable (their context was left out). This keeps
the fields the evaluation reads, checks that every answerable question's evidence is in the corpus
and that an answer span occurs in it, and writes `corpus.jsonl` and `qa.jsonl` under `--out`,
outside the repository (the data is never committed). `--sample N` keeps N questions drawn with
`--seed` (for runs on a busy machine; the corpus stays whole).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "cmrc2018-trial"
CORPUS_FIELDS = ("id", "title", "date", "text", "source")
QA_FIELDS = ("id", "question", "answer_groups", "evidence_doc_ids", "type")


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def convert(data: Path, out: Path, sample: int | None = None, seed: int = 0) -> tuple[int, int, int]:
    """Write `out/corpus.jsonl` and `out/qa.jsonl`; (contexts, answerable, unanswerable) written."""
    corpus = _records(data / "corpus.jsonl")
    texts = {str(doc["id"]): str(doc["text"]) for doc in corpus}
    questions = []
    for item in _records(data / "qa.jsonl"):
        groups = item.get("answer_groups") or []
        evidence = [str(i) for i in item.get("evidence_doc_ids") or []]
        if groups and not any(m in texts.get(i, "") for i in evidence for m in groups[0]):
            raise ValueError(f"{item['id']}: no answer span in its evidence context")
        record = {field: item.get(field) for field in QA_FIELDS}
        record["type"] = record["type"] or "answerable"
        questions.append(record)
    if sample is not None and sample < len(questions):
        kept = set(random.Random(seed).sample(range(len(questions)), sample))
        questions = [q for i, q in enumerate(questions) if i in kept]
    out.mkdir(parents=True, exist_ok=True)
    lines = (json.dumps({f: doc.get(f, "") for f in CORPUS_FIELDS}, ensure_ascii=False) for doc in corpus)
    (out / "corpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "qa.jsonl").write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in questions) + "\n", "utf-8")
    answerable = sum(bool(q["answer_groups"]) for q in questions)
    return len(corpus), answerable, len(questions) - answerable


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the cmrc2018-trial folder")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (not inside the repository)")
    parser.add_argument("--sample", type=int, help="keep this many questions, drawn at random")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    contexts, answerable, unanswerable = convert(args.data, args.out, args.sample, args.seed)
    print(f"wrote {contexts} contexts, {answerable} answerable + {unanswerable} unanswerable questions to {args.out}")


if __name__ == "__main__":
    main()
