"""Benchmark ingestion and search on the CRUD-RAG corpus: throughput, memory, disk, quality and latency.

    python -m eval.bench_ingest --n 1000 [--out eval/out/bench] [--queries 100] [--encode-sample 512]
    python -m eval.bench_ingest --n all [--resume]   # the whole corpus, streamed from its gzip
    python -m eval.bench_ingest --index DIR          # query speed only, on an index built before

Prints Markdown tables: raw encode throughput of the embedding model (fp32 and torch dynamic int8,
at several batch sizes) on a random sample of the chunks, with each variant's retrieval quality on
the page gold set; the whole pipeline's throughput — a real `newsqa ingest` process, whose peak
RSS is its own — and its ratio to the raw rate; index size on disk; then, on the index, warm
latency by stage of hybrid search and of extractive answers over the CRUD dev questions, the
resident memory of a loaded assistant, the cold start of `newsqa search` and `newsqa ask`
(process start to first answer), and the time and peak RSS of building BM25 afresh. `--resume`
continues an interrupted run into the same index and measures the pipeline over what this run adds.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from eval.crud_sample import corpus_path, write_sample
from eval.gold import load_gold
from eval.metrics import percentile
from eval.retrieval import score
from ingest.chunk import chunk_article
from ingest.jsonl import count_lines, iter_jsonl_articles
from ingest.pipeline import ingest_paths
from rag.catalog import Catalog
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


def sample_chunks(corpus: Path, settings: Settings, size: int, seed: int = 0) -> tuple[list[str], int, int]:
    """(a uniform random sample of `size` chunk texts, number of chunks, their characters), streamed."""
    rng, sample, count, chars = random.Random(seed), [], 0, 0
    sizes = (settings.chunk_size, settings.chunk_max, settings.chunk_overlap)
    for article in iter_jsonl_articles(corpus.resolve()):
        if not isinstance(article, Article):
            continue
        for chunk in chunk_article(article, *sizes):
            count, chars = count + 1, chars + len(chunk.indexed_text)
            if len(sample) < size:
                sample.append(chunk.indexed_text)
            elif (slot := rng.randrange(count)) < size:
                sample[slot] = chunk.indexed_text
    return sample, count, chars


def encode_rate(settings: Settings, texts: list[str]) -> float:
    """Chars/s encoding `texts` with the settings' model variant and batch size (after a warm-up)."""
    model = load_embeddings(settings.embedding_model, settings.embedding_quantize, settings.embed_batch_size)
    model.encode(texts[:32])
    started = time.perf_counter()
    model.encode(texts)
    return sum(map(len, texts)) / (time.perf_counter() - started)


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


def model_variants(base: Settings, probe: list[str], batch_sizes: list[int], scratch: Path) -> list[dict[str, object]]:
    """Encode rate of fp32 and int8 at each batch size, with each quantisation's page retrieval quality."""
    rows = []
    for quantize in (False, True):
        page_dir = scratch / f"page-{'int8' if quantize else 'fp32'}"  # one Chroma client per folder and process
        quality = page_quality(base.model_copy(update={"embedding_quantize": quantize, "data_dir": page_dir}))
        for batch_size in batch_sizes:
            variant = base.model_copy(update={"embedding_quantize": quantize, "embed_batch_size": batch_size})
            rate = encode_rate(variant, probe)
            name = f"{base.embedding_model} {'int8' if quantize else 'fp32'}"
            rows.append({"model": name, "batch": batch_size, "encode chars/s": rate} | quality)
    return rows


def indexed_chars(data_dir: Path) -> tuple[int, int, int]:
    """(articles, chunks, characters of their indexed text) in the catalog of `data_dir`."""
    catalog = Catalog(data_dir / "catalog.sqlite3")
    articles = catalog.counts()["articles"]
    chunks, chars = catalog.db.execute(
        "SELECT COUNT(*), COALESCE(SUM(LENGTH(title) + 1 + LENGTH(text)), 0) FROM chunks"
    ).fetchone()
    catalog.close()
    return articles, chunks, chars


BM25_BUILD = """
import sys, tempfile
from pathlib import Path
from rag.catalog import Catalog
from rag.lexical import LexicalIndex
with tempfile.TemporaryDirectory() as scratch:
    LexicalIndex(Catalog(Path(sys.argv[1])), Path(scratch)).refresh()
"""


