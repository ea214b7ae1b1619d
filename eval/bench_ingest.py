"""Benchmark ingestion and search on a CRUD-RAG sample: throughput, memory, disk, quality and latency.

    python -m eval.bench_ingest --n 1000 [--out eval/out/bench] [--queries 100] [--encode-sample 512]
    python -m eval.bench_ingest --index DIR       # query speed only, on an index built before

Prints Markdown tables: raw encode throughput of the embedding model (fp32 and torch dynamic int8)
on a random sample of the chunks, whole-pipeline throughput on all of them, peak RSS, index size
on disk, retrieval quality of each model variant on the page gold set; then, on the index, warm
latency by stage of hybrid search and of extractive answers over the CRUD dev questions, the
resident memory of a loaded assistant, and the cold start of `newsqa search` and `newsqa ask`
(process start to first answer).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from eval.crud_sample import corpus_path, write_sample
from eval.gold import load_gold
from eval.retrieval import score
from ingest.chunk import chunk_article
from ingest.jsonl import iter_jsonl_articles
from ingest.pipeline import ingest_paths
from rag.chain import Assistant
from rag.embeddings import load_embeddings
from rag.index import NewsIndex
from rag.lexical import tokenize
from rag.retrieve import HybridRetriever
from rag.settings import Settings
from rag.types import Article

ROOT = Path(__file__).resolve().parent.parent
PAGE_GOLD = ROOT / "eval" / "data" / "hengyang-2022-12-15.jsonl"
PAGE = ROOT / "corpus" / "hengyang-daily-2022-12-15.txt"


def disk_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def chunk_texts(sample: Path, settings: Settings) -> list[str]:
    articles = [a for a in iter_jsonl_articles(sample.resolve()) if isinstance(a, Article)]
    sizes = (settings.chunk_size, settings.chunk_max, settings.chunk_overlap)
    return [c.indexed_text for a in articles for c in chunk_article(a, *sizes)]


def encode_rate(settings: Settings, texts: list[str]) -> tuple[float, float]:
    """(model load seconds, chars/s encoding `texts`) for the settings' model variant."""
    started = time.perf_counter()
    model = load_embeddings(settings.embedding_model, settings.embedding_quantize, settings.embed_batch_size)
    loaded = time.perf_counter() - started
    model.encode(texts[: settings.embed_batch_size])  # warm-up
    started = time.perf_counter()
    model.encode(texts)
    return loaded, sum(map(len, texts)) / (time.perf_counter() - started)


def page_quality(settings: Settings) -> dict[str, float]:
    """hit@5 and MRR of dense and hybrid retrieval on the page gold set, for this model variant."""
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    index = NewsIndex(settings)
    ingest_paths(index, [PAGE], show_progress=False)
    items = [i for i in load_gold(PAGE_GOLD) if i.answerable and i.type != "followup"]
    result = {}
    for mode in ("dense", "hybrid"):
        numbers = score(index, items, mode)
        result.update({f"{mode} hit@5": numbers["hit@5"], f"{mode} MRR": numbers["MRR"]})
    return result


def percentiles(values: list[float]) -> str:
    cuts = statistics.quantiles(values, n=20)
    return f"{statistics.median(values):.1f} / {cuts[18]:.1f}"


def stage_latency(run: Callable[[str], dict[str, float]], questions: list[str]) -> dict[str, str]:
    """p50 / p95 milliseconds of each stage `run(question)` reports, and of the whole call (after a warm-up)."""
    run(questions[0])
    stages: dict[str, list[float]] = {}
    for question in questions:
        started = time.perf_counter()
        timings = dict(run(question))
        timings["wall_ms"] = (time.perf_counter() - started) * 1000
        for stage, ms in timings.items():
            stages.setdefault(stage, []).append(ms)
    return {stage: percentiles(values) for stage, values in stages.items()}


