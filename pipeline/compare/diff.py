"""Diff two versions of a law: pair their provisions, show what changed in words and in risk.

Input: the statute report of the old version, the reports of the new version
(one, or several when a law was split into successor acts) and a
:class:`~provrisk.compare.config.CompareConfig`. Output: the diff document,
the stable JSON contract of ``provrisk diff --format json`` (documented in the
README)::

    {"schema", "old": {id, title}, "new": [{id, title}],
     "pairs": [{"old", "new", "new_instrument", "status", "similarity", "old_heading", "new_heading",
                "labels_added", "labels_removed", "triggers_added", "triggers_removed",
                "words_added", "words_removed", "word_diff", "old_text", "new_text", "part"}],
     "summary": {"risk_index_old", "risk_index_new", "statuses": {status: n},
                 "labels_gained": {label: n}, "labels_lost": {label: n},
                 "parts": [{"part", "labels_gained", "labels_lost"}]}}

Pairing: every old provision is compared with every new one by a weighted
similarity of their words (the provision's own, and its whole section's, so
that look-alike penalty subsections pair inside their own sections), plus the
agreement of their headings and a bonus for the same citation (when there is
one new text). The best one-to-one assignment (Hungarian algorithm) above
``pair_threshold`` pairs provisions whose own words are at least half that
alike (context chooses among candidates, it does not make a pair); a further
new provision most of whose words come from a paired old one makes that old
provision ``split``, and a further old provision most of whose words a paired
new one holds is ``merged``, each only when it carries a piece of the rule the
others lack (``part_share``). A penalty subsection ("A person who contravenes
subsection (1) ...") is compared with the words of the subsection it punishes,
and stays with the old rule that subsection replaces; old and new penalty
subsections that pair pair their offence subsections too. Statuses: unchanged,
renumbered (same words, other citation), modified, split, merged, added, removed.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter

import numpy as np
from scipy.optimize import linear_sum_assignment

from provrisk.compare.config import CompareConfig
from provrisk.compare.similarity import comparable_text, similarity_matrix
from provrisk.compare.instruments import require_assessed
from provrisk.compare.units import section_texts, unit_citation
from provrisk.score.report import statute_profile
from provrisk.taxonomy import load_taxonomy

DIFF_SCHEMA = "provrisk.diff/1"
STATUSES = ("unchanged", "renumbered", "modified", "split", "merged", "added", "removed")
_WORD = re.compile(r"\w+(?:[’'.]\w+)*|[^\w\s]")
_CONTENT_WORD = re.compile(r"[a-z]{3,}")
_LAST_SUBSECTION = re.compile(r"\((\w+)\)$")
_PENALTY_CLAUSE = re.compile(
    r"^\W*(?:\(\w{1,4}\)\s*)?(?:a|an|any) (?:[\w-]+ ){0,5}?(?:who contravenes|who fails to comply with|who commits an offen[cs]e under|"
    r"(?:who is )?convicted of an offen[cs]e under) "
    r"sub-?sections?\s+((?:\(\w{1,4}\)(?:\s*,\s*|\s+or\s+|\s+and\s+)?)+)",
    re.I,
)
_PENALTY = re.compile(r"liable,? (?:up)?on conviction|the penalty is", re.I)
# A preamble states purposes, not rules; everything else a version changes is compared (lead-ins too).
_SKIPPED_KINDS = ("preamble",)


def diff_reports(old: dict, new: list[dict], config: CompareConfig) -> dict:
    """The diff document of ``old`` against ``new`` (one or more statute reports)."""
    require_assessed(old, *new)
    old_provisions = _compared(old)
    new_provisions = [(report, p) for report in new for p in _compared(report)]
    similarity, words = _pair_scores(old, new, config)
    # The sections' and headings' agreement chooses among candidates; it does not make a pair of
    # provisions whose own words are not even half as alike as a pair must be.
    candidates = np.where(words >= config.diff.pair_threshold / 2, similarity, 0.0)
    links = _links(old_provisions, [p for _, p in new_provisions], candidates, config)
    pairs = []
    linked_new: set[int] = set()
    for i, provision in enumerate(old_provisions):
        partners = links.get(i, [])
        if not partners:
            pairs.append(_pair(provision, None, None, "removed", 0.0))
            continue
        for j, status in partners:
            report, partner = new_provisions[j]
            linked_new.add(j)
            pairs.append(_pair(provision, partner, report, status, float(similarity[i, j])))
    for j, (report, provision) in enumerate(new_provisions):
        if j not in linked_new:
            pairs.append(_pair(None, provision, report, "added", 0.0))
    return {
        "schema": DIFF_SCHEMA,
        "old": {"id": old["instrument"]["id"], "title": old["instrument"]["title"]},
        "new": [{"id": r["instrument"]["id"], "title": r["instrument"]["title"]} for r in new],
        "method": {"similarity": config.similarity, "pair_threshold": config.diff.pair_threshold},
        "pairs": pairs,
        "summary": _summary(old, new, pairs),
    }


def pair_similarity(old: dict, new: list[dict], config: CompareConfig) -> np.ndarray:
    """Old provisions x new provisions (compared kinds, in order): the pairing score."""
    return _pair_scores(old, new, config)[0]


def _pair_scores(old: dict, new: list[dict], config: CompareConfig) -> tuple[np.ndarray, np.ndarray]:
    """The pairing score and, within it, the similarity of the provisions' own words (with penalties' offences)."""
    old_provisions = _compared(old)
    new_provisions = [p for report in new for p in _compared(report)]
    if not old_provisions or not new_provisions:
        empty = np.zeros((len(old_provisions), len(new_provisions)))
        return empty, empty
    old_sections = section_texts(old)
    new_sections = {k: v for report in new for k, v in section_texts(report).items()}
    new_texts = [t for report in new for t in rule_texts(_compared(report))]
    words = similarity_matrix(rule_texts(old_provisions), new_texts, config.similarity)
    sections = similarity_matrix(
        [old_sections[p["id"]] for p in old_provisions], [new_sections[p["id"]] for p in new_provisions], config.similarity
    )
    headings = similarity_matrix(
        [p.get("heading") or "" for p in old_provisions], [p.get("heading") or "" for p in new_provisions], config.similarity
    )
    weight = config.diff.heading_weight
    section = config.diff.section_weight
    score = (1 - weight) * ((1 - section) * words + section * sections) + weight * headings
    if len(new) == 1:
        same = np.array([[a["citation"] == b["citation"] for b in new_provisions] for a in old_provisions], dtype=float)
        score = score + config.diff.same_citation_bonus * same
    return np.clip(score, 0.0, 1.0), words


def rule_texts(provisions: list[dict]) -> list[str]:
    """Each provision's words, a penalty subsection's preceded by those of the subsections it punishes.

    "(2) A person who contravenes subsection (1) commits an offence and is liable to ..." reads
    alike in every section; with its subsection (1) it is the rule the old version wrote in one
    sentence ("A person who [conduct] commits an offence and is liable to ...").
    """
    by_subsection = {(_unit_key(p), _subsection(p)): p["text"] for p in provisions}
    texts = []
    for provision in provisions:
        punished = [by_subsection.get((_unit_key(provision), r)) for r in _penalty_references(provision["text"])]
        texts.append("\n".join([t for t in punished if t] + [provision["text"]]))
    return texts


def _unit_key(provision: dict) -> str:
    """The section a provision belongs to, with its instrument (a law split in two has two s. 3)."""
    return provision["id"].split(":")[0] + "@" + unit_citation(provision)


def _compared(report: dict) -> list[dict]:
    return [p for p in report["provisions"] if p["kind"] not in _SKIPPED_KINDS]


def _links(old: list[dict], new: list[dict], similarity: np.ndarray, config: CompareConfig) -> dict[int, list[tuple[int, str]]]:
    """Per old provision index: the new provision indexes that carry its rule, with the status."""
    threshold = config.diff.pair_threshold
    links: dict[int, list[tuple[int, str]]] = {}
    if not similarity.size:
        return links
    rows, columns = linear_sum_assignment(-similarity)
    paired_new: dict[int, int] = {}
    for i, j in zip(rows, columns):
        if similarity[i, j] >= threshold:
            paired_new[j] = i
            links[i] = [(j, _one_to_one_status(old[i], new[j]))]
    old_words = [_content_words(t) for t in rule_texts(old)]
    new_words = [_content_words(t) for t in rule_texts(new)]
    containment = config.diff.part_containment
    new_units = [_unit_key(p) for p in new]
    old_units = [_unit_key(p) for p in old]
    # A further new provision whose words mostly come from an old one paired with its own section
    # (or, failing that, from the old provision most like it): the old rule was split.
    for j in range(len(new)):
        if j in paired_new or not new_words[j]:
            continue
        # The old rule whose successor stands in the same new section comes first (a penalty
        # subsection split off its offence); any other needs stronger evidence.
        siblings = {paired_new[k] for k in paired_new if new_units[k] == new_units[j]}
        i = _part_of(new_words[j], siblings, old_words, config.diff.sibling_containment)
        if i is None:
            best = int(np.argmax(similarity[:, j]))
            i = best if best in links and similarity[best, j] >= threshold / 2 else None
            i = _part_of(new_words[j], {i} if i is not None else set(), old_words, containment)
        if i is not None and _piece(old[i], new[j], [new[k] for k, _ in links[i]]) >= config.diff.part_share:
            links[i].append((j, "split"))
    _attach_penalty_clauses(links, old, new)
    for i, partners in links.items():
        if len(partners) > 1:
            links[i] = [(j, "split") for j, _ in partners]
    # A further old provision whose words a new one paired with its own section (or the new one
    # most like it) mostly holds: merged into it.
    old_pairs = {i: [j for j, _ in partners] for i, partners in links.items()}
    merged: dict[int, list[int]] = {}
    for i in range(len(old)):
        if i in links or not old_words[i]:
            continue
        siblings = {j for k, js in old_pairs.items() if old_units[k] == old_units[i] for j in js if j in paired_new}
        j = _part_of(old_words[i], siblings, new_words, config.diff.sibling_containment)
        if j is None:
            best = int(np.argmax(similarity[i]))
            j = best if best in paired_new and similarity[i, best] >= threshold / 2 else None
            j = _part_of(old_words[i], {j} if j is not None else set(), new_words, containment)
        # ... when it brings words of its own: a near-duplicate of the paired old provision is not.
        carriers = [old[k] for k, js in old_pairs.items() if j in js] + [old[k] for k in merged.get(j, [])]
        if j is not None and _piece(old[i], new[j], carriers) >= config.diff.part_share:
            merged.setdefault(j, []).append(i)
            links[i] = [(j, "merged")]
            first = paired_new[j]
            links[first] = [(k, "merged" if k == j else status) for k, status in links[first]]
    return links


def _attach_penalty_clauses(links: dict[int, list[tuple[int, str]]], old: list[dict], new: list[dict]) -> None:
    """Keep a new penalty subsection with the old rule its offence subsection replaces.

    A new version often splits "A person who [conduct] commits an offence and is liable
    to [penalty]" into "(1) A person shall not [conduct]" and "(2) A person who contravenes
    subsection (1) commits an offence and is liable to [penalty]". Penalty subsections look
    alike across a statute, so word similarity pairs them with any old penalty; their
    reference says which rule they belong to. A penalty subsection goes with the old
    provisions its offence subsections carry; when none carries them, its offence
    subsections go with the old provision it was paired with.
    """
    owners: dict[int, list[int]] = {}
    for i, partners in links.items():
        for j, _ in partners:
            owners.setdefault(j, []).append(i)
    by_subsection = {(_unit_key(p), _subsection(p)): j for j, p in enumerate(new)}
    old_subsection = {(_unit_key(p), _subsection(p)): i for i, p in enumerate(old)}
    for j, provision in enumerate(new):
        referenced = _penalty_references(provision["text"])
        if not referenced:
            continue
        offences = [by_subsection[key] for key in ((_unit_key(provision), r) for r in referenced) if key in by_subsection]
        carried = list(dict.fromkeys(i for k in offences for i in owners.get(k, []) if _carries_penalty(old[i])))
        if carried:
            for i in owners.get(j, []):
                if i not in carried:
                    links[i] = [(k, status) for k, status in links[i] if k != j]
                    if not links[i]:
                        del links[i]
            for i in carried:
                if all(k != j for k, _ in links[i]):
                    links[i].append((j, "split"))
            continue
        for i in owners.get(j, []):
            if not _carries_penalty(old[i]):
                continue
            # An old penalty subsection too: its offence subsection, left unpaired, is the rule the
            # new offence subsections carry ("(1) shall not use ..." with "(1) shall not use, make ...").
            old_references = _penalty_references(old[i]["text"])
            if old_references:
                old_offences = [old_subsection[key] for key in ((_unit_key(old[i]), r) for r in old_references)
                                if key in old_subsection and old_subsection[key] not in links]
                free = [k for k in offences if k not in owners]
                if len(old_offences) == 1 and free:
                    o = old_offences[0]
                    links[o] = [(k, _one_to_one_status(old[o], new[k]) if len(free) == 1 else "split") for k in free]
                    for k in free:
                        owners[k] = [o]
                continue
            # A rule with its own penalty: the offence subsections the new penalty punishes carry it
            # too, even where one also carries another old provision (a definition of the conduct).
            links[i].extend((k, "split") for k in offences if all(k != m for m, _ in links[i]))


def _subsection(provision: dict) -> str | None:
    match = _LAST_SUBSECTION.search(provision["citation"])
    return match.group(1) if match else None


def _penalty_references(text: str) -> list[str]:
    """The subsections a penalty clause ("A person who contravenes subsection (1) or (2) ...") names."""
    match = _PENALTY_CLAUSE.match(text)
    return re.findall(r"\((\w+)\)", match.group(1)) if match else []


def _carries_penalty(provision: dict) -> bool:
    return bool(_PENALTY.search(provision["text"]))


def _part_of(words: Counter, candidates: set[int], wholes: list[Counter], needed: float) -> int | None:
    """The candidate whose words hold the largest share of ``words``, if that share is at least ``needed``."""
    best = max(candidates, key=lambda c: _containment(words, wholes[c]), default=None)
    return best if best is not None and _containment(words, wholes[best]) >= needed else None


def _piece(subject: dict, target: dict, others: list[dict]) -> float:
    """The share of ``subject``'s own words that ``target`` holds and none of ``others`` does.

    Each part of a split or merge carries a substantial piece of the rule: a further new provision
    whose words of the old rule the paired ones already hold (a neighbour that reuses the same
    vocabulary) is no part of a split, and an old provision whose words in the new one its paired
    old partner already brings (a near-duplicate elsewhere in the old act) is no part of a merge.
    """
    words = _content_words(subject["text"])
    held: Counter = Counter()
    for other in others:
        held |= _content_words(other["text"])
    there = _content_words(target["text"])
    total = sum(words.values())
    return sum(min(n, there[w]) - min(n, there[w], held[w]) for w, n in words.items()) / total if total else 0.0


def _one_to_one_status(old: dict, new: dict) -> str:
    if comparable_text(old["text"]) != comparable_text(new["text"]):
        return "modified"
    return "unchanged" if old["citation"] == new["citation"] else "renumbered"


def _content_words(text: str) -> Counter:
    return Counter(_CONTENT_WORD.findall(comparable_text(text)))


def _containment(part: Counter, whole: Counter) -> float:
    """The share of ``part``'s words (with repeats) that ``whole`` also has."""
    total = sum(part.values())
    return sum(min(n, whole[w]) for w, n in part.items()) / total if total else 0.0


