"""The markup limit shared by the readers that build an lxml tree (DOCX, HTML, Akoma Ntoso XML).

lxml spends 120 to 360 bytes per element, attribute or text node, so a
document made of tiny elements ("<p>x</p>" over and over) costs 40 times its
size in memory or more: 45 MB of it took 2 GB. Counting the markup ("<" and
"=" bytes, an upper bound on elements and attributes) before parsing bounds
that memory whatever the file's size or compression ratio. Statutes need far
fewer: Word writes 20 to 50 per paragraph.
"""

from __future__ import annotations

MAX_XML_MARKUP = 1_500_000


def markup_count(data: bytes) -> int:
    """How many "<" and "=" bytes ``data`` holds."""
    return data.count(b"<") + data.count(b"=")


def dense_markup_problem(format_name: str) -> str:
    return (
        f"{format_name} holds more than {MAX_XML_MARKUP:,} XML elements and attributes, far more than a "
        "statute needs (possible markup bomb); refused"
    )
