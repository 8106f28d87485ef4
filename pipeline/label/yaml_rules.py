"""Labelling functions written in YAML (``configs/rules.yaml``), beside the Python ones.

Input: a rules file (the project setting ``rules_file``, ``PROVRISK_RULES_FILE``)
whose ``rules`` list gives, per rule, a versioned ``name``, the ``label`` it
votes on, its ``vote`` (positive or negative), a ``description``, its own cue
patterns (``phrases``, matched word for word regardless of case, and
``word_starts``, words beginning with those letters) and optionally cues of
:mod:`provrisk.label.cues` that must also match (``all_of``), must not
(``none_of``), and the provision ``kinds`` it applies to. Output: each rule
compiled into a cue ``rules:<label>.<name>`` and a labelling function
``<label>.<name>`` declared with :func:`~provrisk.label.framework.rule`, so it
is registered, versioned, voted, reported and used by models exactly like a
Python LF (:mod:`provrisk.label.functions` registers the file's rules on
import, in labelling, training and scoring alike). Its evidence is the words
its own patterns matched.

A bad file is one :class:`~provrisk.errors.ConfigError` naming the file, the
rule and the key: unknown keys, a label that is not a taxonomy id, a cue name
that does not exist, a name without a version, a rule without patterns.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from provrisk.config_files import invalid, read_yaml
from provrisk.errors import ConfigError
from provrisk.label.cues import CUES, WINDOW_CUES, WordStart, add_cue
from provrisk.label.framework import NEGATIVE, POSITIVE, LabellingFunction, rule
from provrisk.segment.provision import KINDS


class YamlRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9_]+\.v[0-9]+$")
    label: str
    vote: Literal["positive", "negative"]
    description: str = Field(min_length=1)
    phrases: list[str] = []
    word_starts: list[str] = []
    all_of: list[str] = []
    none_of: list[str] = []
    kinds: list[str] | None = None

    @field_validator("phrases", "word_starts")
    @classmethod
    def _no_blank_pattern(cls, patterns: list[str]) -> list[str]:
        if any(not pattern.strip() for pattern in patterns):
            raise ValueError("a pattern is blank")
        return [pattern.strip().lower() for pattern in patterns]

    @field_validator("all_of", "none_of")
    @classmethod
    def _known_cues(cls, names: list[str]) -> list[str]:
        unknown = [name for name in names if name not in CUES and name not in WINDOW_CUES]
        if unknown:
            raise ValueError(f"unknown cues {unknown}; the cue names are the keys of CUES and WINDOW_CUES in pipeline/label/cues.py")
        return names

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, kinds: list[str] | None) -> list[str] | None:
        unknown = sorted(set(kinds or ()) - set(KINDS))
        if unknown:
            raise ValueError(f"unknown provision kinds {unknown}; kinds are {', '.join(KINDS)}")
        return kinds


class RulesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[YamlRule] = []


def read_rules(path: Path) -> list[YamlRule]:
    """The rules of ``path``, validated (ConfigError naming the file, rule and key otherwise)."""
    from provrisk.taxonomy import load_taxonomy

    raw = read_yaml(path, "rules file not found (the setting rules_file, PROVRISK_RULES_FILE)")
    try:
        rules = RulesFile(**raw).rules if isinstance(raw, dict) else RulesFile(rules=raw).rules
    except ValidationError as exc:
        raise invalid(path, exc) from None
    known = set(load_taxonomy().ids)
    seen: set[str] = set()
    for number, item in enumerate(rules):
        if item.label not in known:
            raise ConfigError(f"{path}: rules.{number}.label: {item.label!r} is not a label id of configs/taxonomy.yaml")
        if not (item.phrases or item.word_starts):
            raise ConfigError(f"{path}: rules.{number} ({item.name}): give the rule its own phrases or word_starts")
        if (item.label, item.name) in seen:
            raise ConfigError(f"{path}: rules.{number}: {item.label}.{item.name} is given twice")
        seen.add((item.label, item.name))
    return rules


def register_rules(path: Path) -> list[LabellingFunction]:
    """Compile and register every rule of ``path`` (a cue and an LF each); returns the LFs."""
    registered = []
    for item in read_rules(path):
        cue = f"rules:{item.label}.{item.name}"
        add_cue(cue, [*item.phrases, *(WordStart(prefix) for prefix in item.word_starts)])
        registered.append(rule(
            item.name, item.label, POSITIVE if item.vote == "positive" else NEGATIVE, item.description,
            all_of=[cue, *item.all_of], none_of=item.none_of, kinds=item.kinds, evidence=[cue],
        ))
    return registered


def rules_digest(path: Path) -> str:
    """A digest of the rules' content ("" when the file has none), for the labelling config's fingerprint."""
    rules = read_rules(path)
    if not rules:
        return ""
    return hashlib.sha256("\n".join(item.model_dump_json() for item in rules).encode("utf-8")).hexdigest()