def word_diff(old_text: str, new_text: str) -> list[tuple[str, str]]:
    """The two texts as runs of ("equal" | "delete" | "insert", words), in reading order."""
    old_words, new_words = _WORD.findall(old_text), _WORD.findall(new_text)
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=[w.lower() for w in old_words], b=[w.lower() for w in new_words], autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("equal", _join(new_words[b0:b1])))
            continue
        if a1 > a0:
            runs.append(("delete", _join(old_words[a0:a1])))
        if b1 > b0:
            runs.append(("insert", _join(new_words[b0:b1])))
    return runs


def _join(tokens: list[str]) -> str:
    """Words as a reader writes them: no space before closing punctuation or after an opening bracket."""
    return re.sub(r"\s+([.,;:)\]’”])|([(\[‘“])\s+", lambda m: m.group(1) or m.group(2), " ".join(tokens))


def _pair(old: dict | None, new: dict | None, new_report: dict | None, status: str, similarity: float) -> dict:
    old_labels = old["labels"] if old else []
    new_labels = new["labels"] if new else []
    added = [label for label in new_labels if label not in old_labels]
    removed = [label for label in old_labels if label not in new_labels]
    runs = word_diff(old["text"] if old else "", new["text"] if new else "")
    return {
        "old": old["citation"] if old else None,
        "new": new["citation"] if new else None,
        "new_instrument": new_report["instrument"]["id"] if new_report else None,
        "status": status,
        "similarity": round(similarity, 4),
        "old_heading": (old.get("heading") or "") if old else "",
        "new_heading": (new.get("heading") or "") if new else "",
        "part": _part(old or new),
        "labels_added": added,
        "labels_removed": removed,
        # the words that made the model or a rule raise the label, in the version that carries it
        "triggers_added": {label: new["evidence"].get(label, []) for label in added},
        "triggers_removed": {label: old["evidence"].get(label, []) for label in removed},
        "words_added": [words for op, words in runs if op == "insert"],
        "words_removed": [words for op, words in runs if op == "delete"],
        "word_diff": [list(run) for run in runs],
        "old_text": old["text"] if old else "",
        "new_text": new["text"] if new else "",
    }


