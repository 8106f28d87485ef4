"""Types shared by every format reader.

Input: a file on disk. Output: an :class:`IngestedText` whose ``text`` is the
normalised plain text that segmentation works on, with a map from character
ranges of that text back to the source (page numbers for PDFs).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceSpan:
    """``text[start:end]`` came from this place in the source document."""

    start: int
    end: int
    page: int | None = None  # 1-based page number (PDF)
    locator: str | None = None  # element id, paragraph index or XPath-like hint


@dataclass
class IngestedText:
    """A document turned into normalised plain text."""

    source: str  # the path (or upload name) the text came from
    format: str  # "txt" | "pdf" | "docx" | "html" | "akn" | "uslm"
    text: str
    source_map: list[SourceSpan] = field(default_factory=list)
    language: str = "und"  # ISO 639-1 code, "und" when unknown
    language_confidence: float = 0.0
    warnings: list[str] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    # lines removed as page furniture (running headers and footers, page numbers), in reading order
    furniture: list[str] = field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        """The source page that holds character ``offset`` of ``text`` (PDF only)."""
        for span in self.source_map:
            if span.start <= offset < span.end:
                return span.page
        return None
