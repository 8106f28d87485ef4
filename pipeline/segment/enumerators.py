"""Enumerator labels ("(1)", "a)", "(iv)", "(aa)") and their numbering schemes.

Input: the text of one label, without brackets. Output: the readings of that
label under each numbering scheme it can belong to, with an ordinal that says
where it falls in its sequence. "i" is both the ninth lower-case letter and the
first roman numeral; the tree builder picks the reading that continues a list
already open or starts a new one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Scheme(str, Enum):
    ARABIC = "arabic"  # 1, 2, 2A, 3
    LOWER = "lower"  # a, b, ..., z, za, zb (and inserted ta, tb)
    ROMAN = "roman"  # i, ii, iii, iiia
    UPPER = "upper"  # A, B, C
    DOUBLE = "double"  # aa, bb, cc
    UPPER_ROMAN = "upper_roman"  # I, II, III


# Ordinals are floats so that inserted labels ("2A", "ta", "iiia") sort between
# their neighbours.
FIRST_ORDINAL = 1.0

_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_ROMAN_RE = re.compile(r"^(x{0,3})(ix|iv|v?i{0,3})$")


@dataclass(frozen=True)
class Reading:
    """One interpretation of a label: its scheme and its place in the sequence."""

    scheme: Scheme
    ordinal: float
    label: str


def _roman_to_int(numeral: str) -> int | None:
    if not numeral or not _ROMAN_RE.match(numeral):
        return None
    total = 0
    for i, char in enumerate(numeral):
        value = _ROMAN_VALUES[char]
        if i + 1 < len(numeral) and _ROMAN_VALUES[numeral[i + 1]] > value:
            total -= value
        else:
            total += value
    return total


def _letters_ordinal(letters: str) -> float | None:
    """a=1 ... z=26; India's post-z series za=27, zb=28 ...; 'ta' = just after t."""
    if len(letters) == 1:
        return float(ord(letters) - ord("a") + 1)
    if len(letters) == 2 and letters[0] == "z":
        return 26.0 + ord(letters[1]) - ord("a") + 1
    # Inserted labels ("ta", "tb") use the first few letters only; "iv" or "vi"
    # are roman numerals, not insertions after "i" or "v".
    if len(letters) == 2 and letters[1] in "abcdefgh":
        return ord(letters[0]) - ord("a") + 1 + (ord(letters[1]) - ord("a") + 1) / 100
    return None


def readings(label: str) -> list[Reading]:
    """Every scheme ``label`` can be read in, most common reading first."""
    out: list[Reading] = []
    match = re.fullmatch(r"(\d{1,4})([A-Za-z]{0,3})", label)
    if match:
        number, suffix = match.groups()
        ordinal = float(number)
        if suffix:
            ordinal += sum((ord(c.upper()) - ord("A") + 1) / 100 ** (i + 1) for i, c in enumerate(suffix))
        out.append(Reading(Scheme.ARABIC, ordinal, label))
        return out
    if label.islower() and label.isalpha():
        roman = _roman_to_int(label)
        # Roman numerals with an inserted letter: "iiia" sits between iii and iv.
        if roman is None and len(label) > 1 and _roman_to_int(label[:-1]) and label[-1] not in "ivxlc":
            roman_base = _roman_to_int(label[:-1])
            out.append(Reading(Scheme.ROMAN, roman_base + (ord(label[-1]) - ord("a") + 1) / 100, label))
        if roman is not None:
            out.append(Reading(Scheme.ROMAN, float(roman), label))
        if len(label) == 2 and label[0] == label[1]:
            out.append(Reading(Scheme.DOUBLE, float(ord(label[0]) - ord("a") + 1), label))
        letters = _letters_ordinal(label)
        if letters is not None and not (len(label) == 2 and label[0] == label[1]):
            out.append(Reading(Scheme.LOWER, letters, label))
        return out
    if label.isupper() and label.isalpha():
        roman = _roman_to_int(label.lower())
        if len(label) == 1:
            out.append(Reading(Scheme.UPPER, float(ord(label) - ord("A") + 1), label))
        if roman is not None:
            out.append(Reading(Scheme.UPPER_ROMAN, float(roman), label))
        return out
    return out


def is_first(reading: Reading) -> bool:
    """The reading starts a list (1, a, i, A, aa, I)."""
    return reading.ordinal == FIRST_ORDINAL


def follows(previous: Reading, nxt: Reading, *, max_gap: int = 3) -> bool:
    """``nxt`` can come after ``previous`` in the same list.

    Gaps of up to ``max_gap`` are allowed because repealed or omitted items
    leave holes ("(3) [Repealed]" is sometimes dropped altogether).
    """
    if previous.scheme != nxt.scheme:
        return False
    return 0 < nxt.ordinal - previous.ordinal <= max_gap
