"""Works out which language a resident is writing in, without flip-flopping.

Residents often answer with a postcode, a reference, "ok", "ta" or a name. Statistical
detectors guess wildly on such text, and switching the conversation to Slovak because
someone typed "Leek Road" is worse than not switching at all. So the rule is: keep the
current language unless the message gives clear evidence of another one.

* Non-Latin scripts (Arabic, Gurmukhi, Bengali, Devanagari, Chinese) are decided by
  their Unicode script, which is reliable even on a single word. Arabic script is split
  into Urdu, Persian, Sorani Kurdish and Arabic by letters only those languages use,
  and by langdetect when the message is long enough; Urdu-script text is then split
  into Urdu and Punjabi written in Shahmukhi by grammar words (:mod:`bot.shahmukhi`).
* Latin and Cyrillic text needs enough words and letters, once postcodes, references,
  numbers, URLs, emails and markup (``<script>...</script>``, ``%s``) are removed, a clear
  winner from langdetect, and the agreement of lingua, a detector built for short text: two
  independent detectors agreeing is what it takes to leave the current language.

Both detectors are loaded lazily and once; langdetect is seeded so the same message always
gives the same answer. lingua runs in its low-accuracy mode (trigram models, about 100 MB
rather than 600 MB for every supported language): it only confirms a choice that has passed
the length gate and langdetect's own test.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable
from typing import Any

from bot.shahmukhi import punjabi_or_urdu

#: Languages the assistant can talk in (ISO 639-1). Anything else keeps the current one.
SUPPORTED: frozenset[str] = frozenset(
    {
        "en", "pl", "ro", "ur", "pa", "ar", "bn", "sk", "cy", "lt", "pt", "es", "fr",
        "it", "de", "hi", "zh", "ru", "so", "ku", "fa", "tr", "cs", "hu", "lv", "bg",
    }
)  # fmt: skip

#: Written right to left. "ku" is Sorani, which UK residents mostly write in Arabic script.
RIGHT_TO_LEFT: frozenset[str] = frozenset({"ar", "fa", "he", "ku", "ur"})

#: Latin/Cyrillic text needs this many words to switch: one or two words are names,
#: streets, "no ta", "cheers duck" -- langdetect is close to random on them.
MIN_WORDS = 3
#: ...and this many letters: three short words ("u ok m8") still carry too few n-grams.
MIN_LETTERS = 15
#: langdetect's top probability must reach this. Below it, short sentences in related
#: languages (sk/cs, pt/es, ro/it) and English slang produce confident-looking mistakes.
MIN_PROBABILITY = 0.90
#: Top probability minus the runner-up, for Latin script: a near-tie is not a decision.
MIN_MARGIN = 0.50
#: A weaker langdetect lead is accepted when the message also uses common words of that
#: language: 0.55 is a majority of langdetect's seven trials (4/7), and the words are a
#: second, independent signal. Needed for unaccented phone typing ("preciso de ajuda").
CORROBORATED_PROBABILITY = 0.55
#: Marker words needed to corroborate, as a count and as a share of all words.
MIN_MARKER_WORDS = 2
MIN_MARKER_SHARE = 0.25
#: Marker words that let a language langdetect ranks lower win when its top pick is a
#: language we do not support (unaccented Lithuanian reads as Tagalog, say).
STRONG_MARKER_WORDS = 3
STRONG_MARKER_SHARE = 0.40
#: Letters needed to decide a non-Latin script by itself: enough to rule out a stray
#: symbol or a single pasted character. Chinese packs a word into one or two characters.
MIN_SCRIPT_LETTERS = 4
MIN_HAN_LETTERS = 2
#: Share of the words that are unmistakably English for a message to count as English
#: whatever langdetect says: it misreads Potteries slang ("ay up duck ... innit").
ENGLISH_WORD_SHARE = 0.30
#: Longest text handed to langdetect: more adds time, not accuracy.
MAX_DETECT_CHARS = 1000

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
#: Report references (SR-7K3Q9X) and any other token mixing letters with digits.
_REFERENCE = re.compile(r"\b[A-Z]{1,4}-[A-Z0-9]{3,}\b|\b\w*\d\w*\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
#: Markup and format strings carry no language: ``<script>``, ``&amp;``, ``%s``, ``{{x}}``.
_MARKUP = re.compile(r"<[^<>]{0,200}>|&#?\w{1,10};|%[a-z]\b|\{\{[^{}]{0,200}\}\}", re.IGNORECASE)

# Words that are English and not also common words of a supported language
# ("a", "on", "to", "no", "are", "was", "he", "do" are left out for that reason).
_ENGLISH_WORDS = frozenset(
    """
    the my me i'm im i've ive it's its it is this that there there's theres they
    you your ur our and or but if of for with from about at not
    have has had been be can can't cant could would should will wont won't don't
    dont didnt didn't isnt hasnt hasn't haven't havent want need needs help please
    get got how what when where why who which just still some someone somewhere
    road street bin bins council tax pothole rubbish house home flat landlord rent
    housing claim universal credit report talk speak person scared partner
    innit duck mate ay up massive ages back sort letter bill wrong
    new old broken kids poorly damp fix collection collected waste weeks week
    tonight homeless apply badge tell live outside number out like understand
    yes thanks thank cheers very much today
    im done now goodbye bye hello hey morning evening again behind near next opposite
    full time part discount occupier sole single blocked drain bus station school shop
    shops pavement lamp light lights broken missed overflowing smells smell dumped
    dumping graffiti tipping fly noise neighbour neighbours nobody anyone anybody
    something nothing everything always never already yet soon because than then
    those these them their were we've we're they're you're i'll i'd she's he's let's
    what's where's how's who's pay paid paying owe money bill bills account letter
    form website phone call ring rang booked book cancel appointment
    computer computers laptop pc pcs printer printing print wifi internet online library
    libraries public reserve booking open opening closed hours late early today tomorrow
    monday tuesday wednesday thursday friday saturday sunday weekend nearest closest
    point points payzone cash club job jobs cv work instalments instalment balance band
    arrears reminder summons exemption student students journal advance jobcentre
    broadband voucher vouchers business staff speed fibre skills learn learning course
    hiya hiyaa good afternoon night cheers thanks ta lovely ok okay alright
    """.split()
)

# Frequent words of the Latin-script languages UK councils hear most, with and without
# diacritics (people type on phones). Only words that are not also English, and used
# only to back up langdetect, never on their own.
_MARKER_WORDS: dict[str, frozenset[str]] = {
    "pl": frozenset(
        "jest nie się sie czy mam mnie mój moj moja moje jak proszę prosze potrzebuję"
        " potrzebuje pomocy chcę chce że tak ale gdzie mieszkanie podatek dziura śmieci"
        " smieci domu kiedy mogę moge".split()
    ),
    "ro": frozenset(
        "este nu vreau să sa și si pe cu nevoie ajutor ce pot care din mea meu mele"
        " acasă acasa impozit impozitul vă va rog cineva unde gunoiul locuință locuinta"
        " buna ziua".split()
    ),
    "sk": frozenset(
        "je som sa mám chcem potrebujem nemám nemam neviem prosím prosim kde čo ako"
        " dane daň doma môj moj mi bývanie byvanie nikto robiť robit ktorá ktora"
        " nerozumiem dobrý dobry deň mam co".split()
    ),
    "cs": frozenset(
        "je jsem mám potřebuji potrebuji nevím nevim prosím prosim kde co jak daň doma"
        " můj muj bydlení bydleni dobrý dobry den".split()
    ),
    "lt": frozenset(
        "aš reikia noriu mano yra ir kad kur bet nežinau nezinau pagalbos labas laba"
        " diena namuose kaip ką nekalbu gyventi".split()
    ),
    "lv": frozenset("es man vajag palīdzība palidziba gribu mana nav kur ir un".split()),
    "pt": frozenset(
        "eu não nao preciso ajuda quero com meu minha tenho uma um em na por favor"
        " falar porque onde há estou está obrigado obrigada lixo".split()
    ),
    "es": frozenset(
        "necesito ayuda quiero hablar con mi tengo casa la el por favor dónde donde gracias".split()
    ),
}

_LOCK = threading.Lock()
_detect_langs: Callable[[str], list[Any]] | None = None  # set by _langdetect()
_lingua_detector: Any = None  # set by _lingua()


def _langdetect() -> Callable[[str], list[Any]]:
    """Return langdetect's ``detect_langs``, loading its profiles once, seeded.

    Returns:
        The ``detect_langs`` function of langdetect.
    """
    global _detect_langs
    if _detect_langs is None:
        with _LOCK:
            if _detect_langs is None:
                from langdetect import DetectorFactory, detect_langs
                from langdetect.detector_factory import init_factory

                DetectorFactory.seed = 0  # same text, same answer
                init_factory()
                _detect_langs = detect_langs
    return _detect_langs


def _candidates(text: str) -> list[tuple[str, float]]:
    """Rank languages for ``text`` with langdetect, best first.

    Args:
        text: Text already cleaned of numbers, references and addresses.

    Returns:
        ``(code, probability)`` pairs, best first; empty when langdetect gives up.
    """
    from langdetect.lang_detect_exception import LangDetectException

    try:
        ranked = _langdetect()(text[:MAX_DETECT_CHARS])
    except LangDetectException:
        return []
    return [(_normalise_code(r.lang), r.prob) for r in ranked]


def _lingua() -> Any:
    """Return lingua's detector for the supported languages it knows, built once."""
    global _lingua_detector
    if _lingua_detector is None:
        with _LOCK:
            if _lingua_detector is None:
                from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

                known = []
                for code in sorted(SUPPORTED):
                    iso = getattr(IsoCode639_1, code.upper(), None)
                    if iso is not None:
                        known.append(Language.from_iso_code_639_1(iso))
                _lingua_detector = (
                    LanguageDetectorBuilder.from_languages(*known).with_low_accuracy_mode().build()
                )
    return _lingua_detector


