"""The Chroma server path: a real `chroma run` process behaves like the embedded store."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.pipeline import ingest_paths
from rag.index import NewsIndex
from rag.retrieve import HybridRetriever
from rag.settings import Settings
from tests.conftest import PAGE

CHROMA = Path(sys.executable).with_name("chroma")
QUESTIONS = ("刘越高拜访了哪些省直部门？", "长沙海关关长是谁", "十三届市政协第十二次主席会议由谁主持？")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(path: Path, port: int) -> subprocess.Popen[bytes]:
    """`chroma run` on localhost, returned once its heartbeat answers."""
    server = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path), "--port", str(port), "--host", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"chroma run did not answer on port {port}")


@pytest.fixture()
def chroma_url(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    server = start_server(tmp_path / "chroma-server", port)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=30)


def newsqa(*args: str, data_dir: Path, chroma_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args, "--data-dir", str(data_dir), "--chroma-url", chroma_url],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.skipif(not CHROMA.exists(), reason="the chroma CLI is not installed next to this Python")
def test_server_ingest_search_remove_match_embedded(page_index: NewsIndex, chroma_url: str, tmp_path: Path):
    data_dir = tmp_path / "data"
    index = NewsIndex(Settings(data_dir=data_dir, chroma_url=chroma_url))
    report = ingest_paths(index, [PAGE], show_progress=False)
    assert report.chunks == page_index.catalog.counts()["chunks"] > 0
    assert not (data_dir / "chroma").exists()  # vectors live on the server; catalog and BM25 stay here
    assert sorted(index.store.collection.get(include=[])["ids"]) == sorted(
        page_index.store.collection.get(include=[])["ids"]
    )
    assert index.stats()["consistent"]

    for question in QUESTIONS:
        for mode in ("dense", "hybrid"):
            served = HybridRetriever(index=index, k=5, mode=mode).search(question)
            embedded = HybridRetriever(index=page_index, k=5, mode=mode).search(question)
            assert [h.chunk.chunk_id for h in served] == [h.chunk.chunk_id for h in embedded]

    again = newsqa("ingest", str(PAGE), "--json", data_dir=data_dir, chroma_url=chroma_url)
    assert json.loads(again.stdout)["unchanged"] == [str(PAGE)]
    removed = newsqa("remove", PAGE.name, data_dir=data_dir, chroma_url=chroma_url)
    assert removed.returncode == 0, removed.stderr
    stats = json.loads(newsqa("stats", "--json", data_dir=data_dir, chroma_url=chroma_url).stdout)
    assert stats["chunks"] == stats["chunks_chroma"] == stats["chunks_lexical"] == 0 and stats["consistent"]


def test_unreachable_server_is_a_clear_error(tmp_path: Path):
    result = newsqa("stats", data_dir=tmp_path / "data", chroma_url=f"http://127.0.0.1:{free_port()}")
    message = " ".join(result.stderr.split())  # rich wraps long lines
    assert result.returncode == 2 and "cannot reach Chroma server" in message and "Traceback" not in message
