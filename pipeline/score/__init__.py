"""Scoring a whole statute: ingest -> segment -> predict -> a statute report document."""

from provrisk.score.report import REPORT_SCHEMA, score_document, score_ingested, score_provisions

__all__ = ["REPORT_SCHEMA", "score_document", "score_ingested", "score_provisions"]