def load_detectors() -> None:
    """Load both detectors and their language data now, not on a resident's message.

    The Rasa server calls it at start (``bot/rasa_server.py``): otherwise the first long
    message after a start waits about a second for langdetect's profiles (issue #19).
    """
    _langdetect()
    _lingua().compute_language_confidence_values("Where is my nearest library?")


def _lingua_agrees(text: str, code: str) -> bool:
    """Whether lingua also ranks ``code`` first for ``text``."""
    ranked = _lingua().compute_language_confidence_values(text[:MAX_DETECT_CHARS])
    if not ranked or ranked[0].value <= 0:
        return False
    return ranked[0].language.iso_code_639_1.name.lower() == code


def _normalise_code(code: str) -> str:
    """Map langdetect's codes onto ISO 639-1 (``zh-cn`` -> ``zh``)."""
    return code.split("-")[0].lower()


def _script(char: str) -> str | None:
    """Name the writing system of ``char``, or ``None`` for non-letters."""
    cp = ord(char)
    if 0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F or 0xFB50 <= cp <= 0xFDFF:
        return "arabic"
    if 0xFE70 <= cp <= 0xFEFF:
        return "arabic"
    if 0x0A00 <= cp <= 0x0A7F:
        return "gurmukhi"
    if 0x0980 <= cp <= 0x09FF:
        return "bengali"
    if 0x0900 <= cp <= 0x097F:
        return "devanagari"
    if 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF:
        return "han"
    if 0x0400 <= cp <= 0x04FF:
        return "cyrillic"
    if 0x0590 <= cp <= 0x05FF:
        return "hebrew"
    if not char.isalpha():
        return None
    if cp < 0x0250 or 0x1E00 <= cp <= 0x1EFF:
        return "latin"
    return "other"


