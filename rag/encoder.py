"""A lean sentence encoder for BERT models: plain torch and `tokenizers`, no transformers import.

Importing sentence-transformers (and with it transformers and scikit-learn) costs several seconds
before a command-line question can be answered. For a sentence-transformers folder that is a plain
BERT encoder with mean or CLS pooling (m3e-small, …) this module computes the same
embeddings — the same layers, weights and pooling — from torch alone; `rag.embeddings` falls back
to sentence-transformers for any other model. `tests/test_encoder.py` checks both agree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import Tokenizer
from torch import nn
from torch.nn import functional

_SUPPORTED_MODULES = {
    "sentence_transformers.models.Transformer",
    "sentence_transformers.models.Pooling",
    "sentence_transformers.models.Normalize",
}


def _json(path: Path) -> Any:
    """A JSON file's content; {} when the file is absent."""
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def normaliser_agrees(folder: Path) -> bool:
    """Whether `tokenizer.json` normalises text as transformers will: it rebuilds a BERT tokenizer's
    normaliser from `tokenizer_config.json` (BertTokenizer's defaults: lower-case, split CJK characters)."""
    settings = _json(folder / "tokenizer_config.json")
    if settings.get("tokenizer_class", "BertTokenizer") not in ("BertTokenizer", "BertTokenizerFast"):
        return False
    normaliser = _json(folder / "tokenizer.json").get("normalizer") or {}
    expected = {
        "type": "BertNormalizer",
        "lowercase": settings.get("do_lower_case", True),
        "handle_chinese_chars": settings.get("tokenize_chinese_chars", True),
        "strip_accents": settings.get("strip_accents"),
    }
    return all(normaliser.get(key) == value for key, value in expected.items())


