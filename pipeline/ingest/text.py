"""Plain-text reader: bytes to str.

Input: the bytes of a text file and its display name. Output:
:class:`~provrisk.ingest.types.IngestedText` with the decoded, normalised text.
UTF-8 (with or without BOM) and UTF-16/32 with a BOM are decoded directly,
mostly-ASCII UTF-16 without a BOM by where its NUL bytes fall; anything else
is decoded with a detected legacy encoding and a warning naming it. Binary
data (other NUL bytes, or more than 10% control characters) is refused.
"""

from __future__ import annotations

import codecs
import re
import string
import unicodedata

import charset_normalizer

from ..errors import InputError
from .normalise import normalise_text
from .types import IngestedText

BINARY_PROBLEM = "binary file, not a text document"
_MAX_CONTROL_SHARE = 0.10
# (byte-order mark, codec, name in messages); checked in this order because
# the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
]
# How far the cp1252 guess may be worse than the detector's best guess (chaos
# is charset_normalizer's 0-1 mess score) and still be preferred.
_CP1252_CHAOS_TOLERANCE = 0.15
# Western-European text has few accented letters; text in another alphabet read
# as cp1252 is mostly accented Latin letters.
_MAX_NON_ASCII_LETTER_SHARE = 0.25
_TYPOGRAPHIC = set("‘’‚“”„–—…•€§°©®«»·¶†‡‰™")
_ASCII_LETTERS = string.ascii_letters.encode("ascii")
_ASCII_RUN = re.compile(r"[\x00-\x7f]+")
_CONTROL_CHAR = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# UTF-16 without a byte-order mark: NUL in at least this share of one byte of
# each pair, and in at most the stray share of the other (U+0100, U+2000...).
_UTF16_NUL_SHARE = 0.7
_UTF16_STRAY_NUL_SHARE = 0.01


def read_text(data: bytes, source: str) -> IngestedText:
    """Decode and normalise a plain-text document."""
    text, warnings = decode_text(data, source)
    return IngestedText(source=source, format="txt", text=normalise_text(text), warnings=warnings)


def decode_text(data: bytes, source: str) -> tuple[str, list[str]]:
    """Decode ``data`` to str; return the text and warnings about the encoding.

    Raises :class:`InputError` for binary data or text that no encoding fits.
    """
    text, warnings = _decode(data, source)
    refuse_binary(text, source)
    return text, warnings


def refuse_binary(text: str, source: str) -> None:
    """Raise :class:`InputError` when decoded "text" is mostly control characters."""
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise InputError(source, BINARY_PROBLEM)


def _decode(data: bytes, source: str) -> tuple[str, list[str]]:
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), []
            except UnicodeDecodeError as error:
                raise InputError(
                    source, f"invalid {name} text at byte {error.start} despite its byte-order mark"
                ) from None
    if b"\x00" in data:
        encoding = _bomless_utf16(data)
        if encoding is None:
            raise InputError(source, BINARY_PROBLEM)
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise InputError(source, BINARY_PROBLEM) from None
        return text, [f"text is UTF-16 without a byte-order mark; decoded it as {encoding.upper()} (detected)"]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        encoding = _guess_legacy_encoding(data, source)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise InputError(source, "text in an unrecognised encoding; save it as UTF-8 and try again") from None
    return text, [f"text is not UTF-8; decoded it as {encoding} (detected): check accented letters and symbols"]


def _bomless_utf16(data: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when ``data`` looks like UTF-16 text without a byte-order mark.

    In mostly-ASCII text every character's high byte is NUL: the second byte of
    each pair in little-endian order, the first in big-endian order.
    """
    pairs = len(data) // 2
    if len(data) % 2 or not pairs:
        return None
    first_nuls, second_nuls = data[0::2].count(0), data[1::2].count(0)
    if second_nuls > _UTF16_NUL_SHARE * pairs and first_nuls <= _UTF16_STRAY_NUL_SHARE * pairs:
        return "utf-16-le"
    if first_nuls > _UTF16_NUL_SHARE * pairs and second_nuls <= _UTF16_STRAY_NUL_SHARE * pairs:
        return "utf-16-be"
    return None


def _guess_legacy_encoding(data: bytes, source: str) -> str:
    """Name of the most plausible single- or multi-byte encoding of ``data``.

    charset_normalizer cannot tell cp1252 from its siblings (cp1250, cp1257...)
    on short Western-European text; provrisk reads English legislation, whose
    legacy encoding is almost always cp1252, so cp1252 wins when it fits.
    """
    results = list(charset_normalizer.from_bytes(data))
    if not results:
        raise InputError(source, BINARY_PROBLEM)
    best = results[0]
    cp1252_chaos = next((r.chaos for r in results if r.encoding == "cp1252"), None)
    cp1252_close = cp1252_chaos is not None and cp1252_chaos <= best.chaos + _CP1252_CHAOS_TOLERANCE
    if cp1252_close or _looks_like_western_cp1252(data):
        return "cp1252"
    return best.encoding


def _looks_like_western_cp1252(data: bytes) -> bool:
    """True when ``data`` decodes as cp1252 into mostly-ASCII Latin text and typography."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    ascii_bytes = text.encode("ascii", "ignore")
    ascii_letters = len(ascii_bytes) - len(ascii_bytes.translate(None, _ASCII_LETTERS))
    non_ascii = _ASCII_RUN.sub("", text)
    plausible = all(
        ch in _TYPOGRAPHIC or unicodedata.name(ch, "").startswith("LATIN") for ch in set(non_ascii)
    )
    non_ascii_letters = sum(1 for ch in non_ascii if ch.isalpha())
    total_letters = max(ascii_letters + non_ascii_letters, 1)
    return plausible and non_ascii_letters <= _MAX_NON_ASCII_LETTER_SHARE * total_letters


def _control_share(text: str) -> float:
    """Share of control characters other than line breaks, tabs and form feeds."""
    if not text:
        return 0.0
    return sum(1 for _ in _CONTROL_CHAR.finditer(text)) / len(text)
