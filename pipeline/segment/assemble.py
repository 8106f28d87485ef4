"""Turn a layout and its unit trees into provisions.

Input: the text, its :class:`~provrisk.segment.layout.Layout` and one
:class:`~provrisk.segment.tree.Node` per unit. Output: provisions in document
order that partition the operative text.

The provision boundary follows the taxonomy's unit: the smallest numbered unit
that carries a complete rule. Subsections that are sentences of their own
become separate provisions; list items that complete their lead-in's sentence
("...if— (a) ...; or (b) ...") stay inside it and are kept as item citations;
each definition of a definitions section is a provision of its own.
"""

from __future__ import annotations

import re

from provrisk.segment.layout import ARTICLE, SEC, USC, Layout, Unit
from provrisk.segment.provision import Item, Provision
from provrisk.segment.enumerators import Scheme
from provrisk.segment.tree import Node

_DEFINITION_HEADING = re.compile(r"defin|interpret|terminolog|use of terms|meaning", re.I)
_FINAL_HEADING = re.compile(
    r"\b(?:short title|citation|commencement|entry into force|signature|ratification|accession|"
    r"reservations?$|denunciation|depositar|notification|amendments?$|repeal|savings?\b|transitional|"
    r"effectivity|separability|appropriations?$|territorial application|federal clause|"
    r"final provisions|final clauses|title$)",
    re.I,
)
_FINAL_DIVISION = re.compile(r"final (provisions|clauses)", re.I)
_DEFINING = re.compile(r"\b(means|includes|refers? to|shall mean|has the (same )?meaning)\b")
_FRAGMENT_END = re.compile(r"(?:;|;\s*(?:or|and)|,\s*(?:or|and)|,|:|—|–|\bor|\band)\s*$")
_LEAD_IN_OPENER = re.compile(r"(?:[:—–,]|-|\b(?:if|that|to|of|or|and|where|who|by|for|being|namely))\s*$")


def unit_citation(unit: Unit) -> str:
    if not unit.number:
        # Text after a division heading that no numbered unit holds is cited by the division
        # ("Part 2"); an extract with no numbered unit at all by its labels ("(1)", "(1)(a)").
        return unit.divisions[-1].label.replace("Schedule", "Sch.") if unit.divisions else ""
    if any(d.kind == "schedule" for d in unit.divisions):
        schedule = next(d for d in unit.divisions if d.kind == "schedule")
        return f"{schedule.label}, cl. {unit.number}".replace("Schedule", "Sch.")
    if unit.style == ARTICLE:
        return f"Art. {unit.number}"
    if unit.style == USC:
        return f"§ {unit.number}"
    if unit.style == SEC:
        return f"Sec. {unit.number}"
    return f"s. {unit.number}"


def unit_kind(unit: Unit) -> str:
    if unit.in_schedule:
        return "schedule"
    heading = unit.heading or ""
    if _DEFINITION_HEADING.search(heading) and not re.search(r"offence|offense|amend", heading, re.I):
        return "definition"
    if any(_FINAL_DIVISION.search(d.title) for d in unit.divisions) or (
        heading and _FINAL_HEADING.search(heading) and len(heading.split()) <= 8
    ):
        return "final_clause"
    return "operative"


def _division_path(unit: Unit) -> list[str]:
    return [f"{d.label} {d.title}".strip() if d.title else d.label for d in unit.divisions]


