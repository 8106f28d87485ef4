"""Project settings: where the corpus is, how large an input may be, where outputs go, which YAML labelling rules apply.

Read from ``configs/provrisk.yaml`` (or the file named by ``PROVRISK_CONFIG``)
and overridden by environment variables, so that CI, a server and a user's
shell can each point provrisk at their own corpus without editing files.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from provrisk.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseModel):
    corpus_dir: Path = Path("../shared/corpora")
    max_input_mb: float = Field(50, gt=0)
    datasets_dir: Path = Path("data")
    # Labelling functions written in YAML (provrisk.label.yaml_rules), registered beside the Python ones.
    rules_file: Path = Path("configs/rules.yaml")

    @property
    def max_input_bytes(self) -> int:
        return int(self.max_input_mb * 1024 * 1024)

    def resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else (PROJECT_ROOT / path).resolve()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    config_path = Path(os.environ.get("PROVRISK_CONFIG", PROJECT_ROOT / "configs" / "provrisk.yaml"))
    values: dict = {}
    if config_path.exists():
        try:
            values = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{config_path}: invalid YAML ({exc})") from None
    if "PROVRISK_CORPUS_DIR" in os.environ:
        values["corpus_dir"] = os.environ["PROVRISK_CORPUS_DIR"]
    if "PROVRISK_RULES_FILE" in os.environ:
        values["rules_file"] = os.environ["PROVRISK_RULES_FILE"]
    if "PROVRISK_MAX_INPUT_MB" in os.environ:
        values["max_input_mb"] = os.environ["PROVRISK_MAX_INPUT_MB"]
    try:
        settings = Settings(**values)
    except ValidationError as exc:
        raise ConfigError(f"{config_path}: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}") from None
    settings.corpus_dir = settings.resolve(settings.corpus_dir)
    settings.datasets_dir = settings.resolve(settings.datasets_dir)
    settings.rules_file = settings.resolve(settings.rules_file)
    return settings
