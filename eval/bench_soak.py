"""Soak benchmark (issue 16): questions keep being answered while streams are dropped and a large article uploads.

    python -m eval.bench_soak                                  # 120 s, a 20 MiB article, own server
    python -m eval.bench_soak --seconds 60 --upload-mib 5
    python -m eval.bench_soak --url http://127.0.0.1:8000 --api-key KEY   # a running server

Without --url it starts `newsqa demo` (the bundled page ingested into a temporary --data-dir, a
random API key) on a free loopback port. For --seconds, 8 clients ask the gold questions of the
page in a loop, 2 clients open streams (/api/chat/stream, /v1/chat/completions) and drop them after
the first event, 1 client polls /healthz, and 1 client uploads one generated article of
--upload-mib MiB (waited for after the load, up to --upload-timeout; on --url it is removed again).
Every request has a timeout: one that exceeds it is hung. Prints requests per route, hung
requests, 5xx, ask latency p50/p95/max and the upload's outcome; exits 1 on any hung request,
5xx or broken connection.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx

from eval.bench_api import GOLD, free_port, wait_ready
from eval.gold import load_gold
from eval.metrics import percentile

ASKERS = 8
UPLOAD_NAME = "soak-article.txt"
PLACES = ["雁峰区", "石鼓区", "蒸湘区", "珠晖区", "南岳区", "衡南县", "衡阳县", "衡山县", "衡东县", "祁东县"]
WORKS = ["新建道路管网", "改造老旧小区", "建设标准厂房", "完善学校设施", "提升医院服务", "修缮水利工程"]


def long_article(size: int) -> bytes:
    """One article of at most `size` bytes of UTF-8: a headline, a dateline and distinct numbered paragraphs."""
    parts = ["衡阳市重点项目建设全面提速\n\n本报讯（记者 王明）衡阳市全面推进重点项目建设。"]
    total, n = len(parts[0].encode()), 0
    while True:
        n += 1
        place, work = PLACES[n % len(PLACES)], WORKS[n % len(WORKS)]
        paragraph = (
            f"第{n}个项目位于{place}，计划投资{n * 37 % 9000 + 100}万元，主要内容是{work}。"
            f"项目第{n % 12 + 1}个月完成主体工程，带动就业{n % 300 + 20}人。"
            f"{place}有关负责人表示，将按期完成第{n}个项目的各项任务。"
        )
        total += len(paragraph.encode()) + 2
        if total > size:
            return "\n\n".join(parts).encode()
        parts.append(paragraph)


def first_sse_event(response: httpx.Response) -> str:
    """Read up to the end of the first Server-Sent Event (a blank line), then stop reading."""
    lines: list[str] = []
    for line in response.iter_lines():
        if not line and lines:
            break
        if line:
            lines.append(line)
    return "\n".join(lines)


@dataclass(frozen=True)
class Request:
    """One request's outcome: its status, or hung (timed out) or broken (another transport error)."""

    route: str
    seconds: float
    status: int | None = None
    hung: bool = False


def timed(route: str, send: Callable[[], int]) -> Request:
    """Run one request (`send` returns its status); a timeout is a hung request."""
    started = time.perf_counter()
    try:
        status = send()
    except httpx.TimeoutException:
        return Request(route, time.perf_counter() - started, hung=True)
    except httpx.HTTPError:
        return Request(route, time.perf_counter() - started)
    return Request(route, time.perf_counter() - started, status)


class Soak:
    """The clients and what they saw."""

    def __init__(self, base: str, key: str, timeout: float, seconds: float) -> None:
        self.base, self.timeout = base, timeout
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.deadline = time.monotonic() + seconds
        self.requests: list[Request] = []
        self.upload: Request | None = None
        self.upload_body = ""
        self._lock = threading.Lock()

    def client(self, timeout: float | None = None) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers=self.headers, timeout=timeout or self.timeout)

    def record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def loop(self, one: Callable[[httpx.Client, int], Request], pause: float = 0.0) -> None:
        with self.client() as client:
            n = 0
            while time.monotonic() < self.deadline:
                self.record(one(client, n))
                n += 1
                time.sleep(pause)

    def asker(self, questions: list[str], first: int) -> Callable[[], None]:
        def one(client: httpx.Client, n: int) -> Request:
            question = questions[(first + n) % len(questions)]
            return timed("POST /api/ask", lambda: client.post("/api/ask", json={"question": question}).status_code)

        return lambda: self.loop(one)

    def dropper(self, path: str, body: dict) -> Callable[[], None]:
        def drop(client: httpx.Client) -> int:
            with client.stream("POST", path, json=body) as response:
                first_sse_event(response)
                return response.status_code

        return lambda: self.loop(lambda client, _: timed(f"POST {path} (dropped)", lambda: drop(client)), 0.1)

    def health(self) -> None:
        self.loop(lambda client, _: timed("GET /healthz", lambda: client.get("/healthz").status_code), 1.0)

    def uploader(self, content: bytes, timeout: float) -> Callable[[], None]:
        def send(client: httpx.Client) -> int:
            response = client.post("/api/documents", files={"files": (UPLOAD_NAME, content, "text/plain")})
            self.upload_body = response.text[:300]
            return response.status_code

        def run() -> None:
            with self.client(timeout) as client:
                self.upload = timed("POST /api/documents", lambda: send(client))

        return run