def _part(provision: dict) -> str:
    """The Part or Chapter a provision sits in (its outermost division), or "" for none."""
    path = provision.get("path") or []
    first = path[0] if path else ""
    return first if re.match(r"^(Part|Chapter|Title|Division|Schedule)\b", first, re.IGNORECASE) else ""


def _summary(old: dict, new: list[dict], pairs: list[dict]) -> dict:
    label_ids = load_taxonomy().ids
    new_provisions = [p for report in new for p in report["provisions"]]
    gained: Counter = Counter(label for pair in pairs for label in pair["labels_added"])
    lost: Counter = Counter(label for pair in pairs for label in pair["labels_removed"])
    parts: dict[str, dict] = {}
    for pair in pairs:
        entry = parts.setdefault(pair["part"], {"part": pair["part"], "labels_gained": Counter(), "labels_lost": Counter()})
        entry["labels_gained"].update(pair["labels_added"])
        entry["labels_lost"].update(pair["labels_removed"])
    return {
        "risk_index_old": old["profile"]["risk_index"],
        "risk_index_new": new[0]["profile"]["risk_index"] if len(new) == 1 else statute_profile(new_provisions, label_ids)["risk_index"],
        "statuses": {status: sum(1 for p in pairs if p["status"] == status) for status in STATUSES},
        "labels_gained": dict(gained),
        "labels_lost": dict(lost),
        "parts": [
            {"part": e["part"], "labels_gained": dict(e["labels_gained"]), "labels_lost": dict(e["labels_lost"])}
            for e in parts.values()
            if e["labels_gained"] or e["labels_lost"]
        ],
    }
