"""Helpers for segmentation tests."""

from provrisk.segment import segment_statute


def citations(text: str, **kwargs) -> list[str]:
    return [p.citation for p in segment_statute(text, "test", **kwargs)]


def by_citation(text: str, **kwargs) -> dict:
    return {p.citation: p for p in segment_statute(text, "test", **kwargs)}
