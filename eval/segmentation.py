"""Segmentation quality: citation precision and recall against hand-written gold.

Input: the gold files in ``eval/gold/segmentation/<instrument-id>.json`` (every
numbered unit of an instrument, written by reading its text) and the texts
they describe: a corpus text, or, for a gold file with a ``source``, a file as
its publisher put it online, read through :func:`provrisk.ingest.ingest_file`:
``real-statutes/<file>`` beside the corpus folder (PDF or HTML, third-party
files not kept in this repository) or ``tests/fixtures/real/<file>`` in this
repository (public-domain US legislative XML, see ``tests/fixtures/README.md``).
Output: per instrument and level (section, subsection, item) the precision,
recall and F1 of the citations the segmenter finds, and two checks on the
text the provisions carry: table-of-contents lines inside provisions (must be
0) and the glued-word rate (alphabetic tokens of more than 20 letters, the
sign of an extractor that lost the spaces), as JSON and markdown under
``eval/reports/``.

A citation the segmenter "finds" is a provision's citation, an item citation
kept inside a provision, or an ancestor implied by either ("s. 4(a)(1)"
implies "s. 4" and "s. 4(a)").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from provrisk.corpora.manifest import text_path
from provrisk.eval.report_files import REPORTS_DIR, write_report_files
from provrisk.ingest import ingest_file
from provrisk.segment import Provision, segment_statute
from provrisk.segment.layout import parse_layout, split_lines
from provrisk.train.metrics import precision_recall_f1_of_counts

GOLD_DIR = Path(__file__).resolve().parent / "gold" / "segmentation"
REPO_ROOT = Path(__file__).resolve().parents[1]
COMMITTED_FIXTURES = "tests/fixtures/real/"
LEVELS = ("section", "subsection", "item")
TARGETS = {"section": 0.97, "subsection": 0.90}

_GLUED_TOKEN = re.compile(r"[A-Za-z]{21,}")
_ALPHA_TOKEN = re.compile(r"[A-Za-z]+")
_CITATION_RE = re.compile(
    r'^(?P<unit>(?:Art\.|s\.|Sec\.|§|Sch\.\s?\w*,\s?cl\.)\s?[\w.]+)(?P<groups>(?:\([^)]*\))*)(?:\s+"(?P<term>[^"]+)")?(?P<rest>.*)$'
)


def _normalise_term(term: str) -> str:
    return re.sub(r"\s+", " ", term.strip(" \"'“”")).lower()


def citation_parts(citation: str) -> tuple[str, tuple[str, ...], str | None] | None:
    """("s. 4", ("a", "1"), None) for "s. 4(a)(1)"; None for "Preamble para. 2"."""
    match = _CITATION_RE.match(citation.strip())
    # Anything after the citation ("Preamble para. 2", a " [2]" duplicate marker) is not a unit citation;
    # callers strip duplicate markers first.
    if not match or match.group("rest").strip():
        return None
    groups = tuple(re.findall(r"\(([^)]*)\)", match.group("groups")))
    term = match.group("term")
    return re.sub(r"\s+", " ", match.group("unit")), groups, _normalise_term(term) if term else None


def citation_key(parts: tuple[str, tuple[str, ...], str | None]) -> str:
    unit, groups, term = parts
    key = unit + "".join(f"({g})" for g in groups)
    return f'{key} "{term}"' if term else key


def citation_level(parts: tuple[str, tuple[str, ...], str | None]) -> str:
    depth = 1 + len(parts[1]) + (1 if parts[2] else 0)
    return LEVELS[min(depth, 3) - 1]


def predicted_citations(provisions: list[Provision]) -> set[str]:
    found: set[str] = set()
    citations = [p.citation for p in provisions] + [i.citation for p in provisions for i in p.items]
    for citation in citations:
        parts = citation_parts(re.sub(r"\s\[\d+\]$", "", citation))
        if parts is None:
            continue
        unit, groups, term = parts
        for depth in range(len(groups) + 1):
            found.add(citation_key((unit, groups[:depth], None)))
        if term:
            found.add(citation_key(parts))
    return found


@dataclass
class LevelScore:
    """Citations of one level: in gold, found by the segmenter, and found correctly.

    Precision, recall and F1 are 1 where there is nothing to find and nothing was found.
    """

    gold: int
    predicted: int
    correct: int

    def as_dict(self) -> dict:
        """The counts, and precision, recall and F1 rounded to four places, as the report gives them."""
        precision, recall, f1 = precision_recall_f1_of_counts(self.correct, self.predicted, self.gold, undefined=1.0)
        return {"gold": self.gold, "predicted": self.predicted, "correct": self.correct,
                "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def score_instrument(gold_citations: list[str], provisions: list[Provision]) -> tuple[dict[str, LevelScore], dict]:
    gold = {}
    for citation in gold_citations:
        parts = citation_parts(citation)
        if parts is None:
            raise ValueError(f"gold citation not understood: {citation!r}")
        gold[citation_key(parts)] = citation_level(parts)
    predicted = {}
    for key in predicted_citations(provisions):
        parts = citation_parts(key)
        predicted[key] = citation_level(parts)
    scores, errors = {}, {}
    for level in LEVELS:
        g = {k for k, v in gold.items() if v == level}
        p = {k for k, v in predicted.items() if v == level}
        scores[level] = LevelScore(len(g), len(p), len(g & p))
        errors[level] = {"missed": sorted(g - p), "spurious": sorted(p - g)}
    return scores, errors


def source_path(gold: dict, corpus_dir: Path) -> Path:
    """The file a gold list describes: ``source`` in this repository's real fixtures or beside the corpus
    folder, else the corpus text."""
    if gold.get("source", "").startswith(COMMITTED_FIXTURES):
        return REPO_ROOT / gold["source"]
    if gold.get("source"):
        return Path(corpus_dir).resolve().parent / gold["source"]
    return text_path(corpus_dir, gold["instrument_id"])


def text_checks(text: str, provisions: list[Provision]) -> dict:
    """Contents lines held by provisions (0 is right) and the glued-word rate of the provisions' words."""
    contents = parse_layout(text).front.toc
    toc_lines = [line for line in split_lines(text) if contents and contents[0] <= line.start < contents[1]]
    held = sum(1 for line in toc_lines if any(p.start <= line.start < p.end for p in provisions))
    words = [w for p in provisions for w in _ALPHA_TOKEN.findall(p.text)]
    glued = sum(1 for w in words if _GLUED_TOKEN.fullmatch(w))
    return {
        "toc_lines": len(toc_lines),
        "toc_lines_in_provisions": held,
        "alphabetic_tokens": len(words),
        "glued_word_rate": round(glued / len(words), 5) if words else 0.0,
    }


