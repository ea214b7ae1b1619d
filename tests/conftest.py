"""Shared fixtures: the bundled page ingested once into a real on-disk index (real model, Chroma, jieba)."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

from ingest.pipeline import ingest_paths
from rag.index import NewsIndex
from rag.settings import Settings


def _closed_loopback_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/v1"


# Tests never reach an LLM server that happens to run on this machine (the default URL is a local
# port): requests for the openai backend fail fast and fall back, unless a test starts its own fake.
os.environ["NEWSQA_OPENAI_BASE_URL"] = _closed_loopback_url()

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "corpus" / "hengyang-daily-2022-12-15.txt"
GOLD = ROOT / "eval" / "data" / "hengyang-2022-12-15.jsonl"


@pytest.fixture(scope="session")
def page_index(tmp_path_factory: pytest.TempPathFactory) -> NewsIndex:
    """A read-only index of the bundled page; tests that write make their own index."""
    data_dir = tmp_path_factory.mktemp("page-index")
    index = NewsIndex(Settings(data_dir=data_dir))
    ingest_paths(index, [PAGE], show_progress=False)
    return index


@pytest.fixture()
def fresh_index(tmp_path: Path) -> NewsIndex:
    return NewsIndex(Settings(data_dir=tmp_path / "data"))


@pytest.fixture()
def page_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    return Path(shutil.copy(PAGE, folder / PAGE.name))
