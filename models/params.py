"""The parameters of each model type: the schema of ``model.params`` in a training config.

Input: the ``model.params`` mapping of a training config. Output: a validated,
typed parameter object; an unknown key or a bad value is refused with the key
named. The estimators take exactly these fields, so the config is the only
place a run's settings come from (no hidden defaults inside the estimators).
This module imports no heavy library, so validating a config is instant.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LinearParams(_Params):
    """TF-IDF n-grams, static sentence embeddings and labelling-function features into one logistic regression per label."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (3, 5)
    word_min_df: int = Field(2, ge=1)
    char_min_df: int = Field(3, ge=1)
    max_word_features: int = Field(60000, ge=1)
    max_char_features: int = Field(120000, ge=1)
    # Sentence embeddings (provrisk.models.embeddings) times this weight; 0: none. "static": token
    # vectors distilled from MiniLM (a table look-up); "encoder": the full MiniLM encoder (exact, ~100x
    # slower, needs the transformer extra wherever the model scores).
    embedding_weight: float = Field(0.0, ge=0)
    embedding: Literal["static", "encoder"] = "static"
    embedding_dims: int = Field(256, ge=8, le=384)  # static only: size after PCA
    # Labelling-function votes as features (the LF set is the labelling config's `lfs`).
    use_lf_votes: bool = True
    lf_vote_weight: float = Field(1.0, ge=0)
    # The probabilities of a Dawid-Skene label model fitted on the training votes (needs the votes).
    use_label_model: bool = True
    label_model_weight: float = Field(3.0, ge=0)
    C: float = Field(4.0, gt=0)
    class_weight: Literal["balanced"] | None = "balanced"
    max_iter: int = Field(300, ge=10)
    n_jobs: int = Field(1, ge=1)

    @model_validator(mode="after")
    def _label_model_needs_votes(self) -> LinearParams:
        if self.use_label_model and not self.use_lf_votes:
            raise ValueError("use_label_model needs use_lf_votes: the label model reads the LF votes")
        for name in ("word_ngrams", "char_ngrams"):
            low, high = getattr(self, name)
            if not 1 <= low <= high:
                raise ValueError(f"{name} must be [low, high] with 1 <= low <= high")
        return self


class TransformerParams(_Params):
    """Fine-tuning settings; ``model_path=None`` means the packaged all-MiniLM-L6-v2 checkpoint."""

    model_config = ConfigDict(extra="forbid", frozen=False)

    model_path: str | None = None
    max_length: int = Field(256, ge=8)
    epochs: int = Field(3, ge=1)
    batch_size: int = Field(16, ge=1)
    learning_rate: float = Field(5e-5, gt=0)
    weight_decay: float = Field(0.01, ge=0)
    warmup_ratio: float = Field(0.1, ge=0, lt=1)
    # Rare labels (1-5% positives) otherwise learn to say "no": a positive weighs
    # sqrt(negatives / positives) times a negative, at most this much (None: no weighting).
    pos_weight_cap: float | None = Field(10.0, ge=1)
    seed: int = 13  # a training run sets it from the config's top-level `seed`
    device: str = "auto"
    num_threads: int | None = Field(None, ge=1)
    eval_batch_size: int = Field(64, ge=1)
