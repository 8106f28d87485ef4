"""The labelling configuration (``configs/labelling.yaml``), validated."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from provrisk.config_files import invalid, read_yaml
from provrisk.settings import PROJECT_ROOT, get_settings

DEFAULT_CONFIG = PROJECT_ROOT / "configs" / "labelling.yaml"


class LabelModelConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["dawid_skene", "majority_vote"] = "dawid_skene"
    max_iter: int = Field(200, ge=1)
    tol: float = Field(1e-6, gt=0)
    # Beta(alpha, beta) prior on every LF's accuracy; the mean alpha/(alpha+beta) is the accuracy
    # assumed for an LF that never disagrees with another.
    accuracy_prior: tuple[float, float] = (7.0, 3.0)
    # EM keeps every LF's accuracy inside these bounds: at least better than chance in the
    # direction its author declared (else EM can flip a broad exclusion LF), never certain.
    accuracy_bounds: tuple[float, float] = (0.51, 0.99)

    def estimator_params(self) -> dict:
        """The keyword arguments of :class:`~provrisk.label.label_model.DawidSkeneLabelModel`."""
        return {"max_iter": self.max_iter, "tol": self.tol, "accuracy_prior": tuple(self.accuracy_prior),
                "accuracy_bounds": tuple(self.accuracy_bounds)}


class LabellingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    corpus_dir: Path | None = None
    lfs: Literal["all"] | list[str] = "all"
    label_model: LabelModelConfig = LabelModelConfig()
    threshold: float = Field(0.5, gt=0, lt=1)
    dev_gold: Path = Path("eval/gold/dev.jsonl")
    output_dir: Path = Path("data/weak_labels")

    def resolved_corpus_dir(self) -> Path:
        settings = get_settings()
        return settings.resolve(self.corpus_dir) if self.corpus_dir else settings.corpus_dir

    def resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else PROJECT_ROOT / path

    def fingerprint(self) -> str:
        """Changes with any setting here and with the YAML rules' content (which `lfs: all` runs)."""
        from provrisk.label.yaml_rules import rules_digest

        return hashlib.sha256((self.model_dump_json() + rules_digest(get_settings().rules_file)).encode()).hexdigest()[:16]


def load_labelling_config(path: Path = DEFAULT_CONFIG) -> LabellingConfig:
    raw = read_yaml(path, "labelling config not found")
    try:
        return LabellingConfig(**raw)
    except ValidationError as exc:
        raise invalid(path, exc) from None
