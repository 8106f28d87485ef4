"""What each provision of a statute uses: the defined terms in it and the provisions it cites.

Input: the provisions of one statute as the segmenter gives them (dicts with
``id``, ``citation``, ``path``, ``kind``, ``text``, ``items``). Output, per provision in order:

* ``definitions_used``: ``[{"term", "citation", "id"}]``: each term the
  statute defines (a definition provision, :func:`~provrisk.compare.units.defined_term`)
  that occurs in the provision's text, with the defining provision's
  citation and id, in order of first occurrence. A term printed with a capital
  in its definition ("Authority") is matched with that capital only; any
  other case-insensitively, with a plural "s"; where terms overlap the longer
  one is used ("computer system", not "computer").
* ``cross_references``: ``[{"text", "citation", "id"}]``: each reference to a
  section, subsection, paragraph or article of the same statute ("section
  14", "subsection (1)(b)", "sections 14 and 15", "Article 29(3)"), as
  printed (after the first of a list, its number alone: "sections 14", "15"), with the citation of the provision it resolves to and its id;
  ``id`` is null when the statute as scored has no such provision. A
  subsection or paragraph is read inside the provision's own section or
  article; a reference to a whole section resolves to the first provision of
  that section (and one to a part split further, to its first provision); one to a part of a provision that was kept inside it (an item
  "(ja)" of "s. 6(1)") resolves to that provision. References followed by "of
  the ... Act" or "of that Act", or preceded by "Act No. 17 of 2025,", cite another law and are left out, and so is every
reference in a provision that amends or repeals ("... is amended", "the
principal Act"), since it cites the law it amends.

The report links each provision to these (:mod:`provrisk.score.html`, the web page).
"""

from __future__ import annotations

import re
from collections import Counter

from provrisk.compare.units import defined_term, unit_citation

# "section 14", "sections 14 and 15", "s. 12(1)(b)", "subsection (1)", "subsections (1) and (2)",
# "paragraph (b)", "Article 29(3)", "article 24 to 26", "§ 1030(a)(5)".
_PARTS = r"(?:\(\s?[0-9A-Za-z]{1,4}\s?\))"
_NUMBERED = rf"[0-9]{{1,4}}[A-Z]{{0,2}}(?:\.[0-9]{{1,3}})?{_PARTS}*"
_REFERENCE = re.compile(
    rf"\b(?P<word>sections?|articles?|arts?\.|ss?\.|§§?|subsections?|sub-sections?|paragraphs?|subparagraphs?)\s*"
    rf"(?P<first>{_NUMBERED}|{_PARTS}+)"
    rf"(?P<more>(?:\s*(?:,|,?\s*and|,?\s*or|to)\s*(?:{_NUMBERED}|{_PARTS}+)(?![\w(]))*)",
    re.IGNORECASE,
)
_MORE = re.compile(rf"{_NUMBERED}|{_PARTS}+")
# "section 3 of the Penal Code", "section 20 of that Act": another law's provision.
_OTHER_LAW = re.compile(r"\s*of\s+(?:that|the\s+(?!same\b)[A-Z]|[A-Z][a-z]+\s+(?:Act|Code|Law))")
# A provision that amends or repeals another law ("The principal Act is amended in section 3", "Section 207
# is amended by ...", "Sections 37 to 39 are repealed") cites that law's provisions, not its own statute's.
_AMENDING = re.compile(r"\b(?:is|are)\s+(?:hereby\s+)?(?:amended|repealed|omitted|revoked)\b|\bprincipal\s+(?:Act|Ordinance|Law)\b")
# "(Act No. 17 of 2025, s. 3.)": an amendment note names the amending Act's section.
_AFTER_OTHER_ACT = re.compile(r"\bAct\s+(?:No\.?\s*)?\d+\s+of\s+\d{4}\s*,?\s*$")
_UNIT_PREFIXES = ("Art.", "§", "Sec.", "s.")


def provision_links(provisions: list[dict]) -> list[dict]:
    """Per provision, in order: ``{"definitions_used": [...], "cross_references": [...]}`` (see the module docstring)."""
    terms = _defined_terms(provisions)
    term_pattern = _term_pattern(terms)
    resolver = _Resolver(provisions)
    links = []
    for provision in provisions:
        used = []
        if term_pattern is not None:
            seen = set()
            for match in term_pattern.finditer(provision["text"]):
                key = next(k for k, v in match.groupdict().items() if v is not None)
                defining = terms[key]
                if defining["id"] != provision["id"] and key not in seen:
                    seen.add(key)
                    used.append({"term": defining["term"], "citation": defining["citation"], "id": defining["id"]})
        links.append({"definitions_used": used, "cross_references": resolver.references(provision)})
    return links


