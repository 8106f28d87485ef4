"""The corpus manifest: one record per legal instrument, read from ``manifest.jsonl``.

Input: a corpus directory holding ``manifest.jsonl`` and ``texts/<id>.txt``.
Output: validated :class:`Instrument` records and their texts. The texts are
third-party data and are only ever read from that directory.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from provrisk.errors import ConfigError


class Instrument(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    title: str
    jurisdiction: str
    kind: str
    year: int | None = None
    language: str = "en"
    complete: bool | None = None
    status: str | None = None
    notes: str = ""


def load_manifest(corpus_dir: Path) -> list[Instrument]:
    path = corpus_dir / "manifest.jsonl"
    if not path.exists():
        raise ConfigError(
            f"{path}: corpus manifest not found; set PROVRISK_CORPUS_DIR or corpus_dir in configs/provrisk.yaml"
        )
    instruments = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            instruments.append(Instrument(**json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise ConfigError(f"{path}:{number}: invalid manifest record ({exc})") from None
    return instruments


def text_path(corpus_dir: Path, instrument_id: str) -> Path:
    return corpus_dir / "texts" / f"{instrument_id}.txt"
