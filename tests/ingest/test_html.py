"""HTML ingestion: visible text only, block layout, title metadata, encodings."""

from __future__ import annotations

import pytest

from provrisk.errors import InputError
from provrisk.ingest import ingest_bytes, ingest_file

from .conftest import STATUTE_HTML


def test_visible_text_with_blocks_on_their_own_lines(statute_html):
    document = ingest_file(statute_html)

    assert document.format == "html"
    assert document.text == (
        "Cybercrime Act 2020\n"
        "\n"
        "12. Interception\n"
        "\n"
        "(1) A person shall not intercept a communication without a warrant.\n"
        "\n"
        '(2) The Minister may issue "interception directions".\n'
        "\n"
        "Offence | Penalty\n"
        "Interception | 5 years"
    )
    assert document.metadata == {"title": "Cybercrime Act 2020", "file_title": "Cybercrime Act 2020", "declared_language": "en"}


@pytest.mark.parametrize(
    "hidden",
    ["tracking code", "steal()", "color: red", "Home", "banner", "Enable JavaScript", "Search the site", "Copyright"],
)
def test_scripts_styles_navigation_forms_and_page_chrome_are_dropped(statute_html, hidden):
    assert hidden not in ingest_file(statute_html).text


def test_line_breaks_and_inline_markup():
    html = b"<html><body><p>First line<br>second <b>bold</b><i>italic</i> end</p><div>a</div> <div>b</div></body></html>"
    assert ingest_bytes(html, "inline.html").text == "First line\nsecond bolditalic end\n\na\nb"


def test_preformatted_text_keeps_its_lines():
    html = b"<html><body><pre>Section 1\n  (1) Text one.\n  (2) Text two.</pre></body></html>"
    assert ingest_bytes(html, "pre.html").text == "Section 1\n(1) Text one.\n(2) Text two."


def test_declared_charset_is_used():
    html = '<html><head><meta charset="windows-1252"><title>t</title></head><body><p>The Minister’s “power” to intercept – café</p></body></html>'
    document = ingest_bytes(html.encode("cp1252"), "legacy.html")
    assert document.text == "The Minister's \"power\" to intercept – café"
    assert document.warnings == []


def test_latin1_declaration_is_read_as_cp1252_like_browsers_do():
    html = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"></head><body><p>The Minister’s “power” to intercept – café</p></body></html>'
    assert ingest_bytes(html.encode("cp1252"), "latin.html").text == "The Minister's \"power\" to intercept – café"


def test_declared_codec_that_is_not_a_text_encoding_is_ignored():
    html = '<html><head><meta charset="base64"></head><body><p>A person shall not intercept a communication.</p></body></html>'
    assert ingest_bytes(html.encode(), "odd.html").text == "A person shall not intercept a communication."


def test_html_is_recognised_by_content_whatever_the_name():
    assert ingest_bytes(STATUTE_HTML.encode(), "download.txt").format == "html"


def test_xhtml_with_xml_declaration_is_read():
    xhtml = (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Section 1. Text.</p></body></html>'
    )
    assert ingest_bytes(xhtml.encode(), "page.xhtml").text == "Section 1. Text."


def test_page_with_only_scripts_has_no_text():
    with pytest.raises(InputError) as caught:
        ingest_bytes(b"<html><head><script>x()</script></head><body><nav>menu</nav></body></html>", "app.html")
    assert str(caught.value) == "app.html: no text found in this HTML file"


def test_hidden_elements_are_not_text():
    page = (b'<html><body><h2><span style="display: none">[PCh6s3]</span>3. Interpretation'
            b'<span style="font-size: 8pt; display:none !important">Act No. 19 of 1980 s. 3</span></h2>'
            b'<p hidden>draft note</p><p style="color: red">In this Act</p></body></html>')
    assert ingest_bytes(page, "act.html").text == "3. Interpretation\n\nIn this Act"
