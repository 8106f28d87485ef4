"""What the models read: layout-free text, so that a line break cannot change a score."""

from __future__ import annotations

import re
import sys

from hypothesis import given
from hypothesis import strategies as st

from provrisk.models.text import encoder_text, layout_free, model_records, model_text

PRINTED = "A person who, for the purposes of\nresearch, accesses a non-\nextendable  system\n\ncommits an offence."
ON_ONE_LINE = "A person who, for the purposes of research, accesses a non-extendable system commits an offence."


def test_line_breaks_and_space_runs_become_one_space_and_line_end_hyphens_join():
    assert layout_free(PRINTED) == ON_ONE_LINE
    assert layout_free(ON_ONE_LINE) == ON_ONE_LINE


def test_dashes_and_numbers_at_line_ends_keep_their_space():
    assert layout_free("requires—\n(a) data;\n2020 -\n2021") == "requires— (a) data; 2020 - 2021"


# Every character Python counts as whitespace, and characters next to them that are not.
_WHITESPACE = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
_LAYOUT_TEXT = st.text(alphabet=st.sampled_from(_WHITESPACE + list("aZé1_-—(. ")), max_size=40)


@given(_LAYOUT_TEXT)
def test_layout_free_is_the_regular_expression_it_replaces(text):
    # The definition layout_free was first written as (kept here as the reference it must equal).
    hyphen = re.compile(r"(?<=[^\W\d_])-[ \t]*\n\s*(?=[^\W\d_])")
    assert layout_free(text) == re.sub(r"\s+", " ", hyphen.sub("-", text)).strip()


def test_model_records_make_text_heading_context_and_definitions_layout_free():
    record = {"id": "x", "text": PRINTED, "heading": "Unauthorised\naccess", "context": None,
              "defined_terms": {"computer\nsystem": "means a\ndevice"}}
    assert model_records([record]) == [{"id": "x", "text": ON_ONE_LINE, "heading": "Unauthorised access", "context": None,
                                        "defined_terms": {"computer system": "means a device"}}]
    assert record["text"] == PRINTED  # a copy: the caller's record keeps the statute's layout


def test_a_statutes_shared_definitions_are_made_layout_free_once_for_all_its_provisions():
    definitions = {"computer\nsystem": "means a\ndevice"}
    other = {"data": "means\nfacts"}
    first, second, third = model_records([{"text": "a", "defined_terms": definitions},
                                          {"text": "b", "defined_terms": definitions},
                                          {"text": "c", "defined_terms": other}])
    assert first["defined_terms"] is second["defined_terms"] == {"computer system": "means a device"}
    assert third["defined_terms"] == {"data": "means facts"}


def test_the_same_provision_printed_two_ways_reads_the_same():
    printed = {"text": PRINTED, "heading": "Unauthorised\naccess"}
    joined = {"text": ON_ONE_LINE, "heading": "Unauthorised access"}
    assert model_text(printed) == model_text(joined)
    assert encoder_text(printed) == encoder_text(joined)
