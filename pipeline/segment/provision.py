"""The provision record that segmentation returns and every later stage consumes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field

KINDS = ("preamble", "definition", "operative", "final_clause", "schedule")


@dataclass(frozen=True)
class Item:
    """A list item kept inside its provision (it completes the lead-in's sentence)."""

    citation: str
    start: int
    end: int


@dataclass
class Provision:
    """One citable provision of an instrument.

    ``text == source[start:end]`` of the normalised text. ``path`` runs from the
    outermost division to the provision itself. ``role`` is "rule" for a
    provision that states a rule and "lead_in" for the opening words of a unit
    whose parts are separate provisions (kept so that every character of
    operative text belongs to exactly one provision). ``context`` is the
    heading and the lead-in words above the provision, which a reader needs to
    understand it ("The following acts constitute the offense of cybercrime:").
    """

    instrument_id: str
    citation: str
    path: list[str]
    heading: str | None
    text: str
    start: int
    end: int
    kind: str
    role: str = "rule"
    items: list[Item] = field(default_factory=list)
    context: str = ""

    @property
    def id(self) -> str:
        return provision_id(self.instrument_id, self.citation)

    @property
    def text_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict:
        record = {"id": self.id, **asdict(self), "text_hash": self.text_hash}
        return record


def provision_id(instrument_id: str, citation: str) -> str:
    """A stable id such as ``coe-budapest-convention-2001:art-20-1``.

    A dot inside a section number becomes "_" so that Canada's s. 186.1 and
    s. 186(1) get different ids.
    """
    slug = re.sub(r"(?<=\d)\.(?=\d)", "_", citation.lower())
    slug = re.sub(r"[^a-z0-9_]+", "-", slug).strip("-")
    return f"{instrument_id}:{slug}"