# Linux hands a process the peak RSS of the one that forked it, so the command is started by a small
# Python process rather than by this one (which holds models by then); it reports the command's own peak.
PEAK_RSS = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def measured_run(command: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of a child process; its stderr (progress bars) goes to ours."""
    started = time.perf_counter()
    process = subprocess.run([sys.executable, "-c", PEAK_RSS, *command], stdout=subprocess.PIPE, text=True)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return time.perf_counter() - started, int(process.stdout) / 1024


def run_ingest(corpus: Path, data_dir: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of a `newsqa ingest` process."""
    return measured_run([sys.executable, "-m", "ui.cli", "ingest", str(corpus), "--data-dir", str(data_dir)])


def bm25_build(data_dir: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of building the BM25 index afresh from the catalog, in a process of its own."""
    return measured_run([sys.executable, "-c", BM25_BUILD, str(data_dir / "catalog.sqlite3")])


def percentiles(values: list[float]) -> str:
    return f"{percentile(values, 50):.1f} / {percentile(values, 95):.1f}"


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
        [sys.executable, "-m", "ui.cli", command, question, "--data-dir", str(data_dir), "--json"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def query_bench(settings: Settings, questions: list[str], cold_runs: int = 3) -> None:
    """Warm search and ask latency by stage, resident memory and cold starts on an existing index."""
    cold = {
        command: [cold_start_s(command, settings.data_dir, questions[0]) for _ in range(cold_runs)]
        for command in ("search", "ask")
    }
    assistant = Assistant(settings)
    retriever = HybridRetriever(index=assistant.index, k=settings.k)
    stats = assistant.index.stats()
    print(f"\n## Queries on {settings.data_dir}: {stats['articles']:,} articles, {stats['chunks']:,} chunks\n")
    print(f"### Hybrid search over {len(questions)} questions, ms p50 / p95\n")
    print(table([stage_latency(lambda q: retriever.retrieve(q)[1], questions)]))
    print(f"\n### Extractive answers over {len(questions)} questions, ms p50 / p95\n")
    print(table([stage_latency(lambda q: assistant.ask(q).timings, questions)]))
    print(f"\nresident memory of this process with the loaded assistant: {current_rss_mib():,.0f} MiB")
    for command, runs in cold.items():
        print(f"cold start to first result, `newsqa {command}`: " + ", ".join(f"{s:.1f}" for s in runs) + " s")
    build_s, build_rss = bm25_build(settings.data_dir)
    print(f"BM25 built afresh from the catalog in a process of its own: {build_s:.0f} s, peak RSS {build_rss:,.0f} MiB")


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


def article_count(value: str) -> int:
    return 0 if value == "all" else int(value)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=corpus_path())
    parser.add_argument("--qa", type=Path, default=(corpus_path() or ROOT).with_name("qa-dev.jsonl"))
    parser.add_argument("--n", type=article_count, default=1000, help="articles in the sample, or 'all'")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "out" / "bench")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--encode-sample", type=int, default=512, help="chunks for the raw encode rate")
    parser.add_argument("--batch-sizes", default="8,32", help="encode batch sizes to compare (comma-separated)")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted run into the same index")
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
    label = str(args.n) if args.n else "all"
    if args.n and args.n < count_lines(args.corpus):
        sample = args.out / f"crud-{label}.jsonl"
        evidence = {doc_id for record in qa[: args.queries] for doc_id in record["evidence_doc_ids"]}
        if not (args.resume and sample.is_file()):
            write_sample(args.corpus, args.n, sample, evidence, seed=0)  # the questions' evidence, then random
    else:
        sample = args.corpus.resolve()
    base = Settings(data_dir=args.out / f"index-{label}")
    probe, chunk_count, chunk_chars = sample_chunks(sample, base, args.encode_sample)
    variants = model_variants(base, probe, [int(b) for b in args.batch_sizes.split(",")], args.out)

    if not args.resume:
        shutil.rmtree(base.data_dir, ignore_errors=True)
    before = indexed_chars(base.data_dir)
    raw_before = encode_rate(base, probe)  # measured around the ingest: the machine's load may vary
    ingest_s, ingest_rss = run_ingest(sample, base.data_dir)
    raw_after = encode_rate(base, probe)
    after = indexed_chars(base.data_dir)
    started = time.perf_counter()
    for text in probe:
        tokenize(text)
    jieba_s = (time.perf_counter() - started) * chunk_chars / max(sum(map(len, probe)), 1)
    chars = after[2] - before[2]
    raw = (raw_before + raw_after) / 2
    pipeline = {
        "articles": after[0] - before[0],
        "chunks": after[1] - before[1],
        "chars": chars,
        "pipeline s": ingest_s,
        "pipeline chars/s": chars / ingest_s,
        "raw encode chars/s (before/after)": f"{raw_before:,.0f} / {raw_after:,.0f}",
        "pipeline / raw": chars / ingest_s / raw,
        "encode s (est.)": chars / raw,
        "jieba s (est.)": jieba_s * chars / max(chunk_chars, 1),
        "ingest peak RSS MiB": ingest_rss,
    }
    disk = {name: disk_mib(base.data_dir / name) for name in ("chroma", "bm25")}
    disk["catalog"] = sum(f.stat().st_size for f in base.data_dir.glob("catalog.sqlite3*")) / 2**20

    print(f"## Model variants (raw encode on {len(probe)} of {chunk_count:,} chunks; quality on the page gold set)\n")
    print(table(variants))
    variant = f"{base.embedding_model} {'int8' if base.embedding_quantize else 'fp32'}, batch {base.embed_batch_size}"
    resumed = f", resumed at {before[0]:,} articles" if args.resume and before[0] else ""
    print(f"\n## Ingest of {after[0]:,} CRUD articles ({variant}{resumed})\n")
    print(table([pipeline]))
    print("\n## Index on disk (MiB)\n")
    print(table([disk]))
    if questions:
        query_bench(base, questions)


if __name__ == "__main__":
    main()
