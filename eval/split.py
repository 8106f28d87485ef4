"""The held-out test instruments: the one place every stage learns which instruments nothing may train on.

Input: ``eval/gold/sampling.yaml`` (``split.test``), fixed before any modelling.
Output: :func:`held_out_instruments`, the frozen set of their ids. Training, the
label model's fit and threshold tuning drop these instruments; only
``provrisk eval`` reads their gold (see ``eval/gold/README.md``).
"""

from __future__ import annotations

from functools import lru_cache

import yaml

from provrisk.eval.gold import GOLD_DIR

SAMPLING_PLAN = GOLD_DIR / "sampling.yaml"


@lru_cache(maxsize=1)
def held_out_instruments() -> frozenset[str]:
    plan = yaml.safe_load(SAMPLING_PLAN.read_text(encoding="utf-8"))
    return frozenset(plan["split"]["test"])
