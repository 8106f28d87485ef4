"""Akoma Ntoso ingestion: hierarchy rendered as segmenter-friendly lines; unsafe XML refused."""

from __future__ import annotations

import codecs
import time

import pytest

from provrisk.errors import InputError
from provrisk.ingest import ingest_bytes, ingest_file

from .conftest import AKN_ACT, AKN_ACT_TEXT, XXE_XML

ENTITY_REFUSAL = "XML with entity declarations (DTD) refused"


def test_act_hierarchy_is_rendered_as_lines(akn_act):
    document = ingest_file(akn_act)
    assert document.format == "akn"
    assert document.text == AKN_ACT_TEXT


def test_frbr_identification_goes_into_metadata(akn_act):
    metadata = ingest_file(akn_act).metadata
    assert metadata["title"] == "Computer Misuse and Cybercrimes Act"
    assert metadata["country"] == "ke"
    assert metadata["date"] == "2018-05-16"
    assert metadata["declared_language"] == "eng"
    assert metadata["frbr_uri"] == "/akn/ke/act/2018/5/!main"


def test_authorial_notes_stay_out_of_the_text(akn_act):
    assert "Amended by Act 2 of 2020" not in ingest_file(akn_act).text


def test_document_without_namespace_is_read():
    plain = AKN_ACT.replace(' xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"', "")
    assert ingest_bytes(plain.encode(), "plain.xml").text == AKN_ACT_TEXT


def test_treaty_articles_get_article_lines_and_headings():
    treaty = """<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">
      <doc name="treaty"><body>
        <chapter><num>Chapter II</num><heading>Measures to be taken at the national level</heading>
          <article><num>20</num><heading>Real-time collection of traffic data</heading>
            <paragraph><num>1.</num>
              <intro><p>Each Party shall adopt such measures as may be necessary to:</p></intro>
              <point><num>a)</num><content><p>collect or record traffic data, and</p></content></point>
              <point><num>b)</num><content><p>compel a service provider.</p></content></point>
            </paragraph>
          </article>
        </chapter>
      </body></doc></akomaNtoso>"""
    assert ingest_bytes(treaty.encode(), "treaty.xml").text == (
        "Chapter II Measures to be taken at the national level\n\n"
        "Article 20\nReal-time collection of traffic data\n\n"
        "1. Each Party shall adopt such measures as may be necessary to:\n\n"
        "a) collect or record traffic data, and\n\n"
        "b) compel a service provider."
    )


def test_container_num_gets_the_container_word_unless_it_has_one():
    act = """<akomaNtoso><act><body>
      <part><num>2</num><heading>Offences</heading>
        <chapter><num>Chapter 1</num><heading>Access</heading>
          <section><num>3.</num><heading>Unauthorised access</heading></section></chapter></part>
    </body></act></akomaNtoso>"""
    assert ingest_bytes(act.encode(), "act.xml").text == (
        "PART 2 Offences\n\nChapter 1 Access\n\n3. Unauthorised access"
    )


def test_article_num_that_says_article_is_kept_as_is():
    act = """<akomaNtoso><act><body>
      <article><num>Article 5</num><heading>Data retention</heading>
        <content><p>Providers shall retain data for six months.</p></content></article>
    </body></act></akomaNtoso>"""
    assert ingest_bytes(act.encode(), "act.xml").text == (
        "Article 5\nData retention\nProviders shall retain data for six months."
    )


def test_cross_headings_block_lists_and_title_from_the_preface():
    act = """<akomaNtoso><act>
      <preface><p><docTitle>Cybercrimes Act</docTitle>, 2020</p></preface>
      <body><crossHeading>Offences relating to data</crossHeading>
        <section><num>2.</num><heading>Unlawful access</heading>
          <subsection><num>(1)</num><content>
            <p>Any person who unlawfully accesses</p>
            <blockList>
              <item><num>(a)</num><p>a computer system; or</p></item>
              <item><num>(b)</num><p>data,</p></item>
            </blockList>
            <p>is guilty of an offence.</p>
          </content></subsection>
        </section></body></act></akomaNtoso>"""
    document = ingest_bytes(act.encode(), "za.xml")
    assert document.text == (
        "Cybercrimes Act, 2020\n\n"
        "Offences relating to data\n\n"
        "2. Unlawful access\n\n"
        "(1) Any person who unlawfully accesses\n\n"
        "(a) a computer system; or\n\n"
        "(b) data,\n\n"
        "is guilty of an offence."
    )
    assert document.metadata["title"] == "Cybercrimes Act"


def test_external_entity_is_refused_and_never_read(xxe_xml):
    with pytest.raises(InputError) as caught:
        ingest_file(xxe_xml)
    assert str(caught.value) == f"{xxe_xml}: {ENTITY_REFUSAL}"
    assert "root:" not in str(caught.value)


def test_billion_laughs_is_refused_quickly(billion_laughs_xml):
    started = time.perf_counter()
    with pytest.raises(InputError) as caught:
        ingest_file(billion_laughs_xml)
    assert time.perf_counter() - started < 1.0
    assert str(caught.value) == f"{billion_laughs_xml}: {ENTITY_REFUSAL}"


def test_parameter_entities_are_refused():
    xml = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><akomaNtoso/>'
    with pytest.raises(InputError) as caught:
        ingest_bytes(xml.encode(), "param.xml")
    assert str(caught.value) == f"param.xml: {ENTITY_REFUSAL}"


def test_entity_declarations_in_utf16_are_refused():
    data = codecs.BOM_UTF16_LE + XXE_XML.replace('<?xml version="1.0"?>', "").encode("utf-16-le")
    with pytest.raises(InputError) as caught:
        ingest_bytes(data, "wide.xml")
    assert str(caught.value) == f"wide.xml: {ENTITY_REFUSAL}"


def test_external_dtd_is_not_loaded():
    xml = (
        '<?xml version="1.0"?><!DOCTYPE akomaNtoso SYSTEM "file:///etc/passwd">'
        "<akomaNtoso><act><body><section><num>1.</num><heading>Title</heading>"
        "<content><p>Text of the section.</p></content></section></body></act></akomaNtoso>"
    )
    document = ingest_bytes(xml.encode(), "dtd.xml")
    assert document.text == "1. Title\nText of the section."


def test_xml_that_is_not_akoma_ntoso_is_refused():
    with pytest.raises(InputError) as caught:
        ingest_bytes(b'<?xml version="1.0"?><statute><p>Text</p></statute>', "other.xml")
    assert str(caught.value) == "other.xml: not Akoma Ntoso XML (root element <statute>)"


def test_malformed_xml_is_refused():
    with pytest.raises(InputError) as caught:
        ingest_bytes(b'<?xml version="1.0"?><akomaNtoso><act><body>', "broken.xml")
    assert str(caught.value).startswith("broken.xml: malformed XML (")


def test_xml_nested_beyond_the_parser_limit_is_refused():
    deep = "<akomaNtoso><act><body>" + "<hcontainer>" * 5000 + "x" + "</hcontainer>" * 5000 + "</body></act></akomaNtoso>"
    with pytest.raises(InputError) as caught:
        ingest_bytes(deep.encode(), "deep.xml")
    assert str(caught.value).startswith("deep.xml: malformed XML (")
