"""Cue matching: the windowed cues ("may require ... intent") match as their token patterns would."""

from __future__ import annotations

from provrisk.label.cues import match_cues, tokenizer


def _spans(text: str, cue: str) -> list[str]:
    return [text[start:end] for start, end in match_cues(tokenizer()(text)).get(cue, [])]


def test_window_cue_runs_from_the_anchor_to_the_last_target_word_in_the_window():
    text = "A State Party may require that the offence be committed with intent to defraud or with dishonest intent."
    assert _spans(text, "state_may_require_intent") == [
        "may require that the offence be committed with intent to defraud or with dishonest intent"
    ]


def test_window_cue_allows_at_most_twenty_tokens_between_anchor_and_target():
    filler = " ".join(["word"] * 21)
    assert _spans(f"Each Party may require {filler} intent.", "state_may_require_intent") == []
    near = " ".join(["word"] * 20)
    assert _spans(f"Each Party may require {near} intent.", "state_may_require_intent")


def test_reservation_form_and_no_match_without_a_target():
    assert _spans("Each Party may reserve the right to require serious harm.", "state_may_require_intent") == [
        "reserve the right to require serious harm"
    ]
    assert _spans("The court may require the production of documents.", "state_may_require_intent") == []


def test_multi_step_window_cue_reaches_the_furthest_completion():
    text = "A judge of the High Court may, on application by an authorised officer, issue a warrant."
    assert _spans(text, "judicial_grant")[0] == "judge of the High Court may, on application by an authorised officer, issue"
    # "may" follows, but no granting verb within eight tokens of it: only the phrase cue "court may" matches
    far = "The court may consider the matter with the parties and the officers and the records before it decides."
    assert _spans(far, "judicial_grant") == ["court may"]


def test_word_start_matches_whole_words_that_begin_with_the_letters():
    text = "Defamatory words, a defamation suit and an undefamed man; glorifies."
    assert _spans(text, "elastic_content_term") == ["Defamatory", "defamation", "glorifies"]


def test_number_then_a_period_unit():
    text = "kept for 3 years, or 1,000 days, or ninety days, but not for years"
    assert _spans(text, "retention_period") == ["3 years", "1,000 days", "ninety days"]


def test_hyphenated_and_spaced_forms_of_a_phrase_and_a_one_word_phrase():
    assert _spans("real-time or real time collection", "real_time_collection") == ["real-time", "real time"]
    assert _spans("using ICT, not ICTs", "ict_means") == ["ICT"]
    assert _spans("Whoever commits", "offence") == ["Whoever"]