def run(corpus_dir: Path, gold_dir: Path = GOLD_DIR) -> dict:
    """Score every gold instrument; returns the report as a dict."""
    report = {"instruments": {}, "targets": TARGETS}
    for gold_file in sorted(gold_dir.glob("*.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        instrument_id = gold["instrument_id"]
        ingested = ingest_file(source_path(gold, corpus_dir))
        provisions = segment_statute(ingested.text, instrument_id)
        scores, errors = score_instrument(gold["citations"], provisions)
        report["instruments"][instrument_id] = {
            "source": gold.get("source") or f"corpora/texts/{instrument_id}.txt",
            "checks": text_checks(ingested.text, provisions),
            "levels": {level: s.as_dict() for level, s in scores.items()},
            "errors": errors,
        }
    report["meets_targets"] = all(
        inst["levels"][level]["f1"] >= target
        for inst in report["instruments"].values()
        for level, target in TARGETS.items()
    ) and all(inst["checks"]["toc_lines_in_provisions"] == 0 for inst in report["instruments"].values())
    return report


def to_markdown(report: dict) -> str:
    lines = [
        "# Segmentation quality",
        "",
        "Citation precision (P), recall (R) and F1 per instrument against `eval/gold/segmentation/`.",
        "Sources: corpus texts (`corpora/texts/`) and files as published (`real-statutes/`, read by `provrisk ingest`).",
        f"Targets: F1 >= {TARGETS['section']} at section level, >= {TARGETS['subsection']} at subsection level,",
        "and no table-of-contents line inside a provision.",
        "",
        "| instrument | source | level | gold | found | P | R | F1 |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for instrument_id, inst in report["instruments"].items():
        for level in LEVELS:
            s = inst["levels"][level]
            lines.append(
                f"| {instrument_id} | {inst['source']} | {level} | {s['gold']} | {s['predicted']} | "
                f"{s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |"
            )
    lines += [
        "",
        "Text checks: contents lines found and held by provisions; glued words (alphabetic tokens of more than",
        "20 letters) among the provisions' words.",
        "",
        "| instrument | contents lines | in provisions | tokens | glued-word rate |",
        "|---|---:|---:|---:|---:|",
    ]
    for instrument_id, inst in report["instruments"].items():
        c = inst["checks"]
        lines.append(
            f"| {instrument_id} | {c['toc_lines']} | {c['toc_lines_in_provisions']} | {c['alphabetic_tokens']} | "
            f"{100 * c['glued_word_rate']:.2f}% |"
        )
    lines += ["", f"All targets met: **{'yes' if report['meets_targets'] else 'no'}**", ""]
    return "\n".join(lines)


def write_report(report: dict, out_dir: Path = REPORTS_DIR) -> list[Path]:
    """``segmentation.json`` and ``segmentation.md`` in ``out_dir``; returns their paths."""
    return write_report_files("segmentation", data=report, markdown=to_markdown(report), directory=out_dir,
                              indent=2, ensure_ascii=False)
