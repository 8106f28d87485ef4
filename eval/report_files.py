"""The one writer of evaluation reports: ``eval/reports/NAME.json`` and ``NAME.md``, each replaced atomically.

Input: a report's name, its data (anything ``json.dump`` takes, with the
report's own formatting options) and its markdown text, either of which may be
left out. Output: the paths written. Each file is written to a temporary file
in the same folder and renamed over the old one (:func:`provrisk.io.write_atomic`),
so a report that fails half-way through (a value that cannot be serialised,
an interrupt, a full disk) leaves the previous report as it was, never a
truncated one. The JSON is serialised straight into the temporary file; the
markdown is rendered by the caller before anything is written.
"""

from __future__ import annotations

import json
from pathlib import Path

from provrisk.io import write_atomic, write_text_atomic

REPORTS_DIR = Path(__file__).resolve().parent / "reports"


def write_report_files(name: str, *, data=None, markdown: str | None = None, directory: Path = REPORTS_DIR,
                       **json_options) -> list[Path]:
    """Write ``directory/name.json`` from ``data`` (``json_options`` go to ``json.dump``; a newline ends the file)
    and ``directory/name.md`` from ``markdown``, JSON first; returns the paths written, in that order."""
    directory = Path(directory)
    written = []
    if data is not None:
        json_path = directory / f"{name}.json"

        def dump(tmp: Path) -> None:
            with tmp.open("w", encoding="utf-8") as handle:
                json.dump(data, handle, **json_options)
                handle.write("\n")

        write_atomic(json_path, dump)
        written.append(json_path)
    if markdown is not None:
        md_path = directory / f"{name}.md"
        write_text_atomic(md_path, markdown)
        written.append(md_path)
    return written
