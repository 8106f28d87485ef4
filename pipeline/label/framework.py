"""Labelling functions (LFs): what they see, what they return, and the registry.

An LF looks at one provision (:class:`ProvisionInput`) and votes on one label:
+1 (the label applies), -1 (it does not) or 0 (abstain), with the character
spans of the provision text that made it vote. Each LF has a versioned name
(``vague_offence_terms.wrongfulness_term.v1``) under which it is registered;
the modules in :mod:`provrisk.label.functions` (one per label) register them.

Most LFs are declared with :func:`rule`: cues that must, may or must not
match (see :mod:`provrisk.label.cues`), the provision kinds the rule applies
to, and an optional predicate for what cues cannot say.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

POSITIVE, NEGATIVE, ABSTAIN = 1, -1, 0
Span = tuple[int, int]


@dataclass
class ProvisionInput:
    """One provision as LFs see it.

    ``cues`` are the cue matches in ``text``; ``context_cues`` those in
    ``context`` (the heading and lead-in words above the provision), used for
    scope tests only: evidence always quotes the provision's own text. Both are
    read-only: provisions under the same context share one ``context_cues``.
    ``defined_terms`` maps each term the same instrument defines to its
    definition text.
    """

    id: str
    text: str
    kind: str = "operative"
    heading: str = ""
    context: str = ""
    instrument_kind: str = "statute"
    defined_terms: dict[str, str] = field(default_factory=dict)
    cues: dict[str, list[Span]] = field(default_factory=dict)
    context_cues: dict[str, list[Span]] = field(default_factory=dict)

    def has(self, *names: str) -> bool:
        """One of the cues ``names`` matched in the provision."""
        return not self.cues.keys().isdisjoint(names)

    def in_scope(self, *names: str) -> bool:
        """One of the cues ``names`` matched in the provision or in the words above it."""
        return not (self.cues.keys().isdisjoint(names) and self.context_cues.keys().isdisjoint(names))

    def spans(self, *names: str) -> list[Span]:
        return sorted(span for name in names for span in self.cues.get(name, []))

    def quote(self, span: Span) -> str:
        return self.text[span[0] : span[1]]


@dataclass(frozen=True)
class Vote:
    vote: int
    spans: tuple[Span, ...] = ()


ABSTAINED = Vote(ABSTAIN)


@dataclass(frozen=True)
class LabellingFunction:
    name: str
    label: str
    polarity: int  # the vote it casts when it does not abstain
    description: str
    decide: Callable[[ProvisionInput], list[Span] | None]  # None = abstain, list = vote with these spans

    def __call__(self, provision: ProvisionInput) -> Vote:
        spans = self.decide(provision)
        if spans is None:
            return ABSTAINED
        return Vote(self.polarity, tuple(spans))


REGISTRY: dict[str, LabellingFunction] = {}


def register(lf: LabellingFunction) -> LabellingFunction:
    if lf.name in REGISTRY:
        raise ValueError(f"labelling function {lf.name} registered twice")
    if not lf.name.startswith(f"{lf.label}.") or not lf.name.rsplit(".", 1)[-1].startswith("v"):
        raise ValueError(f"{lf.name}: names are '<label>.<name>.v<version>'")
    REGISTRY[lf.name] = lf
    return lf


def rule(
    name: str,
    label: str,
    polarity: int,
    description: str,
    *,
    all_of: Iterable[str] = (),
    any_of: Iterable[str] = (),
    none_of: Iterable[str] = (),
    scope: Iterable[str] = (),
    kinds: Iterable[str] | None = None,
    where: Callable[[ProvisionInput], bool] | None = None,
    evidence: Iterable[str] | None = None,
) -> LabellingFunction:
    """Declare and register an LF from cue conditions.

    The LF votes ``polarity`` when every ``all_of`` cue and at least one
    ``any_of`` cue match the text, no ``none_of`` cue does, one ``scope`` cue
    matches the text or its context, the provision's kind is in ``kinds`` and
    ``where`` holds; otherwise it abstains. Evidence is the spans of the
    ``evidence`` cues (default: ``all_of`` and ``any_of``).
    """
    all_of, any_of, none_of, scope = tuple(all_of), tuple(any_of), tuple(none_of), tuple(scope)
    kinds = tuple(kinds) if kinds is not None else None
    evidence = tuple(evidence) if evidence is not None else all_of + any_of
    required = frozenset(all_of)

    # Every LF runs on every provision: the cue tests are set operations on the matched cue names.
    def decide(p: ProvisionInput) -> list[Span] | None:
        if kinds is not None and p.kind not in kinds:
            return None
        if not p.cues.keys() >= required:
            return None
        if any_of and not p.has(*any_of):
            return None
        if none_of and p.has(*none_of):
            return None
        if scope and not p.in_scope(*scope):
            return None
        if where is not None and not where(p):
            return None
        return p.spans(*evidence)

    return register(LabellingFunction(f"{label}.{name}", label, polarity, description, decide))


def custom(name: str, label: str, polarity: int):
    """Register a hand-written LF: decorate ``f(p) -> list[Span] | None``; its docstring describes it."""

    def wrap(decide: Callable[[ProvisionInput], list[Span] | None]) -> LabellingFunction:
        description = " ".join((decide.__doc__ or "").split())
        return register(LabellingFunction(f"{label}.{name}", label, polarity, description, decide))

    return wrap
