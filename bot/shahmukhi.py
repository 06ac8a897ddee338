"""Tells Punjabi written in Shahmukhi (Arabic script) from Urdu (issue #7).

Shahmukhi Punjabi uses the same letters as Urdu, including the ones only Urdu uses among
the other supported languages (ں ے ہ ٹ ڈ ڑ), and langdetect has no Punjabi profile for
it. What differs is the grammar words, which are frequent and short: Punjabi says "وچ"
where Urdu says "میں" (in), "نوں" for "کو", "توں" for "سے", "دا/دی/دے" for "کا/کی/کے",
"اے" for "ہے", "مینوں" for "مجھے", and "-دا" verbs ("چاہندا") for "-تا" ("چاہتا"). A
message is Punjabi when it has at least :data:`MIN_PUNJABI_WORDS` Punjabi grammar words
and more of them than Urdu ones; otherwise it stays Urdu, which Shahmukhi readers are
schooled in.

Words shared by both, or with another meaning in one ("میں" is Punjabi "I" and Urdu "in",
"کی" Punjabi "what" and Urdu "of", "پر", "نہیں", "سی" in Urdu "تھوڑی سی"), are left out.
"""

from __future__ import annotations

import re

#: Punjabi grammar words an Urdu sentence does not use.
PUNJABI_WORDS: frozenset[str] = frozenset(
    """
    وچ نوں مینوں تینوں تہانوں سانوں اوہنوں انہاں تسیں اسیں ساڈا ساڈی ساڈے تہاڈا تہاڈی تہاڈے
    تواڈا تواڈی تواڈے اے نئیں نیں توں نال کول وڈا وڈی وڈے اک ایہہ ایہ کتھے کیویں کدوں
    چاہیدا چاہیدی چاہیدے چاہندا چاہندی چاہندے سکدا سکدی سکدے لگدا لگدی لگدے کردا کردی کردے
    ہندا ہندے جاندا جاندی رہندا رہندی دیندا دیندی آں کجھ ہن لئی تھاں ہور جیہڑا جیہڑی گل
    دا دی دے دیاں
    """.split()
)
#: Urdu grammar words Shahmukhi Punjabi does not use (or rarely: "ہے" for "اے").
URDU_WORDS: frozenset[str] = frozenset(
    """
    کا کے مجھے مجھ تمہیں ہمیں ہے ہیں ہوں سے کو یہ وہ تھا تھی تھے چاہیے چاہتا چاہتی چاہتے
    سکتا سکتی سکتے رہا رہی رہے کرتا کرتی کرتے ہوتا ہوتی جگہ کچھ اب لیے ساتھ اور پاس بڑا بڑی ایک
    """.split()
)
#: Punjabi grammar words needed: one "دے" can be Urdu "give".
MIN_PUNJABI_WORDS = 2

#: Arabic-keyboard letters for the Urdu ones (ي ى ك), so both spellings count.
_FOLD = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"})
#: Optional vowel marks, which split words for the pattern below.
_MARKS = re.compile("[\u064b-\u065f\u0670]")
_WORD = re.compile(r"[^\W\d_]+")


def punjabi_or_urdu(text: str, current: str) -> str:
    """Decide an Urdu-script message between Punjabi (Shahmukhi) and Urdu.

    Args:
        text: The message, mostly in Arabic script with letters only Urdu and Punjabi use.
        current: The conversation's language: kept as ``"pa"`` when the words cannot tell.

    Returns:
        ``"pa"`` or ``"ur"``.
    """
    words = _WORD.findall(_MARKS.sub("", text.translate(_FOLD)))
    punjabi = sum(word in PUNJABI_WORDS for word in words)
    urdu = sum(word in URDU_WORDS for word in words)
    if punjabi >= MIN_PUNJABI_WORDS and punjabi > urdu:
        return "pa"
    if punjabi == urdu and current == "pa":
        return "pa"
    return "ur"
