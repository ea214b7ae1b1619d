"""Benchmark PDF ingest without embedding: pages per second through layout, articles, continuations and chunks.

    python -m eval.bench_pdf [--pdf FILE] [--repeats 3]

Without `--pdf` it prints a 20-page file (the generated front page and page 2, ten times) with
headless Chromium first. Times `ingest.pdf.pdf_articles` + `join_continuations` + `chunk_article`
(everything `newsqa ingest` does to a PDF before the embedding model and the indexes), and, apart,
the text-layer check `read_file` does; prints the median of the repeats, wall clock and CPU time
(on a shared machine the wall clock depends on the load).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium

from eval.make_pages import FRONT_PAGE, SECOND_PAGE, print_pdf
from ingest.chunk import chunk_article
from ingest.continuations import join_continuations
from ingest.pdf import has_text_layer, pdf_articles


def run(pdf: Path) -> tuple[float, float, float, int, int, int]:
    """(layout wall seconds, its CPU seconds, text-layer check seconds, pages, articles, chunks) of one pass."""
    started = time.perf_counter()
    has_text_layer(pdf)
    checked, cpu = time.perf_counter(), time.process_time()
    articles, _ = pdf_articles(pdf, str(pdf), pdf.name)
    articles = join_continuations(articles)
    chunks = sum(len(chunk_article(article)) for article in articles)
    done, cpu = time.perf_counter(), time.process_time() - cpu
    document = pdfium.PdfDocument(pdf)
    pages = len(document)
    document.close()
    return done - checked, cpu, checked - started, pages, len(articles), chunks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf", type=Path, help="a PDF to measure (default: print a 20-page one)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pdf = args.pdf or print_pdf([FRONT_PAGE, SECOND_PAGE] * 10, Path(tmp) / "twenty-pages-2022-12-15.pdf")
        runs = [run(pdf) for _ in range(args.repeats)]
    layout = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    check = statistics.median(r[2] for r in runs)
    _, _, _, pages, articles, chunks = runs[0]
    print(f"file: {pdf.name}  pages: {pages}  articles: {articles}  chunks: {chunks}  repeats: {args.repeats}")
    print(f"layout → articles → chunks: {layout:.3f} s median  = {pages / layout:.1f} pages/s")
    print(f"  CPU time of it: {cpu:.3f} s median  = {pages / cpu:.1f} pages per CPU second (less load-dependent)")
    print(f"text-layer check (read_file): {check:.3f} s median")
    print(f"both: {pages / (layout + check):.1f} pages/s (embedding excluded)")


if __name__ == "__main__":
    main()
