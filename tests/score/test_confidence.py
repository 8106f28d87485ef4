"""The verdict rule: solid only with a high probability and a label that held up on unseen laws."""

from __future__ import annotations

import pytest

from provrisk.models.artifacts import load_model_dir
from provrisk.score.confidence import LabelRecord, label_records, rule_text, verdict
from provrisk.taxonomy import load_taxonomy

RELIABLE = LabelRecord(precision=0.7, flags=20)


@pytest.mark.parametrize(
    ("probability", "record", "expected"),
    [
        (0.80, RELIABLE, "solid"),
        (0.99, RELIABLE, "solid"),
        (0.79, RELIABLE, "check"),  # probability below the cut
        (0.99, LabelRecord(precision=0.59, flags=500), "check"),  # weak label: never solid
        (0.99, LabelRecord(precision=1.0, flags=9), "check"),  # too few held-out flags to know
        (0.80, LabelRecord(precision=0.6, flags=10), "solid"),  # every bound is inclusive
        (0.99, LabelRecord(precision=None, flags=None), "check"),  # not measured
    ],
)
def test_verdict_follows_the_rule(probability, record, expected):
    assert verdict(probability, record)[0] == expected


def test_each_verdict_says_which_part_of_the_rule_decided_it():
    assert verdict(0.95, RELIABLE)[1] == "p 0.95 is at least 0.80 and the label held up on unseen laws"
    assert verdict(0.5, RELIABLE)[1] == "p 0.50 is below 0.80"
    assert verdict(0.99, LabelRecord(0.41, 34))[1] == "the label's flags were right less than 60% of the time on unseen laws"
    assert verdict(0.99, LabelRecord(1.0, 2))[1] == "the label was measured on only 2 flags on unseen laws, fewer than 10"
    assert verdict(0.99, LabelRecord(None, None))[1] == "the label was not measured on unseen laws"
    assert "p ≥ 0.80" in rule_text() and "60%" in rule_text() and "10 flags" in rule_text()


def test_shipped_model_records_come_from_its_heldout_metrics():
    model = load_model_dir()
    records = label_records(model.metadata, load_taxonomy().ids)
    assert records["no_prior_judicial_authorisation"] == LabelRecord(precision=0.4118, flags=34)
    # Precision 1.0 on two flags is not a record to call anything solid on.
    assert not records["extraterritorial_jurisdiction"].reliable
    assert records["rights_safeguard"].reliable
    weak = {label for label, record in records.items() if record.precision < 0.6}
    assert weak and not any(records[label].reliable for label in weak)


def test_metadata_without_flag_counts_is_not_measured():
    metadata = {"heldout_metrics": {"per_label": {"surveillance_power": {"precision": 0.9}}}}
    assert label_records(metadata, ["surveillance_power", "secrecy_obligation"]) == {
        "surveillance_power": LabelRecord(None, None), "secrecy_obligation": LabelRecord(None, None)}