def _clean(text: str) -> str:
    """Drop what carries no language: markup, URLs, emails, postcodes, references, digits."""
    for pattern in (_MARKUP, _URL, _EMAIL, _POSTCODE, _REFERENCE):
        text = pattern.sub(" ", text)
    return text


# Letters that only Urdu uses among the supported languages (ٹ ڈ ڑ ں ے ۓ ھ ہ ۃ ۂ).
_URDU_ONLY = frozenset("\u0679\u0688\u0691\u06ba\u06d2\u06d3\u06be\u06c1\u06c3\u06c2")
# Letters of Sorani Kurdish (ڕ ڵ ۆ ێ ە).
_SORANI_ONLY = frozenset("\u0695\u06b5\u06c6\u06ce\u06d5")
# Letters Urdu and Persian share but Arabic lacks (پ چ ژ گ ک ی).
_PERSO_URDU = frozenset("\u067e\u0686\u0698\u06af\u06a9\u06cc")
# Arabic forms Urdu and Persian replace (ة ى ك ي) or rarely use (أ إ ؤ).
_ARABIC_ONLY = frozenset("\u0629\u0649\u0643\u064a\u0623\u0625\u0624")
# Plain heh (ه): Persian writes it where Urdu writes ہ or ھ.
_PLAIN_HEH = "\u0647"