def pooling_mode(folder: Path) -> str | None:
    """'mean' or 'cls' when the folder holds a plain BERT encoder this module can run, else None."""
    try:
        config = _json(folder / "config.json")
        modules = _json(folder / "modules.json") or []
        pooling = _json(folder / "1_Pooling" / "config.json")
        options = _json(folder / "sentence_bert_config.json")
        same_text = normaliser_agrees(folder)
    except (OSError, ValueError):
        return None
    plain_bert = (
        config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and not options.get("do_lower_case")  # sentence-transformers would lower-case before the tokenizer
        and (folder / "tokenizer.json").is_file()
        and same_text
        and any((folder / name).is_file() for name in ("model.safetensors", "pytorch_model.bin"))
        and all(
            m.get("type") in _SUPPORTED_MODULES and m.get("path", "") in ("", "1_Pooling", "2_Normalize")
            for m in modules
        )
    )
    modes = [key for key, on in pooling.items() if key.startswith("pooling_mode") and on is True]
    if not plain_bert or len(modes) > 1:  # several modes are concatenated: leave that to sentence-transformers
        return None
    if not pooling:
        return "mean"  # a bare transformers folder: sentence-transformers pools by the mean
    return {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls"}.get(modes[0] if modes else "")


def max_length(folder: Path, config: dict) -> int:
    """Tokens kept per text, as sentence-transformers decides: its own setting, else the tokenizer's, at most
    the model's positions."""
    positions = int(config["max_position_embeddings"])
    limit = _json(folder / "sentence_bert_config.json").get("max_seq_length")
    limit = limit or _json(folder / "tokenizer_config.json").get("model_max_length") or positions
    return min(int(limit), positions)


class _Embeddings(nn.Module):
    def __init__(self, config: dict) -> None:
        super().__init__()
        hidden = config["hidden_size"]
        self.word_embeddings = nn.Embedding(config["vocab_size"], hidden)
        self.position_embeddings = nn.Embedding(config["max_position_embeddings"], hidden)
        self.token_type_embeddings = nn.Embedding(config.get("type_vocab_size", 2), hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=config.get("layer_norm_eps", 1e-12))

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.word_embeddings(ids) + self.token_type_embeddings.weight[0] + self.position_embeddings(positions)
        return self.LayerNorm(x)


class _SelfAttention(nn.Module):
    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.query, self.key, self.value = (
            nn.Linear(hidden, hidden),
            nn.Linear(hidden, hidden),
            nn.Linear(hidden, hidden),
        )


class _Dense(nn.Module):
    def __init__(self, inputs: int, outputs: int, eps: float | None = None) -> None:
        super().__init__()
        self.dense = nn.Linear(inputs, outputs)
        if eps is not None:
            self.LayerNorm = nn.LayerNorm(outputs, eps=eps)


class _Attention(nn.Module):
    def __init__(self, hidden: int, eps: float) -> None:
        super().__init__()
        self.self = _SelfAttention(hidden)
        self.output = _Dense(hidden, hidden, eps)


class _Layer(nn.Module):
    def __init__(self, config: dict) -> None:
        super().__init__()
        hidden, eps = config["hidden_size"], config.get("layer_norm_eps", 1e-12)
        self.heads = config["num_attention_heads"]
        self.attention = _Attention(hidden, eps)
        self.intermediate = _Dense(hidden, config["intermediate_size"])
        self.output = _Dense(config["intermediate_size"], hidden, eps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, length, hidden = x.shape
        attention = self.attention.self

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, length, self.heads, hidden // self.heads).transpose(1, 2)

        q, k, v = split(attention.query(x)), split(attention.key(x)), split(attention.value(x))
        context = functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        context = context.transpose(1, 2).reshape(batch, length, hidden)
        x = self.attention.output.LayerNorm(x + self.attention.output.dense(context))
        inner = functional.gelu(self.intermediate.dense(x))
        return self.output.LayerNorm(x + self.output.dense(inner))


class _Encoder(nn.Module):
    def __init__(self, config: dict) -> None:
        super().__init__()
        self.layer = nn.ModuleList(_Layer(config) for _ in range(config["num_hidden_layers"]))


class BertEncoder(nn.Module):
    """BERT's embeddings and encoder layers (no pooler), with parameter names as in its checkpoints."""

    def __init__(self, config: dict) -> None:
        super().__init__()
        self.embeddings = _Embeddings(config)
        self.encoder = _Encoder(config)

    def forward(self, ids: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
        mask = torch.zeros(attention.shape, dtype=torch.float32).masked_fill(
            attention == 0, torch.finfo(torch.float32).min
        )
        mask = mask[:, None, None, :]  # padding is never attended to
        x = self.embeddings(ids)
        for layer in self.encoder.layer:
            x = layer(x, mask)
        return x


def _state_dict(folder: Path) -> dict[str, torch.Tensor]:
    if (folder / "model.safetensors").is_file():
        from safetensors.torch import load_file

        weights = load_file(str(folder / "model.safetensors"))
    else:
        weights = torch.load(folder / "pytorch_model.bin", map_location="cpu", weights_only=True)
    prefix = "bert." if any(k.startswith("bert.") for k in weights) else ""
    return {
        k[len(prefix) :]: v
        for k, v in weights.items()
        if k.startswith(prefix) and k[len(prefix) :].startswith(("embeddings.", "encoder.")) and "position_ids" not in k
    }


class LeanSentenceEncoder:
    """Tokenise, run BERT, pool (mean over real tokens, or CLS) and L2-normalise, in batches."""

    def __init__(self, folder: Path, pooling: str) -> None:
        config = _json(folder / "config.json")
        self.model = BertEncoder(config)
        self.model.load_state_dict(_state_dict(folder), strict=True)
        self.model.eval()
        self.pooling = pooling
        self.dimension = int(config["hidden_size"])
        self.pad_id = int(config.get("pad_token_id") or 0)  # padded rows enter int8's per-batch activation range
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length(folder, config))
        self.tokenizer.no_padding()

    def encode(self, texts: list[str], batch_size: int) -> torch.Tensor:
        encodings = self.tokenizer.encode_batch(texts)
        # longest first, by characters as sentence-transformers orders them: with int8 weights, activations are
        # quantised per batch, so the same batches give the same vectors
        order = [int(i) for i in np.argsort([-len(text) for text in texts])]
        vectors = torch.empty(len(texts), self.dimension)
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                batch = order[start : start + batch_size]
                length = max(len(encodings[i].ids) for i in batch)
                ids = torch.full((len(batch), length), self.pad_id, dtype=torch.long)
                attention = torch.zeros(len(batch), length, dtype=torch.long)
                for row, i in enumerate(batch):
                    ids[row, : len(encodings[i].ids)] = torch.tensor(encodings[i].ids)
                    attention[row, : len(encodings[i].ids)] = 1
                hidden = self.model(ids, attention)
                if self.pooling == "cls":
                    pooled = hidden[:, 0]
                else:
                    weights = attention.unsqueeze(-1).to(hidden.dtype)
                    pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
                vectors[batch] = functional.normalize(pooled, dim=-1)
        return vectors