def run_soak(base: str, key: str, args: argparse.Namespace) -> Soak:
    questions = [item.question for item in load_gold(GOLD) if not item.history]
    soak = Soak(base, key, args.timeout, args.seconds)
    asked = "刘越高拜访了哪些省直部门？"
    clients = [soak.asker(questions, c * len(questions) // ASKERS) for c in range(ASKERS)]
    clients += [
        soak.dropper("/api/chat/stream", {"question": asked}),
        soak.dropper("/v1/chat/completions", {"stream": True, "messages": [{"role": "user", "content": asked}]}),
        soak.health,
    ]
    content = long_article(int(args.upload_mib * (1 << 20)))
    threads = [threading.Thread(target=client, daemon=True) for client in clients]
    uploader = threading.Thread(target=soak.uploader(content, args.upload_timeout), daemon=True)
    for thread in [uploader, *threads]:
        thread.start()
    for thread in threads:
        thread.join()
    if uploader.is_alive():
        print(f"load done after {args.seconds:.0f} s; waiting for the upload (up to {args.upload_timeout:.0f} s)")
    uploader.join()
    return soak


def report(soak: Soak, upload_mib: float) -> bool:
    """Print the figures; True when nothing hung, broke or got a 5xx."""
    requests = [*soak.requests, *([soak.upload] if soak.upload else [])]
    print(f"{'route':<42} {'requests':>8} {'2xx':>6} {'4xx':>5} {'5xx':>5} {'hung':>5} {'broken':>6}")
    for route in sorted({r.route for r in requests}):
        mine = [r for r in requests if r.route == route]
        kinds = Counter("hung" if r.hung else "broken" if r.status is None else f"{r.status // 100}xx" for r in mine)
        print(
            f"{route:<42} {len(mine):>8} {kinds['2xx']:>6} {kinds['4xx']:>5} {kinds['5xx']:>5} "
            f"{kinds['hung']:>5} {kinds['broken']:>6}"
        )
    hung = sum(r.hung for r in requests)
    errors = sum(r.status is not None and r.status >= 500 for r in requests)
    broken = sum(r.status is None and not r.hung for r in requests)
    print(f"hung: {hung}   5xx: {errors}   broken connections: {broken}")
    asks = [r.seconds * 1000 for r in soak.requests if r.route == "POST /api/ask" and r.status == 200]
    if asks:
        print(
            f"ask latency (n={len(asks)}): p50 {percentile(asks, 50):.0f} ms, p95 {percentile(asks, 95):.0f} ms, "
            f"max {max(asks):.0f} ms"
        )
    upload = soak.upload
    if upload is None or upload.hung:
        print(f"upload of {upload_mib:g} MiB: not finished (hung)")
    else:
        print(f"upload of {upload_mib:g} MiB: {upload.status or 'broken'} after {upload.seconds:.1f} s")
        print(f"  {soak.upload_body}")
    return not (hung or errors or broken)


def start_demo(data_dir: Path, port: int, key: str, log: Path) -> subprocess.Popen[bytes]:
    """`newsqa demo` (the console script next to this interpreter) on loopback with an API key."""
    newsqa = Path(sys.executable).with_name("newsqa")
    env = {**os.environ, "NEWSQA_API_KEY": key, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"}
    command = [str(newsqa), "demo", "--port", str(port), "--data-dir", str(data_dir)]
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=data_dir.parent, env=env, stdout=out, stderr=subprocess.STDOUT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="length of the load (default 120)")
    parser.add_argument("--upload-mib", type=float, default=20.0, help="size of the uploaded article (default 20)")
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, seconds (default 30)")
    parser.add_argument("--upload-timeout", type=float, default=3600.0, help="for the upload (default 3600)")
    parser.add_argument("--url", help="a running server (default: start one)")
    parser.add_argument("--api-key", default=os.environ.get("NEWSQA_API_KEY", ""), help="with --url")
    args = parser.parse_args()
    if args.url:
        soak = run_soak(args.url.rstrip("/"), args.api_key, args)
        with soak.client() as client:
            timed("DELETE", lambda: client.delete(f"/api/documents/{quote(UPLOAD_NAME)}").status_code)
        sys.exit(0 if report(soak, args.upload_mib) else 1)
    key = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="newsqa-soak-") as tmp:
        log, port = Path(tmp) / "server.log", free_port()
        server = start_demo(Path(tmp) / "data", port, key, log)
        base = f"http://127.0.0.1:{port}"
        try:
            print(f"server ready after {wait_ready(base, server, log):.1f} s; soaking for {args.seconds:.0f} s")
            soak = run_soak(base, key, args)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                print("the server did not stop within 30 s of SIGTERM: killed")
                server.kill()
                server.wait()
        ok = report(soak, args.upload_mib)
        if not ok:
            errors = [line for line in log.read_text(errors="replace").splitlines() if "Error" in line]
            print("server log, lines with 'Error':", *errors[-10:], sep="\n  ")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
