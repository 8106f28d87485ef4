"""What each classifier reads of a provision record.

Input: a provision record (``text`` and, when known, ``heading`` and
``context``: the heading and lead-in words above it). Output: one string.
"""

from __future__ import annotations


def model_text(record: dict) -> str:
    """For the n-gram model: heading and lead-in first, since they give a clause its meaning."""
    parts = [record.get("heading") or "", record.get("context") or "", record.get("text") or ""]
    return "\n".join(part for part in parts if part)


def encoder_text(record: dict) -> str:
    """For a transformer: the provision first, so truncation at ``max_length`` cuts context, not the rule."""
    parts = [record.get("text") or "", record.get("heading") or "", record.get("context") or ""]
    return "\n".join(part for part in parts if part)
