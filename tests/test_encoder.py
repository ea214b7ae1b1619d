"""The lean BERT encoder gives the very vectors sentence-transformers gives, in fp32 and int8."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from rag.embeddings import SentenceEmbeddings, resolve_model_path
from rag.encoder import LeanSentenceEncoder, pooling_mode
from tests.conftest import PAGE

MODEL = Path(resolve_model_path("m3e-small"))


def _texts() -> list[str]:
    lines = [line for line in PAGE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [*lines[:40], "刘越高拜访了哪些省直部门？", "长" * 2000]  # a question, and one over 512 tokens


@pytest.mark.parametrize("quantize", [False, True])
def test_lean_encoder_matches_sentence_transformers(quantize: bool) -> None:
    from sentence_transformers import SentenceTransformer

    texts = _texts()
    lean = LeanSentenceEncoder(MODEL, "mean")
    reference = SentenceTransformer(str(MODEL), device="cpu")
    if quantize:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for model in (lean.model, reference):
                torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
    ours = lean.encode(texts, batch_size=8).numpy()
    theirs = reference.encode(texts, batch_size=8, normalize_embeddings=True)
    assert ours.shape == theirs.shape == (len(texts), 512)
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_default_model_runs_without_importing_sentence_transformers() -> None:
    code = (
        "import sys; from rag.embeddings import SentenceEmbeddings; m = SentenceEmbeddings('m3e-small', True); "
        "m.encode(['长沙海关']); print(sorted(x for x in ('sentence_transformers', 'transformers') "
        "if x in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


MODULES = [
    {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
    {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
]


def _copy_with_pooling(tmp_path: Path, name: str, pooling: dict) -> Path:
    """The model as a sentence-transformers folder with its own modules and pooling configuration."""
    folder = tmp_path / name
    shutil.copytree(MODEL, folder)
    (folder / "modules.json").write_text(json.dumps(MODULES), encoding="utf-8")
    (folder / "1_Pooling").mkdir()
    (folder / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": 512, **pooling}))
    return folder


def test_pooling_modes_choose_the_encoder(tmp_path: Path) -> None:
    assert pooling_mode(MODEL) == "mean"
    assert pooling_mode(_copy_with_pooling(tmp_path, "mean", {"pooling_mode_mean_tokens": True})) == "mean"
    assert pooling_mode(_copy_with_pooling(tmp_path, "cls", {"pooling_mode_cls_token": True})) == "cls"
    assert pooling_mode(_copy_with_pooling(tmp_path, "max", {"pooling_mode_max_tokens": True})) is None
    dense = _copy_with_pooling(tmp_path, "dense", {"pooling_mode_mean_tokens": True})
    extra = {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}
    (dense / "modules.json").write_text(json.dumps([*MODULES, extra]), encoding="utf-8")
    assert pooling_mode(dense) is None
    both = {"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": True}  # concatenated: 1024-d
    assert pooling_mode(_copy_with_pooling(tmp_path, "both", both)) is None
    lower = _copy_with_pooling(tmp_path, "lower", {"pooling_mode_mean_tokens": True})
    (lower / "sentence_bert_config.json").write_text(json.dumps({"do_lower_case": True}))
    assert pooling_mode(lower) is None
    cased = _copy_with_pooling(tmp_path, "cased", {"pooling_mode_mean_tokens": True})
    settings = json.loads((cased / "tokenizer_config.json").read_text(encoding="utf-8"))
    del settings["do_lower_case"]  # transformers then lower-cases, though tokenizer.json does not
    (cased / "tokenizer_config.json").write_text(json.dumps(settings), encoding="utf-8")
    assert pooling_mode(cased) is None
    no_tokenizer = _copy_with_pooling(tmp_path, "no-tokenizer", {"pooling_mode_mean_tokens": True})
    (no_tokenizer / "tokenizer.json").unlink()
    assert pooling_mode(no_tokenizer) is None
    assert pooling_mode(tmp_path) is None  # no model at all


def test_cls_pooling_matches_sentence_transformers(tmp_path: Path) -> None:
    from sentence_transformers import SentenceTransformer

    folder = _copy_with_pooling(tmp_path, "cls", {"pooling_mode_cls_token": True})
    texts = _texts()[:12]
    ours = SentenceEmbeddings(str(folder)).encode(texts)
    theirs = SentenceTransformer(str(folder), device="cpu").encode(texts, batch_size=8, normalize_embeddings=True)
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.abs(ours - SentenceEmbeddings("m3e-small").encode(texts)).max() > 1e-3  # CLS, not mean


def test_other_models_run_on_sentence_transformers(tmp_path: Path) -> None:
    folder = _copy_with_pooling(tmp_path, "max", {"pooling_mode_max_tokens": True})
    other = SentenceEmbeddings(str(folder), quantize=False)
    assert other.lean is None and other.dimension == 512
    vectors = other.encode(_texts()[:6])
    assert vectors.shape == (6, 512)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.abs(vectors - SentenceEmbeddings("m3e-small").encode(_texts()[:6])).max() > 1e-3  # max, not mean


def test_max_seq_length_of_the_folder_is_kept(tmp_path: Path) -> None:
    from sentence_transformers import SentenceTransformer

    folder = _copy_with_pooling(tmp_path, "short", {"pooling_mode_mean_tokens": True})
    (folder / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 64, "do_lower_case": False}))
    texts = _texts()[-4:]
    ours = LeanSentenceEncoder(folder, "mean").encode(texts, batch_size=8).numpy()
    theirs = SentenceTransformer(str(folder), device="cpu").encode(texts, batch_size=8, normalize_embeddings=True)
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.abs(ours - LeanSentenceEncoder(MODEL, "mean").encode(texts, batch_size=8).numpy()).max() > 1e-3


def test_a_folder_the_lean_encoder_cannot_load_runs_on_sentence_transformers(tmp_path: Path) -> None:
    folder = _copy_with_pooling(tmp_path, "partial", {"pooling_mode_mean_tokens": True})
    weights = torch.load(folder / "pytorch_model.bin", map_location="cpu", weights_only=True)
    del weights[next(k for k in weights if k.endswith("token_type_embeddings.weight"))]  # transformers re-creates it
    torch.save(weights, folder / "pytorch_model.bin")
    assert pooling_mode(folder) == "mean"
    with pytest.raises(RuntimeError):
        LeanSentenceEncoder(folder, "mean")
    fallback = SentenceEmbeddings(str(folder), quantize=False)
    assert fallback.lean is None
    assert fallback.encode(_texts()[:3]).shape == (3, 512)
