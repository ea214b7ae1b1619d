"""Write a reproducible sample of the CRUD-RAG news corpus (JSONL) for tests and benchmarks.

    python -m eval.crud_sample --corpus GZ --n N --out FILE [--include-ids FILE] [--seed S]

The sample keeps the corpus order; `--include-ids` (one id a line, or JSONL with `id` /
`evidence_doc_ids`) forces articles in, and the rest are drawn at random with `--seed`.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
from collections.abc import Collection, Iterator
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "crud-news" / "corpus.jsonl.gz"


def corpus_path() -> Path | None:
    """The corpus from `$NEWSQA_CRUD_CORPUS` or `../shared/datasets/crud-news/`, if it exists."""
    path = Path(os.environ.get("NEWSQA_CRUD_CORPUS") or DEFAULT_CORPUS)
    return path if path.is_file() else None


def _lines(corpus: Path) -> Iterator[bytes]:
    with gzip.open(corpus, "rb") if corpus.suffix == ".gz" else corpus.open("rb") as handle:
        yield from (line for line in handle if line.strip())


def _line_id(line: bytes) -> str:
    return str(json.loads(line).get("id", ""))


def read_ids(path: Path) -> set[str]:
    """Ids from a file of one id a line, or JSONL records with `id` or `evidence_doc_ids`."""
    ids: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line.startswith("{"):
            ids.update([line] if line else [])
            continue
        record = json.loads(line)
        ids.update(str(i) for i in record.get("evidence_doc_ids") or [record.get("id")] if i)
    return ids


def sample_lines(corpus: Path, n: int, include_ids: Collection[str] = (), seed: int = 0) -> list[bytes]:
    """`n` corpus lines (at least every `include_ids` article), chosen reproducibly, in corpus order."""
    wanted = set(include_ids)
    ids = [_line_id(line) for line in _lines(corpus)]
    forced = {i for i, article_id in enumerate(ids) if article_id in wanted}
    others = [i for i in range(len(ids)) if i not in forced]
    chosen = forced | set(random.Random(seed).sample(others, max(0, min(n - len(forced), len(others)))))
    return [line for i, line in enumerate(_lines(corpus)) if i in chosen]


def write_sample(corpus: Path, n: int, out: Path, include_ids: Collection[str] = (), seed: int = 0) -> int:
    """Write the sample to `out` (JSONL); returns the number of articles written."""
    lines = sample_lines(corpus, n, include_ids, seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as handle:
        for line in lines:
            handle.write(line.rstrip(b"\r\n") + b"\n")
    return len(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=corpus_path() or DEFAULT_CORPUS)
    parser.add_argument("--n", type=int, required=True, help="number of articles")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--include-ids", type=Path, help="ids to include (one a line, or qa JSONL)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    include = read_ids(args.include_ids) if args.include_ids else set()
    written = write_sample(args.corpus, args.n, args.out, include, args.seed)
    print(f"wrote {written} articles to {args.out}")


if __name__ == "__main__":
    main()
