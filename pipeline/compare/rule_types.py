"""What kind of rule a provision or a treaty article lays down: an offence, an investigative power, or cooperation.

Input: the words of a national-law provision (with its heading, lead-in and
section) or of a treaty article. Output: ``"offence"``, ``"power"``,
``"cooperation"`` or ``"other"``.

Alignment uses agreement of kinds as evidence beside word similarity
(:func:`provrisk.compare.align.combine`): an offence section that mentions
"interception" implements the illegal-interception article, not the
real-time-interception power, though both share most of their words.
Treaties say what an article is in set phrases ("establish as criminal
offences", "empower its competent authorities", "the requested Party"), so
articles are typed by those; national laws by the phrases that create an
offence, grant a power or govern a foreign request.
"""

from __future__ import annotations

import re

RULE_TYPES = ("offence", "power", "cooperation", "other")

_ARTICLE_OFFENCE = re.compile(
    r"establish as (?:a )?criminal offen[cs]es?|make it a criminal offen[cs]e|criminali[sz](?:e|ing|ation)|"
    r"criminal offen[cs]es? (?:under|in) its domestic law|legal persons? (?:can|shall) be held liable|"
    r"punishable by effective, proportionate",
    re.I,
)
_ARTICLE_COOPERATION = re.compile(
    r"requesting (?:state|party)|requested (?:state|party)|mutual (?:legal )?assistance|extradit|"
    r"point of contact|24/7|another (?:state )?party|co-?operate with each other|international co-?operation",
    re.I,
)
_ARTICLE_POWER = re.compile(
    r"empower its competent authorities|competent authorities (?:to|may)|procedural (?:powers|measures|provisions)|"
    r"conditions and safeguards|criminal investigations? or proceedings",
    re.I,
)

# "Offense of Illicit Access" (Arab Convention): the heading names the offence, the words only the conduct.
_OFFENCE_HEADING = re.compile(r"^\s*offen[cs]es?\b", re.I)

_LAW_COOPERATION = re.compile(
    r"mutual (?:legal )?assistance|foreign (?:state|country|government|law enforcement|request)|"
    r"requesting (?:state|party|country)|requested (?:state|party)|extradit|international co-?operation|24/7",
    re.I,
)
_LAW_OFFENCE = re.compile(
    r"commits? an offen[cs]e|guilty of an offen[cs]e|liable,? (?:up)?on conviction|shall be punished|punishable|"
    r"imprisonment|an offen[cs]e under",
    re.I,
)
_LAW_POWER = re.compile(
    r"warrant|\border\b|may (?:apply|require|direct|authori[sz]e|order)|police officer|investigat|law enforcement|"
    r"seiz|search|preserv|production|real.time|collect|intercept",
    re.I,
)


def article_type(heading: str, text: str) -> str:
    """The kind of rule a treaty article (its heading and words) lays down."""
    if _ARTICLE_OFFENCE.search(text) or _OFFENCE_HEADING.search(heading):
        return "offence"
    if _ARTICLE_COOPERATION.search(text):
        return "cooperation"
    if _ARTICLE_POWER.search(text):
        return "power"
    return "other"


def agreement(provision_kind: str, article_kind: str) -> float:
    """1 when both kinds are known and equal, 0 when both are known and differ, 0.5 when either is unknown."""
    if "other" in (provision_kind, article_kind):
        return 0.5
    return 1.0 if provision_kind == article_kind else 0.0


def provision_type(text: str) -> str:
    """The kind of rule a national-law provision (heading, lead-in and words) lays down."""
    for kind, pattern in (("cooperation", _LAW_COOPERATION), ("offence", _LAW_OFFENCE), ("power", _LAW_POWER)):
        if pattern.search(text):
            return kind
    return "other"
