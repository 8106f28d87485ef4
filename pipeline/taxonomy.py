"""The risk-feature taxonomy: the label contract for every stage and output.

Input: ``configs/taxonomy.yaml`` (a verbatim copy of the shared taxonomy,
version 1.2). Output: a validated :class:`Taxonomy` whose label ids, in file
order, are the only label names any output may use, and whose labels'
``standards`` (treaty articles, General Comments, principles) are what every
output names as the standards a flag engages.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from provrisk.errors import ConfigError
from provrisk.settings import PROJECT_ROOT

DEFAULT_TAXONOMY = PROJECT_ROOT / "configs" / "taxonomy.yaml"


class Label(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(pattern=r"^[a-z][a-z_]+$")
    name: str
    definition: str
    cues: list[str] = Field(default_factory=list)
    not_: str | None = Field(default=None, alias="not")
    sources: list[str] = Field(default_factory=list)
    # The legal yardsticks an analyst cites for this label (taxonomy 1.2), each "CITATION: what it requires".
    standards: list[str] = Field(min_length=1)


class Taxonomy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str
    unit: str
    rules: list[str]
    conventions: dict[str, str]
    labels: list[Label]

    @model_validator(mode="after")
    def _ids_are_unique_and_conventions_known(self) -> Taxonomy:
        ids = [label.id for label in self.labels]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate label ids")
        unknown = set(self.conventions) - set(ids)
        if unknown:
            raise ValueError(f"conventions for unknown labels: {sorted(unknown)}")
        return self

    @property
    def ids(self) -> list[str]:
        return [label.id for label in self.labels]

    @property
    def label2id(self) -> dict[str, int]:
        return {label_id: index for index, label_id in enumerate(self.ids)}

    def label(self, label_id: str) -> Label:
        for label in self.labels:
            if label.id == label_id:
                return label
        raise KeyError(label_id)

    def check(self, label_ids) -> None:
        """Raise ConfigError naming any id that is not in the taxonomy."""
        unknown = sorted(set(label_ids) - set(self.ids))
        if unknown:
            raise ConfigError(f"unknown label ids {unknown}; valid ids are in configs/taxonomy.yaml")


@lru_cache(maxsize=4)
def load_taxonomy(path: Path = DEFAULT_TAXONOMY) -> Taxonomy:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        return Taxonomy(**raw)
    except FileNotFoundError:
        raise ConfigError(f"{path}: taxonomy file not found") from None
    except (yaml.YAMLError, ValidationError, TypeError) as exc:
        raise ConfigError(f"{path}: invalid taxonomy ({exc})") from None
