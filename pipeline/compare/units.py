"""The units a comparison works with, read off statute reports.

Input: a statute report (:mod:`provrisk.score.report`). Output:

- :func:`unit_citation`: the section or article a provision belongs to
  ("s. 4" for "s. 4(a)(1)", "Art. 20" for "Art. 20(1)");
- :func:`articles`: a treaty's provisions grouped into articles, each with its
  heading, words and the union of its provisions' labels;
- :func:`section_texts`: per provision, the words of its whole section (so the
  parts of one section are read together);
- :func:`defined_term`: the term a definition provision defines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Provisions that state law; preambles and final clauses are not implemented or amended as rules.
COMPARED_KINDS = ("operative", "definition", "schedule")
_UNIT = re.compile(r"^(?:Art\.|s\.|§|Sec\.|Reg\.|Rule)\s*[0-9][0-9A-Za-z.\-]*")
_QUOTED_TERM = re.compile(r'"([^"]+)"\s*$')
_TERM_IN_TEXT = re.compile(
    r'^\W{0,6}(?:\(?[a-z0-9]{1,4}\)\s*)?["“‘]\s?([^"”’]{1,80}?)\s?["”’]|^\W{0,6}(?:\(?[a-z0-9]{1,4}\)\s*)?([A-Z][A-Za-z \-]{1,60}?)\s+(?:means|refers to|includes|has the meaning)\b'
)


def unit_citation(provision: dict) -> str:
    """The citation of the section or article that holds ``provision``."""
    for part in provision.get("path") or []:
        match = _UNIT.match(part)
        if match:
            return match.group(0)
    match = _UNIT.match(provision["citation"])
    return match.group(0) if match else provision["citation"]


def defined_term(provision: dict) -> str | None:
    """The term a definition provision defines, lower case (None when it names none)."""
    match = _QUOTED_TERM.search(provision["citation"])
    if match:
        return match.group(1).strip().lower()
    match = _TERM_IN_TEXT.match(provision["text"])
    if match:
        return (match.group(1) or match.group(2)).strip().lower()
    return None


@dataclass
class Article:
    """One article (or section) of an instrument: its provisions read as one unit."""

    citation: str
    heading: str
    kind: str
    text: str
    labels: list[str]
    evidence: dict[str, list[str]] = field(default_factory=dict)
    provision_ids: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    defined_terms: list[str] = field(default_factory=list)


def articles(report: dict) -> list[Article]:
    """The compared articles of a report, in document order (preambles and final clauses left out)."""
    grouped: dict[str, Article] = {}
    for provision in report["provisions"]:
        if provision["kind"] not in COMPARED_KINDS:
            continue
        key = unit_citation(provision)
        article = grouped.get(key)
        if article is None:
            article = grouped[key] = Article(key, provision.get("heading") or "", provision["kind"], "", [])
        article.text = f"{article.text}\n{provision['text']}".strip()
        article.provision_ids.append(provision["id"])
        article.paragraphs.append(provision["text"])
        for label in provision["labels"]:
            if label not in article.labels:
                article.labels.append(label)
            article.evidence.setdefault(label, [])
            article.evidence[label].extend(w for w in provision["evidence"].get(label, []) if w not in article.evidence[label])
        if provision["kind"] == "definition":
            term = defined_term(provision)
            if term:
                article.defined_terms.append(term)
                article.kind = "definition"
    return list(grouped.values())


def section_texts(report: dict) -> dict[str, str]:
    """Per provision id, the heading and words of the whole section or article it belongs to."""
    by_unit: dict[str, list[dict]] = {}
    for provision in report["provisions"]:
        by_unit.setdefault(unit_citation(provision), []).append(provision)
    texts = {}
    for members in by_unit.values():
        heading = next((p.get("heading") for p in members if p.get("heading")), "") or ""
        whole = "\n".join([heading] + [p["text"] for p in members])
        for provision in members:
            texts[provision["id"]] = whole
    return texts
