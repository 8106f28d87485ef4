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
# What follows a label that only continues a cross-reference: "(2)(b), it is", "(c) or (d) in",
# "(d) of this section".
_WRAPPED_REFERENCE = re.compile(
    r"(?:,|\s+(?:or|and|to)\s+\(?\w{1,4}\)"
    r"|\s+of\s+(?:this|that|the)\s+(?:section|subsection|paragraph|Act|Part|Schedule|title|chapter)\b)"
)
# Old Acts run the first subsection into the enacting words: "That (a) for the purpose of ...".
_RUN_IN_OPENING = re.compile(r"\s*That\s+")
_INLINE_BOUNDARY = re.compile(r"(?:[:;.—–\]]|[;,:—]\s*(?:and|or|and/or))\s*$")
_LIST_OPENER = re.compile(r"(?:[:—–]|-)\s*$")
_AMENDMENT_TEXT = re.compile(r"\b(?:insert|substitute|add)\b[^.:;\n]{0,80}:")
# How the last item of a list ends when the next line is its parent's wrap-up. A printed line that ends
# ", or" inside an item ("organised by, or" / "involve the participation of ...") is no such end.
_CLOSING_ITEM = re.compile(r"(?:;|;\s*or|;\s*and|,)\s*$")

# Unlabelled definitions: a quoted term at a boundary followed by a defining verb.
# (A quoted term that merely opens a printed line, after words that run on, is not at a boundary:
# "In subsection (3)(c)," / ""serious harm in Singapore" means" defines inside a sentence.)
_QUOTED_TERM = re.compile(
    r"(?:(?<=^)|(?<=[;:.—–\]])\s*|(?<=\n\n))\s*[\"“]\s?(?P<term>(?:[^\"”\n]|\n(?![\"“\n])){1,80}?)\s?[\"”]"
    # terms defined together: "husband" or "wife" means, "sub-fund", "umbrella VCC" and "VCC" have
    r"(?P<alternative>(?:\s*,\s*[\"“][^\"”\n]{1,80}[\"”])*\s+(?:or|and)\s+[\"“]\s?(?:[^\"”\n]|\n(?![\"“\n])){1,80}?\s?[\"”])?"
    r"(?=\s*(?:\([^)]{1,60}\)\s*)?(?:,\s*[^,;]{1,160},\s*)?(?:means|includes|include|excludes?|denotes|has\s+the|have\s+the|"
    r"refers?\s+to|shall\s+mean|shall\s+include|in\s+relation\s+to|with\s+respect\s+to|,\s*in\s+relation|\(|"
    # a term whose meanings follow in a list: "officer" — (a) in relation to a body corporate, means ...
    r"[—–]\s*\(a\)))"
)
# Illustrations, explanations and examples that follow a rule: "Illustrations", "Explanation.—For the
# purposes ...", "Example 1.— The following ...". Their lettered items illustrate the rule; they are
# not its paragraphs.
_EXAMPLE_BLOCK = re.compile(
    r"(?:^|(?<=[.;:]\s))[ \t]*(?:Illustrations?|ILLUSTRATIONS?|Explanations?|EXPLANATIONS?|Examples?|EXAMPLES?)"
    r"(?:[ \t]+(?:\d{1,2}|[IVX]{1,4}))?[ \t]*(?:[.:]?[ \t]*[—–-]|[.:]?[ \t]*$)",
    re.MULTILINE,
)
_DEFINITIONS_OPENER = re.compile(
    r"(?:^|(?<=[.;:\]]\s)|(?<=\)\s))(?:In this (?:Act|Part|Chapter|section|Law|Convention|Code|Division|Ordinance|Schedule)"
    r"|For the purposes? of this|As used in this)\b|\bthe following (?:terms|words|expressions)",
    re.MULTILINE,
)
# Words without which the two patterns above cannot match: a substring test skips most units fast.
_EXAMPLE_WORDS = ("Illustration", "ILLUSTRATION", "Explanation", "EXPLANATION", "Example", "EXAMPLE")
_OPENER_WORDS = ("In this ", "For the purpose", "As used in this", "following terms", "following words", "following expressions")
_ROMAN_SUCCESSOR = {"i": "ii", "v": "vi", "x": "xi", "I": "II", "V": "VI", "X": "XI"}
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


def _words_before(text: str, start: int, position: int, width: int = 12) -> str:
    """The ``width`` characters before ``position`` (not before ``start``), read past a run of white
    space such as a blanked-out amendment note: "Singapore. [22/2017] (2)" reads "Singapore. "."""
    end = position
    while end > start and end > position - 400 and text[end - 1].isspace():
        end -= 1
    return text[max(start, end - width) : end] + text[end:position][:1]


