"""Reading the YAML config files: a problem is one ConfigError line naming the file (and the key).

Input: a path, and what to say when it is missing. Output: the parsed YAML
(``{}`` for an empty file), or for :func:`invalid`, the ConfigError of a
pydantic validation failure ("configs/compare.yaml: align.threshold: ...").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from provrisk.errors import ConfigError


def read_yaml(path: str | Path, missing: str) -> Any:
    """The YAML at ``path``; ConfigError "``path``: ``missing``" when there is no such file."""
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"{path}: {missing}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: invalid YAML ({error})") from None


def invalid(path: str | Path, error: ValidationError) -> ConfigError:
    """The one-line error for the first problem pydantic found in the config at ``path``."""
    first = error.errors()[0]
    return ConfigError(f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}")
