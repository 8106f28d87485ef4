"""The clauses of one provision: its lettered items and sentences, each with its own citation.

Input: a provision's text and citation ("s. 6(1)"). Output: :class:`Clause`
records (citation, start, end; offsets index the text) that cover the text in
order. The items are found by the segmenter's own list parser
(:func:`~provrisk.segment.tree.build_unit_tree`), so "(ja) where it is proved
..." inside s. 6(1) is the clause "s. 6(1)(ja)"; the words of an item that has
items of its own, up to its first one, are a clause too (the lead-in
"(1) The Committee shall—"). Each clause is then cut into sentences, which
keep the clause's citation.

Evidence quotes the clause that carries a feature instead of words picked out
of a long provision (:mod:`provrisk.models.predict`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from provrisk.segment.tree import Node, build_unit_tree

# A sentence ends at a full stop before a capital letter, a quote or a bracketed label, unless the word
# before it is an abbreviation ("s. 12", "No. 5", "U.S. Code").
_FULL_STOP = re.compile(r"\.\s+(?=[A-Z\"“(])")
_ABBREVIATION = re.compile(r"(?:\b(?:[A-Za-z]|No|Nos|Art|Arts|ss|Cap|St|Sub|Reg|Sch|para|paras|cf|viz|etc)|\.[A-Za-z])$", re.IGNORECASE)


@dataclass(frozen=True)
class Clause:
    citation: str
    start: int
    end: int


def provision_clauses(text: str, citation: str) -> list[Clause]:
    """The clauses of the provision ``text`` cited as ``citation``, in order (see the module docstring)."""
    root = build_unit_tree(text, 0, len(text), bare=False, definitional=False)
    pieces: list[tuple[list[str], int, int]] = []
    _leaves(root, [], pieces)
    clauses = []
    for labels, start, end in pieces:
        clause_citation = _cite(citation, labels)
        for sentence_start, sentence_end in _sentences(text, start, end):
            clauses.append(Clause(clause_citation, sentence_start, sentence_end))
    return clauses or [Clause(citation, 0, len(text))]


def _leaves(node: Node, labels: list[str], out: list[tuple[list[str], int, int]]) -> None:
    path = labels + ([node.label] if node.label else [])
    if not node.children:
        out.append((path, node.start, node.end))
        return
    if node.children[0].start > node.start:
        out.append((path, node.start, node.children[0].start))
    for child in node.children:
        _leaves(child, path, out)


def _cite(citation: str, labels: list[str]) -> str:
    """``citation`` with the labels below it: "s. 6(1)" and ["1", "ja"] give "s. 6(1)(ja)"."""
    for shared in range(len(labels), 0, -1):
        if citation.endswith("".join(f"({label})" for label in labels[:shared])):
            return citation + "".join(f"({label})" for label in labels[shared:])
    return citation + "".join(f"({label})" for label in labels)


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentences of ``text[start:end]`` as (start, end), without the white space between them."""
    spans, position = [], start
    for match in _FULL_STOP.finditer(text, start, end):
        # "2. Each Party": the full stop of the clause's own label, or of an abbreviation, ends no sentence.
        if " " not in text[position : match.start()].strip() or _ABBREVIATION.search(text, max(start, match.start() - 6), match.start()):
            continue
        spans.append((position, match.start() + 1))
        position = match.end()
    spans.append((position, end))
    return [(a, b) for a, b in ((a, _strip_end(text, a, b)) for a, b in spans) if b > a]


def _strip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end