def _candidates(text: str, start: int, end: int, bare: bool) -> list[_Candidate]:
    found: dict[int, _Candidate] = {}
    references: set[int] = set()  # labels that open a printed line but continue a cross-reference
    body = text[start:end]
    for line in re.finditer(r"[^\n]+", body):
        line_start = start + line.start() + (len(line.group(0)) - len(line.group(0).lstrip()))
        position = line_start
        chained = False
        on_line: list[_Candidate] = []
        # A line may open with several labels: "(5)(A) knowingly", "(a) Whoever—(1)".
        while True:
            match = None
            for form in (_LINE_START_FORMS + ([_BARE_LINE_START] if bare else [])):
                match = form.match(text, position, start + line.end())
                if match:
                    break
            if not match:
                break
            on_line.append(_Candidate(position, match.end(), match.group("label"), True, chained))
            position = match.end()
            while position < end and text[position] in " —–":
                position += 1
            chained = True
            if not text.startswith("(", position):
                break
        # "... subsections (b), (c), and" / "(d) of this section": a reference that wrapped
        if on_line and _WRAPPED_REFERENCE.match(text, on_line[-1].label_end, start + line.end()):
            references.update(c.start for c in on_line)
            continue
        found.update((c.start, c) for c in on_line)
    for match in _BRACKETED.finditer(text, start, end):
        if match.start() in found or match.start() in references or _WRAPPED_REFERENCE.match(text, match.end(), end):
            continue
        before = _words_before(text, start, match.start())
        after = text[match.end() : match.end() + 2]
        # "(5)(A)": a label that directly follows an accepted one opens a list below it.
        chained = any(c.label_end == match.start() for c in found.values())
        opening = bool(_RUN_IN_OPENING.fullmatch(text, start, match.start()))
        if not (_INLINE_BOUNDARY.search(before) or chained or opening) or not after[:1].isspace() and not after.startswith("("):
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


def _unlabelled_terms(text: str, start: int, end: int, unquoted: bool, term_use: TermUse) -> list[tuple[str, int]]:
    terms = [(_quoted_term(m), m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))) for m in _QUOTED_TERM.finditer(text, start, end)]
    if terms or not unquoted:
        return terms
    return _unquoted_terms(text, start, end, term_use)


def _quoted_term(match: re.Match) -> str:
    """The term a definition defines: "husband or wife" for '"husband" or "wife" means', one space
    where the term wrapped onto the next line."""
    term = match.group("term")
    if match.group("alternative"):
        term += match.group("alternative")
    return " ".join(term.replace('"', "").replace("“", "").replace("”", "").split())


def _unquoted_terms(text: str, start: int, end: int, term_use: TermUse) -> list[tuple[str, int]]:
    """Terms defined without quotes: "AU means ...", NZ "harm means serious emotional distress".

    Without quotes or punctuation the term's first word is not marked
    ("...communicated electronically harm means serious emotional distress").
    Of the word runs that end before the defining verb, the longest one the
    instrument also uses outside its definitions is taken: defined terms are
    defined because they are used (within the document's search budget,
    :class:`TermUse`). Each verb looks at a bounded window before it, and the
    line it is on is tracked as the verbs advance, so the work grows with the
    unit's length, not its square.
    """
    terms = []
    line_terms = []
    inline_verbs = []
    lines_with_term: set[int] = set()
    line_start, scanned, line_has_text = start, start, False
    for verb in _DEFINING_VERB.finditer(text, start, end):
        # the line's start and whether it holds text before the verb, from the stretch since the last verb
        stretch = text[scanned : verb.start()]
        newline = stretch.rfind("\n")
        if newline != -1:
            line_start, line_has_text = scanned + newline + 1, bool(stretch[newline + 1 :].strip())
        else:
            line_has_text = line_has_text or bool(stretch.strip())
        scanned = verb.start()
        if line_start in lines_with_term or not line_has_text:
            continue
        # Malabo: one definition per line, "Child pornography means ...".
        line_head = text[line_start : verb.start()].strip() if verb.start() - line_start <= _LINE_TERM_CHARS else ""
        if (
            line_start > start
            and line_head
            and len(line_head.split()) <= 10
            and re.match(r"[A-Za-z]", line_head)
            and not re.search(r"[.;,\"“]|\s[a-z]\)", line_head)
        ):
            line_terms.append((line_head.rstrip(":").strip(), line_start))
            lines_with_term.add(line_start)
        else:
            inline_verbs.append(verb)
    if len(line_terms) >= 3:
        return line_terms
    for verb in inline_verbs:
        head_end = verb.start()
        window = max(start, head_end - _HEAD_WINDOW)
        # "post, in relation to a digital communication,— a means": a list opens before the verb.
        opener = _LIST_BEFORE_VERB.search(text, window, head_end)
        if opener:
            head_end = opener.start()
        # "defendant, in relation to an application ..., means" -> term before the clause.
        clause = _CLAUSE_BEFORE_VERB.search(text, max(start, head_end - _HEAD_WINDOW), head_end)
        if clause:
            head_end = clause.start()
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
        used = [c for c in choices if all(term_use.outside(part, start, end) for part in c[0].split(" or "))]
        terms.append(used[-1] if used else choices[0])
    return terms


