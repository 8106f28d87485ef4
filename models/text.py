"""What each classifier reads of a provision record, with the page layout taken out.

Input: a provision record (``text`` and, when known, ``heading`` and
``context``: the heading and lead-in words above it). Output: one string
(:func:`model_text`, :func:`encoder_text`), or the record with its text made
layout-free (:func:`model_record`), which is what every model and its
labelling functions read (``provrisk.models.predict.predict_records``).

Layout-free: where a line breaks depends on the format (a PDF wraps what a
text file keeps on one line), so a line break must not change a score. Every
run of whitespace becomes one space, and a hyphen that ends a line is joined
to the word on the next ("non-\\nextendable" reads "non-extendable"; ingestion
has already removed the hyphens that only split a word).
"""

from __future__ import annotations

import re

_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\n\s*(?=[^\W\d_])")
_WHITESPACE = re.compile(r"\s+")
_TEXT_FIELDS = ("text", "heading", "context")


def layout_free(text: str) -> str:
    """``text`` without line breaks or runs of spaces (see the module docstring)."""
    return _WHITESPACE.sub(" ", _LINE_END_HYPHEN.sub("-", text)).strip()


def model_record(record: dict) -> dict:
    """A copy of ``record`` whose text, heading, context and defined terms are layout-free."""
    copy = {**record, **{key: layout_free(record[key]) for key in _TEXT_FIELDS if isinstance(record.get(key), str)}}
    if isinstance(record.get("defined_terms"), dict):
        copy["defined_terms"] = {layout_free(term): layout_free(meaning) for term, meaning in record["defined_terms"].items()}
    return copy


def model_text(record: dict) -> str:
    """For the n-gram model: heading and lead-in first, since they give a clause its meaning."""
    parts = [record.get("heading") or "", record.get("context") or "", record.get("text") or ""]
    return "\n".join(layout_free(part) for part in parts if part)


def encoder_text(record: dict) -> str:
    """For a transformer: the provision first, so truncation at ``max_length`` cuts context, not the rule."""
    parts = [record.get("text") or "", record.get("heading") or "", record.get("context") or ""]
    return "\n".join(layout_free(part) for part in parts if part)