def _arabic_script(text: str, long_enough: bool, current: str) -> str:
    """Tell Urdu, Shahmukhi Punjabi, Persian, Sorani Kurdish and Arabic apart.

    Args:
        text: The message, mostly in Arabic script.
        long_enough: Whether it has enough words for langdetect to be trusted.
        current: The conversation's language, kept when the letters cannot tell.

    Returns:
        ``"ur"``, ``"pa"``, ``"fa"``, ``"ku"``, ``"ar"`` or ``current``.
    """
    code = _arabic_letters(text, long_enough, current)
    return punjabi_or_urdu(text, current) if code == "ur" else code


def _arabic_letters(text: str, long_enough: bool, current: str) -> str:
    """Tell Urdu (or Shahmukhi), Persian, Sorani Kurdish and Arabic apart by their letters."""
    urdu = sum(c in _URDU_ONLY for c in text)
    sorani = sum(c in _SORANI_ONLY for c in text)
    perso_urdu = sum(c in _PERSO_URDU for c in text)
    arabic = sum(c in _ARABIC_ONLY for c in text) + text.count("\u0627\u0644")  # "al-"
    if sorani and sorani >= urdu:
        return "ku"
    if urdu:
        return "ur"
    if long_enough:
        ranked = _candidates(text)
        if ranked and ranked[0][0] in {"ar", "fa", "ur"} and ranked[0][1] >= MIN_PROBABILITY:
            return ranked[0][0]
    if arabic > perso_urdu:
        return "ar"
    if perso_urdu:
        if current in {"ur", "fa"}:
            return current
        return "fa" if _PLAIN_HEH in text else "ur"
    # Shahmukhi Punjabi ("pa") is written in Arabic script too.
    return current if current in RIGHT_TO_LEFT or current == "pa" else "ar"


# Czech and Slovak are close and langdetect mixes them up; these letters settle it.
_SLOVAK_ONLY = frozenset("äôľĺŕÄÔĽĹŔ")
_CZECH_ONLY = frozenset("ěřůĚŘŮ")


def _marker_share(words: list[str], code: str) -> tuple[int, float]:
    """Count the marker words of ``code`` in ``words`` (lower-cased), and their share."""
    found = sum(w in _MARKER_WORDS.get(code, ()) for w in words)
    return found, found / len(words)


def _pick_latin(words: list[str], ranked: list[tuple[str, float]]) -> str | None:
    """Choose from langdetect's ranking, or ``None`` when the evidence is not clear.

    Args:
        words: The message's words, lower-cased.
        ranked: langdetect's ``(code, probability)`` pairs, best first.

    Returns:
        The chosen language code, or ``None`` to keep the current language.
    """
    top, prob = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if top in SUPPORTED:
        if prob >= MIN_PROBABILITY and prob - second >= MIN_MARGIN:
            return top
        if prob >= CORROBORATED_PROBABILITY:
            found, share = _marker_share(words, top)
            if found >= MIN_MARKER_WORDS and share >= MIN_MARKER_SHARE:
                return top
        return None
    for code, _ in ranked[1:]:
        found, share = _marker_share(words, code)
        if found >= STRONG_MARKER_WORDS and share >= STRONG_MARKER_SHARE:
            return code
    return None