_HEAD_WINDOW = 240  # characters before a defining verb that can hold its term and a clause
_LINE_TERM_CHARS = 300  # a line head longer than this is no one-line term ("Child pornography means")
# Characters TermUse may search, per character of the document: the corpus needs at most
# 124 (NZ Intelligence and Security Act 2017), so real statutes never reach it.
TERM_SEARCH_PER_CHAR = 256
_LIST_BEFORE_VERB = re.compile(r",?\s*—\s*(?:\(a\)|a)\s*$")
_CLAUSE_BEFORE_VERB = re.compile(r",\s*(?:in relation to|with respect to|in respect of)[^;]{0,160},?\s*$")


class TermUse:
    """Whether a phrase occurs in a document outside a span, searched under a budget.

    One per document (:func:`provrisk.segment.segment_statute` makes it). At
    most :data:`TERM_SEARCH_PER_CHAR` characters per character of the document
    are searched in all; once they are spent, every phrase counts as unused
    (the shortest candidate term is then taken), so a document with many
    unquoted definitions costs time linear in its length.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.budget = TERM_SEARCH_PER_CHAR * max(len(text), 1)

    def outside(self, phrase: str, start: int, end: int) -> bool:
        """``phrase`` occurs before ``start`` or after ``end`` (False once the budget is spent)."""
        text = self.text
        for low, high in ((0, start), (end, len(text))):
            if self.budget <= 0:
                return False
            found = text.find(phrase, low, high)
            self.budget -= (found + len(phrase) - low) if found != -1 else high - low
            if found != -1:
                return True
        return False


class _TreeBuilder:
    def __init__(self, text: str, root: Node, bare: bool, definitional: bool, term_use: TermUse) -> None:
        self.text = text
        self.term_use = term_use
        self.root = root
        self.bare = bare
        self.definitional = definitional
        self.stack: list[Node] = [root]
        self.frozen_depth: int | None = None  # inside unlabelled definitions
        self.in_examples = False  # inside an illustrations/explanation/example block

    def build(self) -> Node:
        root = self.root
        candidates = _candidates(self.text, root.label_end, root.end, self.bare)
        body = self.text[root.label_end : root.end]
        terms = _unlabelled_terms(self.text, root.label_end, root.end, self.definitional, self.term_use) if self.definitional or self._has_quoted_definitions(root, body) else []
        labelled_starts = {c.label_end for c in candidates}
        term_events = [(pos, term) for term, pos in terms if not self._right_after_label(pos, labelled_starts)]
        blocks = (
            [m.start() for m in _EXAMPLE_BLOCK.finditer(self.text, root.label_end, root.end)]
            if any(word in body for word in _EXAMPLE_WORDS)
            else []
        )
        events = sorted(
            [(c.start, 1, c) for c in candidates]
            + [(pos, 0, term) for pos, term in term_events]
            + [(pos, 2, None) for pos in blocks],
            key=lambda e: (e[0], e[1]),
        )
        next_labels = {c.start: n.label for c, n in zip(candidates, candidates[1:])}
        for position, kind, payload in events:
            if kind == 2:
                self.in_examples = True
            elif kind == 1:
                self._place(payload, next_labels.get(payload.start))
            else:
                container = self.stack[self._container_depth()]
                container.definitions.append((payload, position))
                self.frozen_depth = self.stack.index(container)
                del self.stack[self.frozen_depth + 1 :]
        self._close_ends(root)
        return root

    def _has_quoted_definitions(self, root: Node, body: str) -> bool:
        # the words that open a list of definitions, at the unit's start or opening a later
        # subsection ("(4) In this section —")
        if not any(word in body for word in _OPENER_WORDS):
            return False
        return bool(_DEFINITIONS_OPENER.search(self.text, root.label_end, root.end))

    def _container_depth(self) -> int:
        if self.frozen_depth is not None:
            return self.frozen_depth
        return len(self.stack) - 1

    @staticmethod
    def _right_after_label(position: int, label_ends: set[int]) -> bool:
        # a set lookup per offset, not a scan of every label: a unit can hold thousands of each
        return any(position - gap in label_ends for gap in range(3))

    def _place(self, candidate: _Candidate, next_label: str | None = None) -> None:
        options = readings(candidate.label)
        if not options:
            return
        # "(h) ... persons: (i) an entity ...; (ii) an individual ...": an "(i)" followed by "(ii)" is a
        # roman numeral opening a list, not the letter after (h)
        if next_label is not None and _ROMAN_SUCCESSOR.get(candidate.label) == next_label:
            options = [r for r in options if r.scheme in (Scheme.ROMAN, Scheme.UPPER_ROMAN)] or options
        if self.in_examples:
            # Only the unit's next subsection ends an example block; labels inside it are text.
            top = self.stack[1] if len(self.stack) > 1 else None
            reading = next((r for r in options if top is not None and follows(top.reading, r)), None)
            if reading is None or not candidate.at_line_start and not self._boundary_ok(candidate, sibling=True):
                return
            self.in_examples = False
            self.frozen_depth = None
            self._attach(candidate, reading, 0)
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
            opens = is_first(reading) or self._unnumbered_first_subsection(candidate, reading, next_label)
            if opens and reading.scheme not in open_schemes and self._boundary_ok(candidate, sibling=False):
                if depth_limit is not None:
                    return  # lists inside unlabelled definitions are not cited
                if not self._plausible_first(reading):
                    continue
                self._attach(candidate, reading, len(self.stack) - 1)
                return

    def _unnumbered_first_subsection(self, candidate: _Candidate, reading: Reading, next_label: str | None) -> bool:
        """A section whose first subsection is printed without "(1)": "(2)" then "(3)" open at the unit's top."""
        return (
            len(self.stack) == 1
            and not self.root.children
            and candidate.at_line_start
            and reading.scheme == Scheme.ARABIC
            and reading.ordinal == 2.0
            and next_label == "3"
        )

    def _plausible_first(self, reading: Reading) -> bool:
        """Deeper lists use letters/romans under numbers, not numbers under letters, in most drafting."""
        parent = self.stack[-1].reading
        if parent is None:
            return True
        return not (reading.scheme == Scheme.ARABIC and parent.scheme == Scheme.ARABIC)

    def _boundary_ok(self, candidate: _Candidate, sibling: bool) -> bool:
        if candidate.at_line_start or candidate.chained:
            return True
        before = _words_before(self.text, self.root.label_end, candidate.start)
        if candidate.start == self.root.label_end or _RUN_IN_OPENING.fullmatch(self.text, self.root.label_end, candidate.start):
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
            # A section has no wrap-up after its last numbered subsection, and an
            # item whose own list goes on after the line is not finished: there
            # the line is a printed line that wrapped ("in relation to a company," /
            # "means any person ...").
            last = node.children[-1]
            if node is self.root and last.reading.scheme == Scheme.ARABIC:
                return
            tail = re.search(r"\n\s*\n?\s*(?=[a-z])(?![a-z]{1,4}[).\-]\s)", self.text[last.label_end : last.end])
            if tail and _CLOSING_ITEM.search(self.text[last.label_end : last.label_end + tail.start()]):
                cut = last.label_end + tail.start()
                if not any(child.start >= cut for child in last.children):
                    _truncate(last, cut)


def _truncate(node: Node, cut: int) -> None:
    node.end = min(node.end, cut)
    node.children = [c for c in node.children if c.start < cut]
    for child in node.children:
        _truncate(child, cut)


def build_unit_tree(
    text: str, body_start: int, end: int, *, bare: bool, definitional: bool, term_use: TermUse | None = None
) -> Node:
    """Parse the enumerated structure of the unit body ``text[body_start:end]``.

    ``term_use``: the document's search budget for unquoted defined terms (one for
    all the units of a document keeps the document's work linear; default: a new one).
    """
    root = Node(None, None, body_start, end, body_start)
    return _TreeBuilder(text, root, bare, definitional, term_use or TermUse(text)).build()
