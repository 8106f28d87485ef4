"""Language identification and the not-English warning."""

from __future__ import annotations

import pytest

from provrisk.ingest import ingest_bytes, ingest_file
from provrisk.ingest.language import detect_language

from .conftest import shared_text

ENGLISH = "A person who intentionally accesses a computer system without authorisation commits an offence and is liable to a fine."


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (ENGLISH, "en"),
        ("يعاقب بالسجن مدة لا تزيد على سنة وبغرامة لا تزيد على خمسمائة ألف ريال كل شخص يرتكب", "ar"),
        ("اس ایکٹ کو پاکستان میں الیکٹرانک جرائم کی روک تھام کا ایکٹ کہا جائے گا", "ur"),
        ("Оператор связи обязан хранить данные о соединениях абонентов в течение трех лет.", "und-Cyrl"),
        ("网络运营者应当按照网络安全等级保护制度的要求履行安全保护义务", "zh"),
        ("電気通信事業者は、通信の秘密を守らなければならない。", "ja"),
        ("Toute personne a droit au respect de sa vie privée et familiale, de son domicile et de sa correspondance.", "und-Latn"),
        ("Kila mtu ana haki ya uhuru wa maoni na kujieleza bila kuingiliwa na kutafuta habari.", "und-Latn"),
        ("Section 12 (3)", "und"),
        ("", "und"),
    ],
)
def test_detected_language(text, code):
    detected, confidence = detect_language(text)
    assert detected == code
    assert 0.0 <= confidence <= 1.0
    assert (confidence > 0.5) == (code != "und")


def test_english_document_has_no_language_warning():
    document = ingest_bytes(ENGLISH.encode(), "en.txt")
    assert (document.language, document.warnings) == ("en", [])


def test_non_english_document_gets_a_warning():
    french = "Toute personne a droit au respect de sa vie privée et familiale, de son domicile et de sa correspondance."
    document = ingest_bytes(french.encode(), "fr.txt")
    assert document.language == "und-Latn"
    assert document.warnings == [
        "language looks like a Latin-script language other than English (und-Latn), not English: "
        "provrisk's labels and models are trained on English text"
    ]


def test_budapest_convention_is_english_and_keeps_article_lines():
    document = ingest_file(shared_text("coe-budapest-convention-2001.txt"))
    assert document.language == "en"
    assert document.language_confidence > 0.9
    assert document.warnings == []
    assert "Article 20" in document.text.split("\n")
    assert sum(line.startswith("Article ") and line[8:].isdigit() for line in document.text.split("\n")) == 48


def test_saudi_law_in_arabic_is_flagged():
    document = ingest_file(shared_text("sau-anti-cyber-crime-law-2007-ar.txt"))
    assert document.language == "ar"
    assert document.warnings == [
        "language looks like Arabic (ar), not English: provrisk's labels and models are trained on "
        "English text"
    ]