def cold_start_s(command: str, data_dir: Path, question: str) -> float:
    """Wall time of a fresh `newsqa search|ask` process (imports, model, Chroma, BM25, one answer)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "rag.cli", command, question, "--data-dir", str(data_dir), "--json"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def query_bench(settings: Settings, questions: list[str]) -> None:
    """Warm search and ask latency by stage, resident memory and cold starts on an existing index."""
    cold = {command: cold_start_s(command, settings.data_dir, questions[0]) for command in ("search", "ask")}
    assistant = Assistant(settings)
    retriever = HybridRetriever(index=assistant.index, k=settings.k)
    stats = assistant.index.stats()
    print(f"\n## Queries on {settings.data_dir}: {stats['articles']:,} articles, {stats['chunks']:,} chunks\n")
    print(f"### Hybrid search over {len(questions)} questions, ms p50 / p95\n")
    print(table([stage_latency(lambda q: retriever.retrieve(q)[1], questions)]))
    print(f"\n### Extractive answers over {len(questions)} questions, ms p50 / p95\n")
    print(table([stage_latency(lambda q: assistant.ask(q).timings, questions)]))
    print(f"\nresident memory of the loaded assistant: {current_rss_mib():,.0f} MiB (peak {peak_rss_mib():,.0f})")
    print(f"cold start to first result: `newsqa search` {cold['search']:.1f} s, `newsqa ask` {cold['ask']:.1f} s")


def current_rss_mib() -> float:
    fields = Path("/proc/self/status").read_text().split("VmRSS:")[1].split()
    return int(fields[0]) / 1024


def cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if value < 10 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def table(rows: list[dict[str, object]]) -> str:
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|---" * len(columns) + "|"]
    lines += ["| " + " | ".join(cell(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=corpus_path())
    parser.add_argument("--qa", type=Path, default=(corpus_path() or ROOT).with_name("qa-dev.jsonl"))
    parser.add_argument("--n", type=int, default=1000, help="articles in the sample")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "out" / "bench")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--encode-sample", type=int, default=512, help="chunks for the raw encode rate")
    parser.add_argument("--index", type=Path, help="measure queries only, on this existing data dir")
    args = parser.parse_args(argv)
    qa = [json.loads(line) for line in args.qa.read_text(encoding="utf-8").splitlines()] if args.qa.is_file() else []
    questions = [record["question"] for record in qa[: args.queries]]
    if args.index:
        if not questions:
            parser.error(f"no questions in {args.qa}")
        query_bench(Settings(data_dir=args.index), questions)
        return
    if args.corpus is None:
        parser.error("no CRUD-RAG corpus: pass --corpus or set NEWSQA_CRUD_CORPUS")
    evidence = {doc_id for record in qa[: args.queries] for doc_id in record["evidence_doc_ids"]}
    sample = args.out / f"crud-{args.n}.jsonl"
    write_sample(args.corpus, args.n, sample, evidence, seed=0)  # the questions' evidence, then random articles
    base = Settings(data_dir=args.out / f"index-{args.n}")
    texts = chunk_texts(sample, base)
    probe = random.Random(0).sample(texts, min(args.encode_sample, len(texts)))

    variants = []
    for quantize in (False, True):
        settings = base.model_copy(update={"embedding_quantize": quantize, "data_dir": args.out / f"page-{quantize}"})
        load_s, rate = encode_rate(settings, probe)
        name = settings.embedding_model + (" int8" if quantize else " fp32")
        variants.append({"model": name, "load s": load_s, "encode chars/s": rate} | page_quality(settings))

    shutil.rmtree(base.data_dir, ignore_errors=True)
    index = NewsIndex(base)
    raw_before = encode_rate(base, probe)[1]  # measured around the ingest: the machine's load may vary
    started = time.perf_counter()
    report = ingest_paths(index, [sample], show_progress=False)
    ingest_s = time.perf_counter() - started
    raw_after = encode_rate(base, probe)[1]
    started = time.perf_counter()
    for text in texts:
        tokenize(text)
    tokenize_s = time.perf_counter() - started
    chars = sum(map(len, texts))
    raw = (raw_before + raw_after) / 2
    pipeline = {
        "articles": report.articles,
        "chunks": report.chunks,
        "chars": chars,
        "pipeline s": ingest_s,
        "pipeline chars/s": chars / ingest_s,
        "raw encode chars/s (before/after)": f"{raw_before:,.0f} / {raw_after:,.0f}",
        "pipeline / raw": chars / ingest_s / raw,
        "encode s (est.)": chars / raw,
        "jieba s": tokenize_s,
        "peak RSS MiB": peak_rss_mib(),
    }
    disk = {name: disk_mib(base.data_dir / name) for name in ("chroma", "bm25")}
    disk["catalog"] = sum(f.stat().st_size for f in base.data_dir.glob("catalog.sqlite3*")) / 2**20

    print(f"## Model variants (raw encode on {len(probe)} chunks; quality on the page gold set)\n")
    print(table(variants))
    variant = base.embedding_model + (" int8" if base.embedding_quantize else " fp32")
    print(f"\n## Ingest of {args.n:,} CRUD articles ({variant})\n")
    print(table([pipeline]))
    print("\n## Index on disk (MiB)\n")
    print(table([disk]))
    if questions:
        query_bench(base, questions)


if __name__ == "__main__":
    main()
