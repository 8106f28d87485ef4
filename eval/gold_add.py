"""Record one analyst-reviewed provision as a gold entry (``provrisk gold add``).

Input: a source (a statute report written by ``provrisk score FILE -o REPORT.json``,
or a statute file), a citation in it, the labels the provision carries and a
one-line rationale. Output: one gold entry appended to a gold JSONL file, keyed
as ``eval/gold/ANNOTATION.md`` and ``eval/gold/README.md`` describe
(``instrument_id``, ``citation``, ``text_sha256`` of the provision text,
``labels``, ``rationale`` per label or ``none_reason``), with ``status:
reviewed`` and ``selection: analyst`` so it is told apart from the
twice-annotated rounds.

Training joins gold to the corpus text (``provrisk.eval.gold.join_gold``), so
the provision must be one of a corpus instrument, its words those of the
corpus; its hash is computed here from the corpus segmentation, never by hand.
Refused, in one line naming the file and the problem: an unknown label id, a
citation the source does not have, an instrument outside the corpus, a
provision already in a gold file, and any provision of a held-out test
instrument (``eval/gold/sampling.yaml``): the test gold changes only by an
annotation round, so nothing an analyst reviews on it can leak into training.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from provrisk.corpora.dataset import provision_rows
from provrisk.corpora.manifest import load_manifest
from provrisk.errors import ConfigError, InputError
from provrisk.eval.gold import GOLD_FILES, read_jsonl, text_hash
from provrisk.eval.split import held_out_instruments
from provrisk.taxonomy import load_taxonomy

REPORT_SCHEMA_PREFIX = "provrisk.statute-report/"


def parse_labels(text: str) -> list[str]:
    """``"a, b"`` -> ``["a", "b"]`` in taxonomy order; ``""`` is no label; an unknown id is a ConfigError."""
    given = [label.strip() for label in text.split(",") if label.strip()]
    taxonomy = load_taxonomy()
    unknown = sorted(set(given) - set(taxonomy.ids))
    if unknown:
        raise ConfigError(f"--labels: unknown label ids {', '.join(unknown)}; the ids are in configs/taxonomy.yaml")
    return [label for label in taxonomy.ids if label in given]


def _provisions_of(source: Path, instrument_id: str | None) -> tuple[str, list[dict]]:
    """The instrument id and the provisions (citation, text) of a statute report or a statute file."""
    if source.suffix.lower() == ".json":
        try:
            document = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise InputError(source, f"not readable as a JSON report ({type(error).__name__})") from None
        if not (isinstance(document, dict) and str(document.get("schema", "")).startswith(REPORT_SCHEMA_PREFIX)):
            raise InputError(source, "not a statute report (write one with `provrisk score FILE -o REPORT.json`)")
        return instrument_id or document["instrument"]["id"], document["provisions"]
    from provrisk.ingest import ingest_file
    from provrisk.score.report import instrument_id_for
    from provrisk.segment import segment_statute

    instrument_id = instrument_id or instrument_id_for(source.name)
    document = ingest_file(source)
    return instrument_id, [{"citation": p.citation, "text": p.text} for p in segment_statute(document.text, instrument_id)]


def _find(provisions: list[dict], citation: str, where: str) -> dict:
    for provision in provisions:
        if provision["citation"] == citation:
            return provision
    close = difflib.get_close_matches(citation, [p["citation"] for p in provisions], n=4, cutoff=0.5)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise ConfigError(f"{where}: no provision cited {citation!r}{hint}")


def reviewed_entry(source: Path, citation: str, labels: list[str], rationale: str, corpus_dir: Path,
                   instrument_id: str | None = None) -> dict:
    """The gold entry for ``citation`` of ``source``, its hash from the corpus text (refusals: module docstring)."""
    if not rationale.strip():
        raise ConfigError("--rationale: say in one line why (quote the words that trigger each label, or why none applies)")
    instrument_id, provisions = _provisions_of(Path(source), instrument_id)
    if instrument_id in held_out_instruments():
        raise ConfigError(f"{source}: {instrument_id} is a held-out test instrument (eval/gold/sampling.yaml); "
                          "its gold changes only by an annotation round, never by `gold add`, so nothing reviewed on it reaches training")
    provision = _find(provisions, citation, str(source))
    instruments = {instrument.id: instrument for instrument in load_manifest(corpus_dir)}
    if instrument_id not in instruments:
        raise ConfigError(f"{source}: {instrument_id!r} is not an instrument of the corpus ({corpus_dir}/manifest.jsonl); "
                          "training reads gold against the corpus text, so add the statute to the corpus first "
                          "(or pass --instrument-id if the file is a corpus text under another name)")
    rows, _ = provision_rows(corpus_dir, instruments[instrument_id])
    corpus_provision = _find(rows, citation, f"{corpus_dir}/texts/{instrument_id}")
    if text_hash(corpus_provision["text"]) != text_hash(provision["text"]):
        raise ConfigError(f"{source}: the words of {citation} differ from the corpus text of {instrument_id}; "
                          "score the corpus text itself and add from that report")
    entry = {"instrument_id": instrument_id, "citation": citation, "text_sha256": text_hash(corpus_provision["text"]),
             "labels": labels, "rationale": {label: rationale.strip() for label in labels},
             "status": "reviewed", "selection": "analyst"}
    if not labels:
        entry["none_reason"] = rationale.strip()
    return entry


def append_entry(entry: dict, gold_file: Path) -> None:
    """Append ``entry`` to ``gold_file`` (created if absent); refuse a provision already in it or in a project gold file."""
    gold_file = Path(gold_file)
    key = (entry["instrument_id"], entry["citation"])
    for path in dict.fromkeys([gold_file.resolve(), *GOLD_FILES]):
        if not path.exists():
            continue
        for number, existing in enumerate(read_jsonl(path), start=1):
            if (existing.get("instrument_id"), existing.get("citation")) == key:
                raise ConfigError(f"{path}: entry {number} already records {key[0]} {key[1]} "
                                  f"(labels: {', '.join(existing.get('labels', [])) or 'none'}); edit that entry instead")
    gold_file.parent.mkdir(parents=True, exist_ok=True)
    text = gold_file.read_text(encoding="utf-8") if gold_file.exists() else ""
    with gold_file.open("a", encoding="utf-8") as handle:
        if text and not text.endswith("\n"):
            handle.write("\n")
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
