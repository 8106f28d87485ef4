"""Language identification, coarse and dependency-free: script first, then English function words.

Input: a document's text. Output: ``(code, confidence)`` where code is an ISO
639-1 code ("en", "ar", "zh"...), ``"und-<Script>"`` when only the script is
known (e.g. "und-Cyrl", "und-Latn" for Latin-script text that is not English),
or ``"und"`` when there is too little text; confidence is in [0, 1].

provrisk's models are trained on English, so the question that matters is
"English or not"; telling French from Spanish is out of scope.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from spacy.lang.en.stop_words import STOP_WORDS

# Below this many letters the guess is noise (ten Chinese characters already
# make a sentence; Latin text also needs MIN_WORDS words).
MIN_LETTERS = 10
MIN_WORDS = 5
# Share of English function words among Latin-script words: English legislation
# measures 0.44-0.55 with spaCy's list, French/Spanish/German/Swahili/Indonesian
# text 0.00-0.03.
ENGLISH_FUNCTION_WORD_SHARE = 0.20
_TYPICAL_ENGLISH_SHARE = 0.40
_SAMPLE_CHARS = 200_000
_SAMPLE_CHUNKS = 20

_SCRIPT_OF_NAME_PREFIX = {
    "LATIN": "Latn", "ARABIC": "Arab", "CYRILLIC": "Cyrl", "GREEK": "Grek", "HEBREW": "Hebr",
    "DEVANAGARI": "Deva", "BENGALI": "Beng", "GURMUKHI": "Guru", "GUJARATI": "Gujr",
    "TAMIL": "Taml", "TELUGU": "Telu", "KANNADA": "Knda", "MALAYALAM": "Mlym",
    "SINHALA": "Sinh", "THAI": "Thai", "LAO": "Laoo", "KHMER": "Khmr", "MYANMAR": "Mymr",
    "GEORGIAN": "Geor", "ARMENIAN": "Armn", "ETHIOPIC": "Ethi", "HANGUL": "Hang",
    "HIRAGANA": "Kana", "KATAKANA": "Kana", "CJK": "Hani",
}
# Scripts used by (essentially) one language of legislation.
_LANGUAGE_OF_SCRIPT = {
    "Grek": "el", "Hebr": "he", "Beng": "bn", "Guru": "pa", "Gujr": "gu", "Taml": "ta",
    "Telu": "te", "Knda": "kn", "Mlym": "ml", "Sinh": "si", "Thai": "th", "Laoo": "lo",
    "Khmr": "km", "Mymr": "my", "Geor": "ka", "Armn": "hy", "Hang": "ko", "Kana": "ja",
}
# Letters that Urdu and Persian add to the Arabic alphabet.
_URDU_LETTERS = set("ٹڈڑںےۓھ")
_PERSIAN_LETTERS = set("پچژگ")
_DISTINCTIVE_LETTER_SHARE = 0.005

LANGUAGE_NAMES = {
    "en": "English", "ar": "Arabic", "fa": "Persian", "ur": "Urdu", "zh": "Chinese",
    "ja": "Japanese", "ko": "Korean", "el": "Greek", "he": "Hebrew", "bn": "Bengali",
    "pa": "Punjabi", "gu": "Gujarati", "ta": "Tamil", "te": "Telugu", "kn": "Kannada",
    "ml": "Malayalam", "si": "Sinhala", "th": "Thai", "lo": "Lao", "km": "Khmer",
    "my": "Burmese", "ka": "Georgian", "hy": "Armenian",
    "und-Latn": "a Latin-script language other than English",
    "und-Cyrl": "a Cyrillic-script language", "und-Deva": "a Devanagari-script language",
    "und-Ethi": "an Ethiopic-script language",
}
_LATIN_WORD = re.compile(r"[a-z]+")


def detect_language(text: str) -> tuple[str, float]:
    """Guess the language of ``text``; see the module docstring for the codes."""
    sample = _sample(text)
    scripts = Counter(_script_of(ch) for ch in sample if ch.isalpha())
    scripts.pop(None, None)
    letters = sum(scripts.values())
    if letters < MIN_LETTERS:
        return "und", 0.0
    script, count = scripts.most_common(1)[0]
    script_share = count / letters
    if script == "Latn":
        return _latin_language(sample, script_share)
    if script == "Hani":
        # Japanese writes Han characters too, with kana around them.
        kana_share = scripts.get("Kana", 0) / letters
        return ("ja", script_share + kana_share) if kana_share > 0.05 else ("zh", script_share)
    if script == "Arab":
        return _arabic_script_language(sample, count), script_share
    return _LANGUAGE_OF_SCRIPT.get(script, f"und-{script}"), script_share


def language_name(code: str) -> str:
    """A readable name for a code returned by :func:`detect_language`."""
    return LANGUAGE_NAMES.get(code, code)


def _sample(text: str) -> str:
    """The whole text when short, else evenly spaced chunks (language does not change mid-document)."""
    if len(text) <= _SAMPLE_CHARS:
        return text
    chunk = _SAMPLE_CHARS // _SAMPLE_CHUNKS
    step = (len(text) - chunk) // (_SAMPLE_CHUNKS - 1)
    return "\n".join(text[i * step : i * step + chunk] for i in range(_SAMPLE_CHUNKS))


@lru_cache(maxsize=4096)
def _script_of(ch: str) -> str | None:
    name = unicodedata.name(ch, "")
    return _SCRIPT_OF_NAME_PREFIX.get(name.split(" ", 1)[0])


def _latin_language(sample: str, script_share: float) -> tuple[str, float]:
    words = _LATIN_WORD.findall(sample.lower())
    if len(words) < MIN_WORDS:
        return "und", 0.0
    function_share = sum(1 for word in words if word in STOP_WORDS) / len(words)
    if function_share >= ENGLISH_FUNCTION_WORD_SHARE:
        return "en", script_share * min(1.0, function_share / _TYPICAL_ENGLISH_SHARE)
    return "und-Latn", script_share * (1 - function_share / ENGLISH_FUNCTION_WORD_SHARE)


def _arabic_script_language(sample: str, arabic_letters: int) -> str:
    """Arabic unless Urdu or Persian letters are too frequent to be borrowed names."""
    letters = Counter(sample)
    if sum(letters[ch] for ch in _URDU_LETTERS) > _DISTINCTIVE_LETTER_SHARE * arabic_letters:
        return "ur"
    if sum(letters[ch] for ch in _PERSIAN_LETTERS) > _DISTINCTIVE_LETTER_SHARE * arabic_letters:
        return "fa"
    return "ar"
