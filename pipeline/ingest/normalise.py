"""Text normalisation shared by every format reader.

Input: raw text from a reader (a whole document, or one PDF page). Output: the
same text with typographic variants unified and layout noise removed, so that
segmentation and the models see one spelling of quotes, dashes and spaces.
Line breaks are kept (segmentation relies on them); blank lines are kept as
single paragraph breaks; control characters are dropped (vertical tab, form
feed and Unicode line separators become line breaks). :func:`normalise_text`
is idempotent.

:func:`join_pages` concatenates pages and reports where each page landed in
the joined text (running headers and footers are removed before, by
:mod:`provrisk.ingest.furniture`). :func:`error_reason` shortens a library
exception for the readers' one-line messages.
"""

from __future__ import annotations

import re
import unicodedata

_QUOTES = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",  # curly single
    "\u2032": "'", "\u2035": "'",  # primes
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',  # curly double
    "\u2033": '"', "\u2036": '"',  # double primes
}
# hyphen and non-breaking hyphen -> "-", figure dash -> en dash, horizontal bar -> em dash
_DASHES = {"\u2010": "-", "\u2011": "-", "\u2012": "\u2013", "\u2015": "\u2014"}
_SPACES = dict.fromkeys(
    ["\u00a0", "\u1680", "\u202f", "\u205f", "\u3000"]
    + [chr(c) for c in range(0x2000, 0x200B)],
    " ",
)
_INVISIBLE = dict.fromkeys(
    ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e"], ""
)
# Line-ish controls become newlines; other C0/C1 controls carry no text (PDF
# extraction and legacy encodings leak them) and are dropped.
_LINE_BREAKS = {"\u000b": "\n", "\u000c": "\n", "\u0085": "\n", "\u2028": "\n", "\u2029": "\n\n"}
_CONTROLS = {
    chr(c): ""
    for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]
    if chr(c) not in "\n\t\u000b\u000c\u0085"
}
_REPLACEMENTS = {**_CONTROLS, **_INVISIBLE, **_QUOTES, **_DASHES, **_SPACES, **_LINE_BREAKS, "\t": " "}
# A regex finds the few characters to replace much faster than str.translate
# walks every character of a long document.
_TO_REPLACE = re.compile("[" + "".join(re.escape(ch) for ch in _REPLACEMENTS) + "]")

# A soft hyphen at a line end marks a discretionary break: the word continues.
_SOFT_HYPHEN_BREAK = re.compile("\u00ad *\n *")
# "--" or "---" standing for a dash: between two non-space characters, or
# between two words with a space on each side; longer runs are rules, not dashes.
_ASCII_DASH = re.compile(r"(?<=[^\s-])-{2,3}(?=[^\s-])|(?<=\w )-{2,3}(?= \w)")
_SPACE_RUN = re.compile(r" {2,}")
_TRAILING_SPACE = re.compile(r" +\n")
_EXTRA_NEWLINES = re.compile(r"\n{3,}")
# A hyphen at a line end followed by a letter; the word fragment before it is
# looked up separately (a pattern starting with the fragment would be tried at
# every word of the document).
_HYPHEN_AT_LINE_END = re.compile(r"-\n *(?=[^\W\d_])")
_FRAGMENT_BEFORE = re.compile(r"(?<![\w-])[^\W\d_]+\Z")
_LONGEST_FRAGMENT = 100

# First parts of hyphenated compounds that legislation writes with a hyphen:
# a line break after them is kept ("non-\nextendable" stays "non-extendable").
COMPOUND_PREFIXES = frozenset(
    {"self", "non", "cyber", "co", "e", "sub", "ex", "quasi", "cross", "well", "anti"}
)


def normalise_text(raw: str) -> str:
    """Normalise ``raw`` (see the module docstring); ``normalise_text`` of the result is the result."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _SOFT_HYPHEN_BREAK.sub("", text)
    text = _TO_REPLACE.sub(lambda match: _REPLACEMENTS[match.group()], text)
    # NFC after the deletions above: removing an invisible character can bring
    # a letter and a combining mark together.
    text = unicodedata.normalize("NFC", text)
    text = _SPACE_RUN.sub(" ", text)
    if "--" in text:
        text = _ASCII_DASH.sub("\u2014", text)
    text = _TRAILING_SPACE.sub("\n", text)
    text = text.rstrip(" ")
    text = _HYPHEN_AT_LINE_END.sub(_rejoin_hyphenated, text)
    return _EXTRA_NEWLINES.sub("\n\n", text)


def _rejoin_hyphenated(match: re.Match[str]) -> str:
    """Undo a line-end hyphenation (drop "-\\n") unless it splits a real compound."""
    if _is_line_break_hyphenation(match.string, match.start(), match.string[match.end()]):
        return ""
    return match.group()


def _is_line_break_hyphenation(text: str, hyphen_at: int, continuation: str) -> bool:
    """True when the hyphen at ``text[hyphen_at]`` splits one word continued by ``continuation``.

    It does when a word fragment (letters only) precedes it, the continuation is
    lowercase, and the fragment is not a compound prefix ("non-", "self-").
    """
    fragment = _FRAGMENT_BEFORE.search(text, max(0, hyphen_at - _LONGEST_FRAGMENT), hyphen_at)
    return (
        fragment is not None
        and continuation.islower()
        and fragment.group().lower() not in COMPOUND_PREFIXES
    )


def join_pages(pages: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Join normalised pages with line breaks; also return each page's (start, end) in the result.

    A page break is treated like a line break: a word hyphenated across it is
    rejoined by the same rule as within a page. An empty page gets an empty span.
    """
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    previous: int | None = None  # index in ``pages`` of the last non-empty page
    for index, page in enumerate(pages):
        if not page:
            spans.append((length, length))
            continue
        if previous is not None and _hyphenated_across(parts[-1], page):
            parts[-1] = parts[-1][:-1]
            length -= 1
            spans[previous] = (spans[previous][0], length)
            page = page.lstrip(" ")
        elif previous is not None:
            parts.append("\n")
            length += 1
        parts.append(page)
        spans.append((length, length + len(page)))
        length += len(page)
        previous = index
    return "".join(parts), spans


def _hyphenated_across(before: str, after: str) -> bool:
    """True when the page text ``before`` ends with a hyphenated word fragment that ``after`` continues."""
    continuation = after.lstrip(" ")[:1]
    return (
        before.endswith("-")
        and bool(continuation)
        and _is_line_break_hyphenation(before, len(before) - 1, continuation)
    )


def error_reason(error: BaseException, limit: int = 120) -> str:
    """A library exception as a short reason for a one-line message: its first line, or its type."""
    lines = str(error).strip().splitlines()
    return lines[0][:limit] if lines and lines[0].strip() else type(error).__name__
