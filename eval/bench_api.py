"""Benchmark the HTTP API: warm /api/ask latency (p50/p95) and concurrent clients, on a real uvicorn server.

    python -m eval.bench_api                 # 50 sequential asks, then 8 clients x 25 asks
    python -m eval.bench_api --json          # the numbers as JSON
    python -m eval.bench_api --data-dir /tmp/crud10k/data --qa …/crud-news/qa-dev.jsonl   # a large index

Starts `newsqa demo` (the bundled page, ingested into a temporary --data-dir) on a free loopback
port, asks the gold questions of the page round-robin, prints the numbers and stops the server.
With `--data-dir`, serves that index as it is (`newsqa serve`, nothing ingested) and asks the
questions of `--qa`.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from eval.gold import load_gold
from eval.metrics import percentile

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "eval" / "data" / "hengyang-2022-12-15.jsonl"
READY_TIMEOUT = 300.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data_dir: Path, port: int, log: Path, verb: str = "demo") -> subprocess.Popen[bytes]:
    """`newsqa demo` (or `serve`) on loopback without an API key; its output goes to `log`."""
    env = {**os.environ, "NEWSQA_API_KEY": ""}
    command = [sys.executable, "-m", "ui.cli", verb, "--port", str(port), "--data-dir", str(data_dir)]
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_ready(base: str, server: subprocess.Popen[bytes], log: Path) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < READY_TIMEOUT:
        if server.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("server not ready in time")


def ask(client: httpx.Client, question: str) -> tuple[float, bool]:
    """Seconds taken, and whether the answer came back whole (200 with an answer)."""
    started = time.perf_counter()
    try:
        response = client.post("/api/ask", json={"question": question})
        ok = response.status_code == 200 and "answer" in response.json()
    except httpx.HTTPError:
        ok = False
    return time.perf_counter() - started, ok


def summary(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "max_ms": round(max(ms), 1),
    }


def bench(base: str, questions: list[str], sequential: int, clients: int, per_client: int) -> dict:
    with httpx.Client(base_url=base, timeout=120) as client:
        for question in questions[:5]:
            ask(client, question)
        runs = [ask(client, questions[i % len(questions)]) for i in range(sequential)]
    warm = {"requests": sequential, "errors": sum(not ok for _, ok in runs), **summary([s for s, _ in runs])}

    def one_client(c: int) -> list[tuple[float, bool]]:
        with httpx.Client(base_url=base, timeout=120) as client:
            return [ask(client, questions[(c * per_client + i) % len(questions)]) for i in range(per_client)]

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = [r for batch in pool.map(one_client, range(clients)) for r in batch]
    wall = time.perf_counter() - started
    concurrent = {
        "clients": clients,
        "requests": len(results),
        "errors": sum(not ok for _, ok in results),
        "wall_s": round(wall, 2),
        "throughput_rps": round(len(results) / wall, 2),
        **summary([s for s, _ in results]),
    }
    return {"warm_sequential": warm, "concurrent": concurrent}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequential", type=int, default=50)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-client", type=int, default=25)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--data-dir", type=Path, help="serve this index as it is instead of the bundled page")
    parser.add_argument("--qa", type=Path, default=GOLD, help="questions to ask (gold JSONL)")
    args = parser.parse_args()
    questions = [item.question for item in load_gold(args.qa) if not item.history]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="newsqa-bench-") as tmp:
        log = Path(tmp) / "server.log"
        if args.data_dir:
            server = start_server(args.data_dir, port, log, verb="serve")
        else:
            server = start_server(Path(tmp) / "data", port, log)
        try:
            ready_s = wait_ready(base, server, log)
            result = {
                "ready_s": round(ready_s, 1),
                **bench(base, questions, args.sequential, args.clients, args.per_client),
            }
        finally:
            server.terminate()
            server.wait(timeout=60)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    warm, conc = result["warm_sequential"], result["concurrent"]
    print(f"server ready after {result['ready_s']} s (ingest + model load)")
    print(
        f"warm /api/ask, {warm['requests']} sequential: p50 {warm['p50_ms']} ms, p95 {warm['p95_ms']} ms, "
        f"max {warm['max_ms']} ms, errors {warm['errors']}"
    )
    print(
        f"{conc['clients']} clients x {args.per_client}: {conc['requests']} requests in {conc['wall_s']} s "
        f"({conc['throughput_rps']} req/s), p50 {conc['p50_ms']} ms, p95 {conc['p95_ms']} ms, errors {conc['errors']}"
    )
    if warm["errors"] or conc["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
