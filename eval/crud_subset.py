"""Write a CRUD-RAG evaluation corpus: every article a QA set needs plus N seeded others (JSONL).

    python -m eval.crud_subset --out /tmp/crud/corpus.jsonl [--qa QA.jsonl] [--others 10000] [--seed 0]

The QA set's `evidence_doc_ids` are always included and come first, so that an interrupted ingest
already holds every evidence article; the distractors follow in corpus order, drawn reproducibly
with `eval.crud_sample` (same seed, same corpus → same file). Write it outside the repository.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from eval.crud_sample import DEFAULT_CORPUS, corpus_path, read_ids, sample_lines

DEFAULT_QA = DEFAULT_CORPUS.parent / "qa-dev.jsonl"


def write_subset(corpus: Path, qa: Path, out: Path, others: int, seed: int = 0) -> tuple[int, int]:
    """Write the QA set's evidence articles plus at least `others` seeded distractors; (written, evidence)."""
    needed = read_ids(qa)
    lines = sample_lines(corpus, len(needed) + others, needed, seed)
    lines.sort(key=lambda line: str(json.loads(line)["id"]) not in needed)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(b"".join(line.rstrip(b"\r\n") + b"\n" for line in lines))
    return len(lines), len(needed)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=corpus_path() or DEFAULT_CORPUS)
    parser.add_argument("--qa", type=Path, default=DEFAULT_QA)
    parser.add_argument("--out", type=Path, required=True, help="JSONL file to write (not inside the repository)")
    parser.add_argument("--others", type=int, default=10_000, help="articles besides the evidence articles")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    written, evidence = write_subset(args.corpus, args.qa, args.out, args.others, args.seed)
    print(f"wrote {written} articles ({evidence} evidence ids asked for) to {args.out}")


if __name__ == "__main__":
    main()
