"""How far to trust a flag: its calibrated probability, its label's record on unseen laws, a plain verdict.

Input: a loaded model's metadata (``heldout_metrics.per_label``, written into the
model directory by ``provrisk export``: per label, its precision on the held-out
test instruments and the number of flags that precision was measured on) and a
flag's label and calibrated probability. Output: per label a
:class:`LabelRecord`; per flag a verdict, ``"solid"`` or ``"check"``, with the
reason in words.

The rule (the README's "Confidence" section states it for readers): a flag is
**solid** when its probability is at least :data:`SOLID_PROBABILITY` *and* its
label's flags were right at least :data:`SOLID_PRECISION` of the time on laws
the model never saw, measured on at least :data:`MIN_HELDOUT_FLAGS` of them.
Anything else is **check**: worth a second look. A label measured on too few
flags, or not measured at all (a model without held-out figures), is never
solid, however high the probability: a probability is calibrated on the
training laws, and the held-out precision is what a flag on a new law has
actually achieved.
"""

from __future__ import annotations

from dataclasses import dataclass

SOLID_PROBABILITY = 0.8
SOLID_PRECISION = 0.6
# Below this many held-out flags a precision is anecdote: 2 of 2 right says little.
MIN_HELDOUT_FLAGS = 10
SOLID = "solid"
CHECK = "check"


@dataclass(frozen=True)
class LabelRecord:
    """A label's precision on the held-out test instruments and the number of flags it was measured on;
    both None when the model carries no held-out figures for the label."""

    precision: float | None
    flags: int | None

    @property
    def reliable(self) -> bool:
        """Whether the label's record allows a solid verdict at all."""
        return (self.precision is not None and self.flags is not None
                and self.flags >= MIN_HELDOUT_FLAGS and self.precision >= SOLID_PRECISION)



def label_records(metadata: dict, label_ids: list[str]) -> dict[str, LabelRecord]:
    """Each label's :class:`LabelRecord` from a model's metadata."""
    per_label = (metadata.get("heldout_metrics") or {}).get("per_label", {})
    records = {}
    for label in label_ids:
        measured = per_label.get(label, {})
        flags = measured.get("flagged")
        precision = measured.get("precision") if flags is not None else None
        records[label] = LabelRecord(precision=None if precision is None else round(precision, 4), flags=flags)
    return records


def verdict(probability: float, record: LabelRecord) -> tuple[str, str]:
    """("solid" or "check", which part of the rule decided it, in words) for a flag of ``probability``
    whose label has ``record``. The record itself is reported beside it, not repeated here."""
    if record.precision is None or record.flags is None:
        return CHECK, "the label was not measured on unseen laws"
    if record.flags < MIN_HELDOUT_FLAGS:
        return CHECK, f"the label was measured on only {record.flags} flags on unseen laws, fewer than {MIN_HELDOUT_FLAGS}"
    if record.precision < SOLID_PRECISION:
        return CHECK, f"the label's flags were right less than {SOLID_PRECISION:.0%} of the time on unseen laws"
    if probability < SOLID_PROBABILITY:
        return CHECK, f"p {probability:.2f} is below {SOLID_PROBABILITY:.2f}"
    return SOLID, f"p {probability:.2f} is at least {SOLID_PROBABILITY:.2f} and the label held up on unseen laws"


def rule_text() -> str:
    """The verdict rule in one sentence, for every report to print."""
    return (
        f"solid: p ≥ {SOLID_PROBABILITY:.2f} and the label's flags were right at least {SOLID_PRECISION:.0%} of the "
        f"time on laws the model never saw (measured on at least {MIN_HELDOUT_FLAGS} flags); "
        "check: anything else, worth a second look"
    )
