"""The ResidentLanguageClassifier NLU component, run directly on messages (no training)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.resident_language import Lexicon, ResidentLanguageClassifier, _normalise
from lib.yaml_files import load_yaml

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "languages.yml"
SHORT_ENGLISH = [
    e["text"]
    for e in load_yaml(FIXTURE.read_text(encoding="utf-8"))
    if e["short"] and e["language"] == "en"
]


@pytest.fixture(scope="module")
def component() -> ResidentLanguageClassifier:
    return ResidentLanguageClassifier({"translations_dir": ""})


def _run(component, text, intent="council_tax", confidence=0.9, entities=None):
    message = Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": intent, "confidence": confidence}],
            "entities": list(entities or []),
        }
    )
    component.process([message])
    languages = [e["value"] for e in message.get("entities") if e["entity"] == "language"]
    return message, languages


@pytest.mark.parametrize("text", SHORT_ENGLISH)
def test_short_or_ambiguous_text_changes_nothing(component, text):
    message, languages = _run(component, text, intent="affirm")
    assert languages == []
    assert message.get("intent")["name"] == "affirm"


@pytest.mark.parametrize(
    "text,intent",
    [
        ("I need help with my council tax bill please", "council_tax"),
        ("ay up duck, theres a massive pothole on me road innit", "report_pothole"),
        ("my partner hits me and I'm scared to go home", "urgent_help"),
    ],
)
def test_english_keeps_the_english_intent(component, text, intent):
    message, languages = _run(component, text, intent=intent, confidence=0.8)
    assert languages == ["en"]
    assert message.get("intent") == {"name": intent, "confidence": 0.8}


@pytest.mark.parametrize(
    "text,code",
    [
        ("Dzień dobry, czy ktoś tutaj mówi po polsku?", "pl"),
        ("dzień dobry", "pl"),
        ("Bună ziua, am nevoie de ajutor cu taxa locală", "ro"),
        ("Dobrý deň, potrebujem pomoc s daňou", "sk"),
        ("السلام عليكم", "ar"),
        ("السلام علیکم، کیا آپ اردو سمجھتے ہیں؟", "ur"),
        ("ਸਤ ਸ੍ਰੀ ਅਕਾਲ", "pa"),
        ("নমস্কার, আপনি কি বাংলা বোঝেন?", "bn"),
    ],
)
def test_greetings_in_other_languages(component, text, code):
    message, languages = _run(component, text)
    assert languages == [code]
    assert message.get("intent")["name"] == "greet"
    assert message.get("intent_ranking") == [{"name": "greet", "confidence": 1.0}]


@pytest.mark.parametrize(
    "text,code",
    [
        ("میرا شوہر مجھے مارتا ہے اور مجھے گھر جانے سے ڈر لگتا ہے", "ur"),
        ("Mój partner mnie bije i boję się wrócić do domu", "pl"),
        ("Nu am unde să dorm în seara asta, sunt fără adăpost", "ro"),
        ("আমার থাকার জায়গা নেই, আমি গৃহহীন", "bn"),
        ("ਮੇਰਾ ਪਤੀ ਮੈਨੂੰ ਮਾਰਦਾ ਹੈ ਅਤੇ ਮੈਨੂੰ ਡਰ ਲੱਗਦਾ ਹੈ", "pa"),
        ("زوجي يضربني وأنا خائفة من العودة إلى البيت", "ar"),
        ("Manžel ma bije a bojím sa ísť domov", "sk"),
    ],
)
def test_crisis_words_in_other_languages_are_urgent_help(component, text, code):
    message, languages = _run(component, text, intent="council_tax")
    assert languages == [code]
    assert message.get("intent")["name"] == "urgent_help"


@pytest.mark.parametrize(
    "text,code",
    [
        ("Chciałbym zapytać, jak zapłacić podatek za mieszkanie w tym roku", "pl"),
        ("Vreau să plătesc impozitul pe locuință, cum pot face asta?", "ro"),
        ("میں اپنا کونسل ٹیکس کیسے ادا کروں؟ مجھے بل سمجھ نہیں آیا", "ur"),
    ],
)
def test_other_questions_are_not_understood_rather_than_guessed(component, text, code):
    message, languages = _run(component, text, intent="council_tax", confidence=0.97)
    assert languages == [code]
    assert message.get("intent")["name"] == "nlu_fallback"
    assert [r["name"] for r in message.get("intent_ranking")] == ["nlu_fallback"]


def test_an_urgent_prediction_is_never_taken_away(component):
    message, _ = _run(component, "Preciso de ajuda urgente, não tenho onde dormir", "urgent_help")
    assert message.get("intent")["name"] == "urgent_help"


def test_a_language_without_translations_still_is_not_guessed(component):
    message, languages = _run(component, "Eu não sei pagar a minha conta da câmara municipal")
    assert languages == ["pt"]
    assert message.get("intent")["name"] == "nlu_fallback"


def test_button_payloads_are_left_to_rasa(component):
    message, languages = _run(component, '/greet{"language":"en"}', intent="greet")
    assert languages == []


def test_other_entities_are_kept_and_language_is_not_doubled(component):
    postcode = {"entity": "postcode", "value": "ST4 2DX", "start": 0, "end": 7}
    stale = {"entity": "language", "value": "ro", "start": 0, "end": 1}
    message, languages = _run(
        component, "Potrzebuję pomocy, mieszkam pod ST4 2DX", entities=[postcode, stale]
    )
    assert languages == ["pl"]
    assert postcode in message.get("entities")


@pytest.mark.parametrize("text", ["", "   ", None, 42, "👍", "\x00"])
def test_odd_text_is_ignored(component, text):
    message = Message(data={"text": text, "intent": {"name": "greet", "confidence": 1.0}})
    component.process([message])
    assert message.get("intent")["name"] == "greet"


def test_greeting_shared_by_two_languages_switches_to_neither():
    lexicon = Lexicon({"ro": {"greet": ("salut",)}, "fr": {"greet": ("salut", "bonjour")}})
    assert lexicon.greeting_language("Salut!") is None
    assert lexicon.greeting_language("bonjour") == "fr"


def test_no_greeting_is_a_short_english_message(component):
    lexicon = component._lexicon
    for text in SHORT_ENGLISH:
        assert lexicon.greeting_language(text) is None, text


def _english_examples() -> list[str]:
    """Every resident message of the English training data and the held-out set."""
    import re

    from bot.settings import REPO_ROOT

    annotation = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
    texts = []
    for path in [
        REPO_ROOT / "tests/nlu/heldout.yml",
        *sorted((REPO_ROOT / "data/nlu").glob("*.yml")),
    ]:
        for item in load_yaml(path.read_text(encoding="utf-8")).get("nlu") or []:
            for line in (item.get("examples") or "").splitlines():
                text = annotation.sub(r"\1", line.strip().removeprefix("- ").strip())
                if text:
                    texts.append(text)
    return texts


def test_no_english_training_or_heldout_message_changes_intent(component):
    # The component must not change what English messages are classified as.
    texts = _english_examples()
    assert len(texts) > 1000
    changed = []
    for text in texts:
        message, languages = _run(component, text, intent="thank", confidence=0.7)
        if languages not in ([], ["en"]) or message.get("intent")["name"] != "thank":
            changed.append((text, languages))
    assert changed == []


def _detected(message) -> list[str]:
    return [e["value"] for e in message.get("entities") if e["entity"] == "detected_language"]


@pytest.mark.parametrize(
    "text,code",
    [
        ("Chciałbym zapytać, jak zapłacić podatek za mieszkanie w tym roku", "pl"),
        ("dzień dobry", "pl"),
        ("میرا شوہر مجھے مارتا ہے اور مجھے گھر جانے سے ڈر لگتا ہے", "ur"),
        ("Eu não sei pagar a minha conta da câmara municipal", "pt"),
    ],
)
def test_another_language_is_remembered_as_the_detected_language(component, text, code):
    message, languages = _run(component, text)
    assert languages == [code]
    assert _detected(message) == [code]


@pytest.mark.parametrize("text", ["I need help with my council tax bill please", "ok", "tak"])
def test_english_or_short_text_leaves_the_detected_language_alone(component, text):
    message, _ = _run(component, text)
    assert _detected(message) == []


@pytest.mark.parametrize(
    "text,expected",
    [
        ("ਹਾਂ", "ਹਾਂ"),  # vowel signs carry the vowel: not the same word as ਹੈ
        ("হ্যাঁ!", "হ্যাঁ"),
        ("لا، شكراً", "لا شكرا"),  # Arabic vowel marks are optional
        ("Tak, proszę!", "tak proszę"),
        ("bună-ziua", "bună-ziua"),
    ],
)
def test_normalising_keeps_what_makes_a_word(text, expected):
    assert _normalise(text) == expected
    assert _normalise("ਹਾਂ") != _normalise("ਹੈ")


@pytest.mark.parametrize(
    "text,intent",
    [
        ("tak", "affirm"),
        ("Tak, proszę", "affirm"),
        ("Nie.", "deny"),
        ("nie, dziękuję", "deny"),
        ("da", "affirm"),
        ("Nu, mulțumesc", "deny"),
        ("áno", "affirm"),
        ("haan ji", "affirm"),
        ("nahin", "deny"),
        ("ہاں", "affirm"),
        ("جی نہیں", "deny"),
        ("نہیں", "deny"),
        ("ਹਾਂ ਜੀ", "affirm"),
        ("ਨਹੀਂ", "deny"),
        ("نعم", "affirm"),
        ("لا، شكراً", "deny"),
        ("হ্যাঁ", "affirm"),
        ("না", "deny"),
    ],
)
def test_yes_and_no_in_other_languages_answer_without_switching(component, text, intent):
    message, languages = _run(component, text, intent="nlu_fallback", confidence=0.3)
    assert message.get("intent") == {"name": intent, "confidence": 1.0}
    assert message.get("intent_ranking") == [{"name": intent, "confidence": 1.0}]
    assert languages == [] and _detected(message) == []


@pytest.mark.parametrize("text", ["yes", "no", "ok", "nah", "yes please", "no ta"])
def test_english_yes_and_no_are_left_to_the_english_model(component, text):
    message, _ = _run(component, text, intent="affirm", confidence=0.8)
    assert message.get("intent") == {"name": "affirm", "confidence": 0.8}


def test_no_inside_a_sentence_is_not_an_answer(component):
    message, languages = _run(component, "Nie mam gdzie spać dziś w nocy, pomocy")
    assert languages == ["pl"]
    assert message.get("intent")["name"] == "urgent_help"


def test_an_answer_never_takes_urgent_help_away(component):
    message, _ = _run(component, "nie", intent="urgent_help")
    assert message.get("intent")["name"] == "urgent_help"


def test_a_word_that_is_yes_in_one_language_and_no_in_another_means_nothing():
    lexicon = Lexicon({"xx": {"affirm": ("na", "tak")}, "yy": {"deny": ("na", "nie")}})
    assert lexicon.answer("na") is None
    assert lexicon.answer("Tak!") == "affirm"
    assert lexicon.answer("nie") == "deny"
    assert lexicon.answer("tak tak i nie") is None


def test_no_answer_word_is_a_short_english_message(component):
    for text in SHORT_ENGLISH:
        assert component._lexicon.answer(text) is None, text


@pytest.mark.parametrize(
    "text,intent",
    [
        ("مینوں گھر وچ ڈر لگدا اے، میرا گھر والا مینوں ماردا اے", "urgent_help"),
        ("کی حال اے", "greet"),
        ("میں کونسل ٹیکس دینا چاہندا آں پر مینوں طریقہ نئیں پتا", "nlu_fallback"),
    ],
)
def test_punjabi_in_shahmukhi_is_punjabi_written_in_arabic_script(component, text, intent):
    message, languages = _run(component, text)
    assert languages == ["pa"]
    assert _detected(message) == ["pa-Arab"]
    assert message.get("intent")["name"] == intent


def test_punjabi_in_gurmukhi_is_plain_punjabi(component):
    message, languages = _run(component, "ਮੇਰਾ ਪਤੀ ਮੈਨੂੰ ਮਾਰਦਾ ਹੈ ਅਤੇ ਮੈਨੂੰ ਡਰ ਲੱਗਦਾ ਹੈ")
    assert languages == ["pa"] and _detected(message) == ["pa"]


@pytest.mark.parametrize("text,intent", [("آہو جی", "affirm"), ("نئیں", "deny")])
def test_shahmukhi_yes_and_no(component, text, intent):
    message, languages = _run(component, text, intent="nlu_fallback")
    assert message.get("intent")["name"] == intent and languages == []


@pytest.mark.parametrize(
    "text,code",
    [
        ("On zabrał mi paszport i nie pozwala mi wyjść z domu", "pl"),
        ("Părinții mă obligă să mă mărit cu un bărbat pe care nu-l cunosc", "ro"),
        ("Rodičia ma nútia vydať sa za cudzieho muža", "sk"),
        ("بچے دو دن سے بھوکے ہیں، کھانے کو کچھ نہیں", "ur"),
        ("ਅਸੀਂ ਕਾਰ ਵਿੱਚ ਸੌਂ ਰਹੇ ਹਾਂ", "pa"),
        ("امی ڈگ پئی اے تے اٹھ نئیں سکدی", "pa"),
        ("একজন অচেনা লোক আমার মেয়ের কাছে ছবি চাইছে", "bn"),
        ("الجارة تترك الأطفال وحدهم في البيت طوال الليل", "ar"),
    ],
)
def test_a_crisis_without_the_obvious_words_is_urgent_help(component, text, code):
    # Issue #14: passport taken, forced marriage, hungry children, sleeping in the car,
    # a fall, a stranger asking a child for photos, children left alone.
    message, languages = _run(component, text, intent="council_tax", confidence=0.95)
    assert languages == [code]
    assert message.get("intent") == {"name": "urgent_help", "confidence": 1.0}


@pytest.mark.parametrize(
    "text,code",
    [
        ("Śmieciarka nie zabrała mi pojemnika w tym tygodniu", "pl"),
        ("Pe strada mea este o groapă mare, e un pericol pentru mașini", "ro"),
        ("Na ceste je veľká jama, je to nebezpečné pre autá", "sk"),
        ("اس گڑھے سے حادثے کا خطرہ ہے", "ur"),
        ("ਸਾਡੀ ਸੜਕ ਤੇ ਵੱਡਾ ਟੋਆ ਹੈ, ਬਹੁਤ ਖ਼ਤਰਨਾਕ ਹੈ", "pa"),
        ("আমাদের রাস্তায় বড় গর্ত, খুব বিপজ্জনক", "bn"),
        ("الحفرة تشكل خطرا على السيارات", "ar"),
    ],
)
def test_a_dangerous_pothole_is_not_a_crisis_in_other_languages(component, text, code):
    # A hazard in the street is a report, not a person in danger: the crisis phrases say
    # "I am in danger", not "danger" (issue #14).
    message, languages = _run(component, text, intent="report_pothole", confidence=0.9)
    assert languages == [code]
    assert message.get("intent")["name"] == "nlu_fallback"
