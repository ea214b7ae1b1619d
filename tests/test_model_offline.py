"""A model name that is not installed is refused offline, whatever was imported before it (gradio imports
huggingface_hub, which reads HF_HUB_OFFLINE only when first imported): the UI asks the model hub nothing,
and no request for the model leaves the machine. The hub is a local stand-in that records what it is asked."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import ROOT

LOAD_MODEL = """
from rag.embeddings import SentenceEmbeddings
from rag.errors import NewsqaError
try:
    SentenceEmbeddings("no-such-model")
except NewsqaError as error:
    print("refused:", error)
"""


@pytest.fixture
def model_hub() -> Iterator[tuple[str, list[str]]]:
    """A local stand-in for the model hub that answers 404 and records every path asked for."""
    asked: list[str] = []

    class Hub(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_error(404)

        do_HEAD = do_GET

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", asked
    server.shutdown()


def _load_after(first: str, hub: str) -> subprocess.CompletedProcess:
    """Load a model name that is not installed, in a fresh process that ran `first` before, the hub at `hub`."""
    offline = {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"}
    env = {k: v for k, v in os.environ.items() if k not in offline} | {"HF_ENDPOINT": hub}
    env |= {"GRADIO_ANALYTICS_ENABLED": "False"}
    code = first + "\n" + LOAD_MODEL
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_the_ui_asks_the_hub_nothing_and_a_model_not_installed_is_refused(model_hub: tuple[str, list[str]]):
    url, asked = model_hub
    done = _load_after("import ui.web.app", url)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "refused:" in done.stdout and "no-such-model" in done.stdout
    assert asked == []


def test_a_model_not_installed_is_refused_offline_even_after_gradio_went_first(model_hub: tuple[str, list[str]]):
    url, asked = model_hub
    done = _load_after("import gradio", url)  # huggingface_hub imported before newsqa could put it offline
    assert done.returncode == 0, done.stderr[-2000:]
    assert "refused:" in done.stdout and "no-such-model" in done.stdout
    assert not [path for path in asked if "no-such-model" in path]
