"""What each classifier reads of a provision record, with the page layout taken out.

Input: a provision record (``text`` and, when known, ``heading`` and
``context``: the heading and lead-in words above it). Output: one string
(:func:`model_text`, :func:`encoder_text`), or copies of records with their
text made layout-free (:func:`model_records`), which is what every model and
its labelling functions read (``provrisk.models.predict.predict_records``).

Layout-free: where a line breaks depends on the format (a PDF wraps what a
text file keeps on one line), so a line break must not change a score. Every
run of whitespace becomes one space, and a hyphen that ends a line is joined
to the word on the next ("non-\\nextendable" reads "non-extendable"; ingestion
has already removed the hyphens that only split a word).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A letter, a hyphen, the end of the line, a letter. The hyphen comes first and the letter before it is
# checked behind it: a pattern that opens with a literal lets the regex engine skip to each hyphen
# instead of trying the look-behind at every character.
_LINE_END_HYPHEN = re.compile(r"-(?<=[^\W\d_]-)[ \t]*\n\s*(?=[^\W\d_])")
_TEXT_FIELDS = ("text", "heading", "context")


def layout_free(text: str) -> str:
    """``text`` without line breaks or runs of spaces (see the module docstring)."""
    # str.split() splits at runs of the whitespace \s matches and drops it at both ends.
    return " ".join(_LINE_END_HYPHEN.sub("-", text).split())


def model_records(records: Iterable[dict]) -> list[dict]:
    """Copies of ``records`` whose text, heading, context and defined terms are layout-free.

    The provisions of one statute share one ``defined_terms`` mapping
    (:func:`~provrisk.label.apply.attach_definitions`): each distinct mapping is made
    layout-free once, and the copies share the result, so that a statute's definitions
    are not rewritten for each of its provisions.
    """
    # id of a caller's mapping -> (the mapping, kept so that its id cannot be reused meanwhile; its layout-free copy)
    definitions: dict[int, tuple[dict, dict]] = {}
    copies = []
    for record in records:
        copy = {**record, **{key: layout_free(record[key]) for key in _TEXT_FIELDS if isinstance(record.get(key), str)}}
        terms = record.get("defined_terms")
        if isinstance(terms, dict):
            if id(terms) not in definitions:
                definitions[id(terms)] = (terms, {layout_free(term): layout_free(meaning) for term, meaning in terms.items()})
            copy["defined_terms"] = definitions[id(terms)][1]
        copies.append(copy)
    return copies


def model_text(record: dict) -> str:
    """For the n-gram model: heading and lead-in first, since they give a clause its meaning."""
    parts = [record.get("heading") or "", record.get("context") or "", record.get("text") or ""]
    return "\n".join(layout_free(part) for part in parts if part)


def encoder_text(record: dict) -> str:
    """For a transformer: the provision first, so truncation at ``max_length`` cuts context, not the rule."""
    parts = [record.get("text") or "", record.get("heading") or "", record.get("context") or ""]
    return "\n".join(layout_free(part) for part in parts if part)