class _Assembler:
    def __init__(self, text: str, instrument_id: str, unit: Unit) -> None:
        self.text = text
        self.instrument_id = instrument_id
        self.unit = unit
        self.base = unit_citation(unit)
        self.kind = unit_kind(unit)
        self.out: list[Provision] = []

    def run(self, root: Node) -> list[Provision]:
        path = _division_path(self.unit) + [self.base]
        context = self.unit.heading or ""
        self._emit_node(root, self.base, path, context, self.kind)
        return self.out

    # -- helpers -------------------------------------------------------------
    def _span(self, start: int, end: int) -> tuple[int, int]:
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return start, end

    def _own_text(self, node: Node) -> str:
        first_child = node.children[0].start if node.children else node.end
        first_def = node.definitions[0][1] if node.definitions else node.end
        return self.text[node.label_end : min(first_child, first_def)].strip()

    def _provision(self, citation, path, start, end, kind, context, role="rule", items=(), heading=None):
        start, end = self._span(start, end)
        if start >= end:
            return
        self.out.append(
            Provision(
                instrument_id=self.instrument_id,
                citation=citation,
                path=list(path),
                heading=heading if heading is not None else self.unit.heading,
                text=self.text[start:end],
                start=start,
                end=end,
                kind=kind,
                role=role,
                items=list(items),
                context=context,
            )
        )

    def _items(self, node: Node, citation: str) -> list[Item]:
        items = []
        for child in node.children:
            child_citation = f"{citation}({child.label})"
            start, end = self._span(child.start, child.end)
            items.append(Item(child_citation, start, end))
            items.extend(self._items(child, child_citation))
        return items

    # -- the boundary decision ----------------------------------------------
    def _is_definition_list(self, node: Node, kind: str) -> bool:
        if node.definitions:
            return True
        if not node.children:
            return False
        # numbered subsections with unlabelled definitions of their own ("(1) In this Act — "a point"
        # includes ...") are each a list, not one definition apiece
        if any(len(c.definitions) > 1 for c in node.children) and all(c.reading.scheme == Scheme.ARABIC for c in node.children):
            return False
        defining = sum(
            1 for c in node.children if _DEFINING.search(self.text[c.label_end : min(c.end, c.label_end + 200)])
        )
        quoted = sum(1 for c in node.children if re.match(r"\s*[\"“]", self.text[c.label_end : c.label_end + 3]))
        looks_like_definitions = defining >= max(2, 0.6 * len(node.children))
        return looks_like_definitions and (kind == "definition" or quoted >= 0.5 * len(node.children))

    def _keep_together(self, node: Node) -> bool:
        """The children complete the node's sentence, so they stay one provision."""
        if not node.children:
            return True
        lead = self._own_text(node)
        tail = self.text[node.children[-1].end : node.end].strip()
        if tail:
            return True
        if not lead:
            return False
        texts = [self.text[c.label_end : c.end].strip() for c in node.children]
        fragment_endings = sum(1 for t in texts[:-1] if _FRAGMENT_END.search(t))
        lower_starts = sum(1 for t in texts if t[:1].islower() or t.startswith(("to ", "by ", "of ")))
        fragments = (
            fragment_endings >= max(1, (len(texts) - 1) * 0.5) if len(texts) > 1 else False
        ) or lower_starts >= 0.5 * len(texts)
        if lead.endswith(".") and not fragments:
            return False
        return bool(_LEAD_IN_OPENER.search(lead)) and fragments or fragments and not lead.endswith(".")

    def _emit_node(self, node: Node, citation: str, path: list[str], context: str, kind: str) -> None:
        if self._is_definition_list(node, kind):
            self._emit_definitions(node, citation, path, context)
            return
        if self._keep_together(node):
            self._provision(citation, path, node.start, node.end, kind, context, items=self._items(node, citation))
            return
        lead_end = node.children[0].start
        lead = self.text[node.label_end : lead_end].strip()
        if lead:
            self._provision(citation, path, node.start, lead_end, kind, context, role="lead_in")
        child_context = " ".join(part for part in (context, lead) if part)
        for child in node.children:
            child_citation = f"{citation}({child.label})"
            self._emit_node(child, child_citation, path + [f"({child.label})"], child_context, kind)

    def _emit_definitions(self, node: Node, citation: str, path: list[str], context: str) -> None:
        if node.definitions:
            first = node.definitions[0][1]
            lead_end = min([first] + [c.start for c in node.children])
            self._provision(citation, path, node.start, lead_end, "definition", context, role="lead_in")
            bounds = [pos for _, pos in node.definitions] + [node.end]
            for (term, start), end in zip(node.definitions, bounds[1:]):
                # A labelled sibling list after the definitions ends the last one.
                later_children = [c.start for c in node.children if c.start > start]
                end = min([end] + later_children)
                self._provision(f'{citation} "{term}"', path + [f'"{term}"'], start, end, "definition", context)
            return
        lead_end = node.children[0].start
        lead = self.text[node.label_end : lead_end].strip()
        if lead:
            self._provision(citation, path, node.start, lead_end, "definition", context, role="lead_in")
        for child in node.children:
            child_citation = f"{citation}({child.label})"
            self._provision(
                child_citation,
                path + [f"({child.label})"],
                child.start,
                # the last definition runs to the end of the list: wrap-up words after it
                # belong to no other provision
                node.end if child is node.children[-1] else child.end,
                "definition",
                " ".join(p for p in (context, lead) if p),
                items=self._items(child, child_citation),
            )


def assemble_unit(text: str, instrument_id: str, unit: Unit, root: Node) -> list[Provision]:
    """Provisions of one unit, in document order."""
    return _Assembler(text, instrument_id, unit).run(root)


def preamble_provisions(text: str, instrument_id: str, layout: Layout) -> list[Provision]:
    """One provision per recital (or enacting formula) before the first unit."""
    out = []
    for number, line in enumerate(layout.preamble, start=1):
        out.append(
            Provision(instrument_id, f"Preamble para. {number}", ["Preamble"], None, line.text, line.start, line.end, "preamble")
        )
    return out


def paragraph_provisions(text: str, instrument_id: str, layout: Layout) -> list[Provision]:
    """For a text with no numbered structure at all: one provision per paragraph."""
    return [
        Provision(instrument_id, f"para. {number}", [], None, line.text, line.start, line.end, "operative")
        for number, line in enumerate(layout.preamble, start=1)
    ]


def closing_provision(text: str, instrument_id: str, layout: Layout) -> list[Provision]:
    if layout.closing is None:
        return []
    start, end = layout.closing
    return [Provision(instrument_id, "Final clause", ["Final clause"], None, text[start:end], start, end, "final_clause")]
