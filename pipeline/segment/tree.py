"""The enumerated structure inside one unit: subsections, paragraphs, items.

Input: the statute text and the span of one unit's body. Output: a tree of
:class:`Node` objects (the unit is the root) whose labels follow the numbering
in the text, plus the definition boundaries of unlabelled definition lists.

Labels are found at line starts and, for flattened texts, inline after a
sentence or list boundary ("...; or (b) ..."). A candidate becomes a node only
if it continues a list already open (the next number or letter) or opens a new
list one level down (1, a, i, A, aa). Cross-references ("under subsection
(1)") fail both tests and stay text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from provrisk.segment.enumerators import Reading, Scheme, follows, is_first, readings

_BRACKETED = re.compile(r"\(\s?([0-9]{1,3}[A-Za-z]{0,2}|[a-z]{1,4}|[A-Z]{1,3})\s?\)")
_LINE_START_FORMS = [
    re.compile(r"\(\s?(?P<label>[0-9]{1,3}[A-Za-z]{0,2}|[a-z]{1,4}|[A-Z]{1,3})\s?\)"),
    re.compile(r"(?P<label>[0-9]{1,3}[A-Z]?)\.(?=\s|$)"),
    re.compile(r"(?P<label>[0-9]{1,3})\s?-(?=\s?\S)"),
    re.compile(r"Principle\s+(?P<label>[0-9]{1,2})\b:?"),
    re.compile(r"(?P<label>[a-z]{1,2}|[ivx]{1,5})[)\-](?=\s|$)"),
]
_BARE_LINE_START = re.compile(r"(?P<label>[0-9]{1,3}[A-Z]?|[a-z]{1,2}|[ivx]{1,5}|[A-Z])\s(?=\S)")
_BARE_INLINE = re.compile(
    r"(?:(?<=[.;:—–]\s)|(?<=[;,]\sand\s)|(?<=[;,]\sor\s)|(?<=—)|(?<=:\s))"
    r"(?P<label>[0-9]{1,3}[A-Z]?|[a-z]{1,2}|[ivx]{1,5}|[A-Z])\s(?=[\w\"'(])"
)
_INLINE_BOUNDARY = re.compile(r"(?:[:;.—–\]]|[;,:—]\s*(?:and|or|and/or))\s*$")
_LIST_OPENER = re.compile(r"(?:[:—–]|-)\s*$")
_AMENDMENT_TEXT = re.compile(r"\b(?:insert|substitute|add)\b[^.:;\n]{0,80}:")
_CLOSING_ITEM = re.compile(r"(?:;|;\s*or|;\s*and|,\s*or|,\s*and|,)\s*$")

# Unlabelled definitions: a quoted term at a boundary followed by a defining verb.
_QUOTED_TERM = re.compile(
    r"(?:(?<=^)|(?<=[;:.—–\]])\s*|(?<=\n))\s*[\"“]\s?(?P<term>[^\"”\n]{1,80}?)\s?[\"”]"
    r"(?=\s*(?:\([^)]{1,60}\)\s*)?(?:,\s*[^,;]{1,80},\s*)?(?:means|includes|include|has the|have the|"
    r"refers? to|shall mean|shall include|in relation to|with respect to|,\s*in relation|\())"
)
_DEFINING_VERB = re.compile(r"\b(?:means|includes|refers to|has the (?:same )?meaning)\b")
_TERM_STOPWORDS = {
    "the", "a", "an", "of", "to", "in", "on", "by", "for", "with", "under", "this", "that", "which",
    "is", "be", "and", "as", "at", "from", "it", "its", "any", "who", "whom", "not", "are", "was",
    "section", "subsection", "paragraph", "act", "part", "also", "but", "does", "do", "means",
    "includes", "include",
}


@dataclass
class Node:
    """A numbered unit or one of its enumerated parts."""

    label: str | None  # None for the unit root
    reading: Reading | None
    start: int  # offset of the label (root: body start)
    end: int
    label_end: int  # where the node's own text begins
    children: list[Node] = field(default_factory=list)
    heading: str | None = None
    # Boundaries of unlabelled definitions inside this node: (term, start offset).
    definitions: list[tuple[str, int]] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class _Candidate:
    start: int
    label_end: int
    label: str
    at_line_start: bool
    chained: bool  # immediately follows another label: "(5)(A)"


def detect_bare_labels(text: str) -> bool:
    """True for texts that print list labels without brackets ("— a a date ...; and b 2 years")."""
    bare_lists = len(re.findall(r"[—:]\s?a\s[a-z]", text))
    bracketed_lists = len(re.findall(r"[—:]\s?\(a\)", text))
    return bare_lists >= 2 and bare_lists > bracketed_lists


def _candidates(text: str, start: int, end: int, bare: bool) -> list[_Candidate]:
    found: dict[int, _Candidate] = {}
    body = text[start:end]
    for line in re.finditer(r"[^\n]+", body):
        line_start = start + line.start() + (len(line.group(0)) - len(line.group(0).lstrip()))
        position = line_start
        chained = False
        # A line may open with several labels: "(5)(A) knowingly", "(a) Whoever—(1)".
        while True:
            match = None
            for form in (_LINE_START_FORMS + ([_BARE_LINE_START] if bare else [])):
                match = form.match(text, position, start + line.end())
                if match:
                    break
            if not match:
                break
            found[position] = _Candidate(position, match.end(), match.group("label"), True, chained)
            position = match.end()
            while position < end and text[position] in " —–":
                position += 1
            chained = True
            if not text.startswith("(", position):
                break
    for match in _BRACKETED.finditer(text, start, end):
        if match.start() in found:
            continue
        before = text[max(start, match.start() - 12) : match.start()]
        after = text[match.end() : match.end() + 2]
        # "(5)(A)": a label that directly follows an accepted one opens a list below it.
        chained = any(c.label_end == match.start() for c in found.values())
        if not (_INLINE_BOUNDARY.search(before) or chained) or not after[:1].isspace() and not after.startswith("("):
            continue
        found[match.start()] = _Candidate(match.start(), match.end(), match.group(1), False, chained)
    if bare:
        for match in _BARE_INLINE.finditer(text, start, end):
            if match.start() not in found:
                found[match.start()] = _Candidate(match.start(), match.end(), match.group("label"), False, False)
    # Text that an amending section inserts into another Act ("After section 3(2),
    # insert: 3 For the purposes ...") carries that Act's numbering, not this one's.
    quoted = [(m.end(), body.find("\n", m.end() - start) % (len(body) + 1) + start) for m in _AMENDMENT_TEXT.finditer(text, start, end)]
    return [
        found[key]
        for key in sorted(found)
        if found[key].at_line_start or not any(a <= key < b for a, b in quoted)
    ]


def _unlabelled_terms(text: str, start: int, end: int, unquoted: bool) -> list[tuple[str, int]]:
    terms = [(m.group("term").strip(), m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))) for m in _QUOTED_TERM.finditer(text, start, end)]
    if terms or not unquoted:
        return terms
    return _unquoted_terms(text, start, end)


def _unquoted_terms(text: str, start: int, end: int) -> list[tuple[str, int]]:
    """Terms defined without quotes: "AU means ...", NZ "harm means serious emotional distress".

    Without quotes or punctuation the term's first word is not marked
    ("...communicated electronically harm means serious emotional distress").
    Of the word runs that end before the defining verb, the longest one the
    instrument also uses outside its definitions is taken: defined terms are
    defined because they are used.
    """
    outside = text[:start] + "\n" + text[end:]
    terms = []
    line_terms = []
    inline_verbs = []
    lines_with_term: set[int] = set()
    for verb in _DEFINING_VERB.finditer(text, start, end):
        line_start = max(text.rfind("\n", start, verb.start()) + 1, start)
        if line_start in lines_with_term:
            continue
        line_head = text[line_start : verb.start()].strip()
        # Malabo: one definition per line, "Child pornography means ...".
        if (
            line_start > start
            and line_head
            and len(line_head.split()) <= 10
            and re.match(r"[A-Za-z]", line_head)
            and not re.search(r"[.;,\"“]|\s[a-z]\)", line_head)
        ):
            line_terms.append((line_head.rstrip(":").strip(), line_start))
            lines_with_term.add(line_start)
        elif line_head:
            inline_verbs.append(verb)
    if len(line_terms) >= 3:
        return line_terms
    for verb in inline_verbs:
        head_end = verb.start()
        # "post, in relation to a digital communication,— a means": a list opens before the verb.
        opener = re.search(r",?\s*—\s*(?:\(a\)|a)\s*$", text[start:head_end])
        if opener:
            head_end = start + opener.start()
        prefix = text[start:head_end]
        # "defendant, in relation to an application ..., means" -> term before the clause.
        clause = re.search(r",\s*(?:in relation to|with respect to|in respect of)[^;]{0,160},?\s*$", prefix)
        if clause:
            head_end = start + clause.start()
        window_start = max(start, head_end - 120)
        words = list(re.finditer(r"\S+", text[window_start:head_end]))
        run: list[re.Match] = []
        for word in reversed(words):
            token = word.group(0)
            if not re.fullmatch(r"[A-Za-z][\w'’-]*", token) or token.lower() in _TERM_STOPWORDS and token != "or":
                break
            run.append(word)
            if len(run) == 5:
                break
        choices = []
        for size in range(1, len(run) + 1):
            first = run[size - 1]
            term = text[window_start + first.start() : head_end].strip(" ,")
            if term.split()[0] == "or" or len(term) < 2:
                continue
            choices.append((term, window_start + first.start()))
        if not choices:
            continue
        used = [c for c in choices if all(part in outside for part in c[0].split(" or "))]
        terms.append(used[-1] if used else choices[0])
    return terms


class _TreeBuilder:
    def __init__(self, text: str, root: Node, bare: bool, definitional: bool) -> None:
        self.text = text
        self.root = root
        self.bare = bare
        self.definitional = definitional
        self.stack: list[Node] = [root]
        self.frozen_depth: int | None = None  # inside unlabelled definitions

    def build(self) -> Node:
        root = self.root
        candidates = _candidates(self.text, root.label_end, root.end, self.bare)
        terms = _unlabelled_terms(self.text, root.label_end, root.end, unquoted=self.definitional) if self.definitional or self._has_quoted_definitions(root) else []
        labelled_starts = {c.label_end for c in candidates}
        term_events = [(pos, term) for term, pos in terms if not self._right_after_label(pos, labelled_starts)]
        events = sorted([(c.start, 1, c) for c in candidates] + [(pos, 0, term) for pos, term in term_events], key=lambda e: (e[0], e[1]))
        for position, is_candidate, payload in events:
            if is_candidate:
                self._place(payload)
            else:
                container = self.stack[self._container_depth()]
                container.definitions.append((payload, position))
                self.frozen_depth = self.stack.index(container)
                del self.stack[self.frozen_depth + 1 :]
        self._close_ends(root)
        return root

    def _has_quoted_definitions(self, root: Node) -> bool:
        head = self.text[root.label_end : min(root.end, root.label_end + 600)]
        return bool(re.search(r"\b(?:In this (?:Act|Part|Chapter|section|Law|Convention|Code|Division|Ordinance)|For the purposes? of this|As used in this|the following (?:terms|words|expressions))", head))

    def _container_depth(self) -> int:
        if self.frozen_depth is not None:
            return self.frozen_depth
        return len(self.stack) - 1

    @staticmethod
    def _right_after_label(position: int, label_ends: set[int]) -> bool:
        return any(0 <= position - end <= 2 for end in label_ends)

    def _place(self, candidate: _Candidate) -> None:
        options = readings(candidate.label)
        if not options:
            return
        depth_limit = self.frozen_depth if self.frozen_depth is not None else None
        # Prefer continuing an open list (deepest first), then opening a new one.
        for depth in range(len(self.stack) - 1, 0, -1):
            node = self.stack[depth]
            for reading in options:
                gap = 5 if candidate.at_line_start else 3
                if follows(node.reading, reading, max_gap=gap) and self._boundary_ok(candidate, sibling=True):
                    if depth_limit is not None and depth > depth_limit:
                        continue
                    self._attach(candidate, reading, depth - 1)
                    return
        open_schemes = {n.reading.scheme for n in self.stack[1:]}
        for reading in options:
            if is_first(reading) and reading.scheme not in open_schemes and self._boundary_ok(candidate, sibling=False):
                if depth_limit is not None:
                    return  # lists inside unlabelled definitions are not cited
                if not self._plausible_first(reading):
                    continue
                self._attach(candidate, reading, len(self.stack) - 1)
                return

    def _plausible_first(self, reading: Reading) -> bool:
        """Deeper lists use letters/romans under numbers, not numbers under letters, in most drafting."""
        parent = self.stack[-1].reading
        if parent is None:
            return True
        return not (reading.scheme == Scheme.ARABIC and parent.scheme == Scheme.ARABIC)

    def _boundary_ok(self, candidate: _Candidate, sibling: bool) -> bool:
        if candidate.at_line_start or candidate.chained:
            return True
        before = self.text[max(self.root.label_end, candidate.start - 12) : candidate.start]
        if candidate.start == self.root.label_end:
            return True
        if sibling:
            return bool(_INLINE_BOUNDARY.search(before))
        return bool(_LIST_OPENER.search(before))

    def _attach(self, candidate: _Candidate, reading: Reading, parent_depth: int) -> None:
        del self.stack[parent_depth + 1 :]
        if self.frozen_depth is not None and parent_depth < self.frozen_depth + 1:
            self.frozen_depth = None
        parent = self.stack[parent_depth]
        node = Node(candidate.label, reading, candidate.start, self.root.end, candidate.label_end)
        parent.children.append(node)
        self.stack.append(node)

    def _close_ends(self, node: Node) -> None:
        for i, child in enumerate(node.children):
            child.end = node.children[i + 1].start if i + 1 < len(node.children) else node.end
            self._close_ends(child)
        if node.children:
            # A lower-case line after the last item closes the list: it is the
            # parent's wrap-up ("shall be punished as provided in subsection (c)").
            last = node.children[-1]
            tail = re.search(r"\n\s*\n?\s*(?=[a-z])(?![a-z]{1,4}[).\-]\s)", self.text[last.label_end : last.end])
            if tail and _CLOSING_ITEM.search(self.text[last.label_end : last.label_end + tail.start()]):
                cut = last.label_end + tail.start()
                _truncate(last, cut)


def _truncate(node: Node, cut: int) -> None:
    node.end = min(node.end, cut)
    node.children = [c for c in node.children if c.start < cut]
    for child in node.children:
        _truncate(child, cut)


def build_unit_tree(text: str, body_start: int, end: int, *, bare: bool, definitional: bool) -> Node:
    """Parse the enumerated structure of the unit body ``text[body_start:end]``."""
    root = Node(None, None, body_start, end, body_start)
    return _TreeBuilder(text, root, bare, definitional).build()