def _defined_terms(provisions: list[dict]) -> dict[str, dict]:
    """Group name -> {term as printed, citation, id} of each term the statute defines (first definition kept)."""
    terms: dict[str, dict] = {}
    seen: set[str] = set()
    for provision in provisions:
        if provision["kind"] != "definition":
            continue
        term = defined_term(provision)
        if not term or term in seen or len(term) < 2:
            continue
        seen.add(term)
        printed = re.search(re.escape(term), provision["text"], re.IGNORECASE)
        terms[f"t{len(terms)}"] = {
            "term": printed.group(0) if printed else term,
            "citation": provision["citation"],
            "id": provision["id"],
        }
    return terms


def _term_pattern(terms: dict[str, dict]) -> re.Pattern | None:
    """One pattern for all terms, longest first, so that where terms overlap the longer one matches."""
    if not terms:
        return None
    alternatives = []
    for key, term in sorted(terms.items(), key=lambda item: -len(item[1]["term"])):
        words = r"\s+".join(re.escape(word) for word in term["term"].split())
        # A term defined with a capital ("Authority", "Cabinet Secretary") names that body; "authority" does not.
        flags = "" if term["term"][:1].isupper() else "(?i:"
        body = f"{flags}{words}(?:e?s)?{')' if flags else ''}"
        alternatives.append(f"(?P<{key}>{body})")
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])")


class _Resolver:
    """Resolves the references printed in a provision to provisions of the same statute."""

    def __init__(self, provisions: list[dict]):
        self.by_citation = {p["citation"]: p for p in reversed(provisions)}  # the first of equal citations
        # An item kept inside its provision ("s. 6(1)(ja)") is read in that provision.
        self.holding = {item["citation"]: p for p in reversed(provisions) for item in p.get("items", [])}
        # The first provision of each section and of each part split further ("Art. 24(1)" of "Art. 24(1)(a)").
        self.first_under: dict[str, dict] = {}
        for provision in provisions:
            self.first_under.setdefault(unit_citation(provision), provision)
            citation = provision["citation"]
            while (shorter := re.sub(rf"{_PARTS}$", "", citation)) != citation:
                self.first_under.setdefault(shorter, provision)
                citation = shorter
        prefixes = Counter(next((x for x in _UNIT_PREFIXES if unit_citation(p).startswith(x)), None) for p in provisions)
        prefixes.pop(None, None)
        self.section_prefix = next((x for x, _ in prefixes.most_common() if x != "Art."), "s.")

    def references(self, provision: dict) -> list[dict]:
        found, seen = [], set()
        text = provision["text"]
        if _AMENDING.search(text):
            return found
        for match in _REFERENCE.finditer(text):
            if _OTHER_LAW.match(text, match.end()) or _AFTER_OTHER_ACT.search(text, max(0, match.start() - 40), match.start()):
                continue
            word = match.group("word").lower()
            targets = [match.group("first")] + _MORE.findall(match.group("more") or "")
            for printed in targets:
                target = self._resolve(provision, word, re.sub(r"\s", "", printed))
                if target is None:
                    continue
                citation, resolved = target
                if resolved is not None and resolved["id"] == provision["id"]:
                    continue
                key = (citation, resolved["id"] if resolved else None)
                if key in seen:
                    continue
                seen.add(key)
                # "sections 23, 28 and 61": "sections 23", "28", "61"
                shown = f"{match.group('word')} {printed}" if printed == targets[0] else printed
                found.append({"text": shown, "citation": citation, "id": resolved["id"] if resolved else None})
        return found

    def _resolve(self, provision: dict, word: str, printed: str) -> tuple[str, dict | None] | None:
        """(the citation meant, the provision it resolves to or None), or None when it cannot be cited."""
        if printed.startswith("("):  # a subsection or paragraph of this section or article
            unit = unit_citation(provision)
            own = provision["citation"]
            candidates = [unit + printed]
            if word.startswith(("paragraph", "subparagraph")):
                # "paragraph (b)" in s. 12(2) is s. 12(2)(b); in s. 12(2)(a) it is s. 12(2)(b) too.
                parent = re.sub(rf"{_PARTS}$", "", own)
                candidates = [own + printed, parent + printed] + candidates
            for citation in candidates:
                resolved = self._find(citation)
                if resolved is not None:
                    return citation, resolved
            return candidates[-1], None
        if word.startswith(("paragraph", "subparagraph", "subsection", "sub-section")):
            # "paragraph 1 of this article" (treaty style): a numbered paragraph of this article.
            citation = f"{unit_citation(provision)}({printed})" if re.fullmatch(r"[0-9]{1,3}", printed) else None
            return (citation, self._find(citation)) if citation else None
        prefix = "Art." if word.startswith("art") else self.section_prefix
        number = re.match(r"[^(]+", printed).group(0)
        citation = f"{prefix} {number}{printed[len(number):]}"
        return citation, self._find(citation)

    def _find(self, citation: str) -> dict | None:
        """The provision cited, the first provision of the section or part cited, or the provision that holds the item cited."""
        return self.by_citation.get(citation) or self.first_under.get(citation) or self.holding.get(citation)