def _latin(words: list[str], cleaned: str, current: str) -> str:
    """Decide a Latin-script message that has already passed the length gate.

    Args:
        words: The message's words.
        cleaned: The message without postcodes, references, numbers and addresses.
        current: The conversation's language, kept when the evidence is not clear.

    Returns:
        A supported language code, or ``current``.
    """
    lowered = [w.lower() for w in words]
    english = sum(w in _ENGLISH_WORDS for w in lowered) / len(lowered)
    if english >= ENGLISH_WORD_SHARE:
        return "en"
    # langdetect's profiles are lower case: shouted text ("BLOCKED DRAIN BENTILEE")
    # otherwise reads as German.
    ranked = _candidates(cleaned.lower())
    chosen = _pick_latin(lowered, ranked) if ranked else None
    if chosen in {"cs", "sk"}:
        slovak = sum(c in _SLOVAK_ONLY for c in cleaned)
        czech = sum(c in _CZECH_ONLY for c in cleaned)
        if slovak != czech:
            chosen = "sk" if slovak > czech else "cs"
        # lingua mixes the two as well: agreement on "one of them" is what it can give.
        agreed = chosen is not None and any(_lingua_agrees(cleaned, c) for c in ("cs", "sk"))
    else:
        agreed = chosen is not None and _lingua_agrees(cleaned, chosen)
    return chosen if agreed and chosen in SUPPORTED else current


def detect_language(text: str, current: str = "en") -> str:
    """Return the language a resident writes in, keeping ``current`` when unsure.

    Args:
        text: The resident's message.
        current: The conversation's language so far (ISO 639-1).

    Returns:
        An ISO 639-1 code from :data:`SUPPORTED`: a different one only when the
        message gives clear evidence of it, otherwise ``current``.
    """
    if not isinstance(text, str) or not text.strip():
        return current
    text = "".join(
        " " if unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co"} else c
        for c in text[: MAX_DETECT_CHARS * 4]
    )
    cleaned = _clean(text)
    scripts = Counter(s for s in map(_script, cleaned) if s is not None)
    if not scripts:
        return current
    script, count = scripts.most_common(1)[0]
    total = sum(scripts.values())
    words = _WORD.findall(cleaned)
    long_enough = len(words) >= MIN_WORDS and total >= MIN_LETTERS

    if script == "han":
        return "zh" if count >= MIN_HAN_LETTERS else current
    decided_by_script = {"gurmukhi": "pa", "bengali": "bn", "devanagari": "hi"}
    if script in decided_by_script or script == "arabic":
        if count < MIN_SCRIPT_LETTERS:
            return current
        if script == "arabic":
            return _arabic_script(cleaned, long_enough, current)
        return decided_by_script[script]
    if script == "cyrillic":
        return _cyrillic(cleaned, long_enough, current)
    if script != "latin" or not long_enough:
        return current
    return _latin(words, cleaned, current)


def _cyrillic(text: str, long_enough: bool, current: str) -> str:
    """Decide Cyrillic text between Russian and Bulgarian, or keep ``current``."""
    if not long_enough:
        return current
    ranked = _candidates(text)
    if ranked and ranked[0][0] in {"ru", "bg"} and ranked[0][1] >= MIN_PROBABILITY:
        return ranked[0][0]
    return current


def is_right_to_left(code: str) -> bool:
    """Tell whether ``code``'s script is written right to left.

    Args:
        code: An ISO 639-1 language code, e.g. ``"ur"``, or a tag from
            :func:`language_tag`, e.g. ``"pa-Arab"``.

    Returns:
        True for Urdu, Arabic, Persian, Sorani Kurdish, Hebrew and any ``-Arab`` tag.
    """
    if not isinstance(code, str):
        return False
    code = code.strip().lower()
    return code in RIGHT_TO_LEFT or code.endswith("-arab")


def language_tag(text: str, code: str) -> str:
    """The BCP 47 tag of a message in language ``code``: ``pa-Arab`` for Shahmukhi.

    Punjabi is written in Gurmukhi (India) or in Arabic script, Shahmukhi (Pakistan), and
    readers of one seldom read the other, so replies need to know which.

    Args:
        text: The resident's message.
        code: Its language, from :func:`detect_language`.

    Returns:
        ``"pa-Arab"`` for Punjabi written mostly in Arabic script, otherwise ``code``.
    """
    if code != "pa" or not isinstance(text, str):
        return code
    scripts = Counter(_script(c) for c in text)
    return "pa-Arab" if scripts["arabic"] > scripts["gurmukhi"] else code
