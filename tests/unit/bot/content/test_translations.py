"""The translations in kb/translations and the domain file generated from them."""

from __future__ import annotations

import re

import pytest
from rasa.core.nlg.generator import ResponseVariationFilter
from rasa.core.nlg.interpolator import interpolate

from bot.channels.rest import clean_message
from bot.content import translations
from bot.content.translations import (
    DOMAIN_FILE,
    load_source,
    load_translations,
    placeholders,
    render_domain,
)
from lib.yaml_files import load_yaml

REQUIRED_LANGUAGES = ("pl", "ro", "ur", "pa", "ar", "bn", "sk")
SOURCE = load_source()
TRANSLATIONS = load_translations()
PAIRS = [(code, name) for code in sorted(TRANSLATIONS) for name in sorted(SOURCE)]
#: Placeholders a translation must keep: what the resident needs to act on.
MUST_KEEP = re.compile(r"_phone(_spoken)?$|^triage_reference$")
#: Forced direction marks and embeddings: right-to-left text must rely on dir="auto".
DIRECTION_MARKS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


#: Conversation repair a resident can meet in another language (issue #16): stopping a
#: form, coming back after a digression, a person after two misses, and the hand-off
#: form's ways to be reached without a phone or e-mail. Each is said in every language.
REPAIR_RESPONSES = (
    "utter_ask_form_stop_confirm",
    "utter_ask_report_form_form_stop_confirm",
    "utter_form_stopped",
    "utter_ask_form_resume_confirm",
    "utter_ask_form_danger_check",
    "utter_ask_form_offer_person",
    "utter_handoff_contact_not_valid",
    "utter_ask_handoff_method",
    "utter_ask_handoff_method_assisted",
    "utter_handoff_method_not_understood",
    "utter_ask_handoff_address",
    "utter_handoff_address_not_valid",
    "utter_handoff_created_post",
    "utter_handoff_created_call_in",
    "utter_handoff_created_library",
)


#: The newer repair replies (issue #16): the report's check screen, the PC booking and
#: cancellation read-back and confirmation, and the offer of a request made earlier.
CHECK_AND_CONFIRM_RESPONSES = (
    "utter_check_report_heading",
    "utter_check_report_problem",
    "utter_check_report_answers",
    "utter_check_report_place",
    "utter_check_report_description",
    "utter_check_report_danger_yes",
    "utter_check_report_danger_no",
    "utter_check_report_contact_phone",
    "utter_check_report_contact_email",
    "utter_check_report_no_contact",
    "utter_ask_confirm_report",
    "utter_check_report_not_understood",
    "utter_ask_book_confirm",
    "utter_booking_not_made",
    "utter_booking_confirm_required",
    "utter_ask_cancel_confirm",
    "utter_booking_kept",
    "utter_booking_made",
    "utter_booking_cancelled",
    "utter_pending_request_offer",
    "utter_pending_request_press",
)
#: Button payloads that carry a placeholder, as Rasa fills them before a resident sees them.
PAYLOAD_VALUES = {"pending_intent": "council_tax_account"}


def _english(name: str, voice: bool) -> list[dict]:
    return [v for v in SOURCE[name] if (v.get("channel") == "twilio_voice") == voice]


def _all_texts(entry: dict) -> list[str]:
    texts = [entry["text"], entry.get("voice") or ""]
    texts += [b["title"] for b in entry.get("buttons") or []]
    return texts


def test_required_languages_are_translated():
    assert set(REQUIRED_LANGUAGES) <= set(TRANSLATIONS)


def test_generated_domain_is_up_to_date():
    assert DOMAIN_FILE.read_text(encoding="utf-8") == render_domain(), (
        "domain/languages.yml is out of date: run python -m bot.content.translations"
    )


def test_check_mode_reports_a_stale_file(tmp_path, monkeypatch):
    stale = tmp_path / "languages.yml"
    stale.write_text("# old\n", encoding="utf-8")
    monkeypatch.setattr(translations, "DOMAIN_FILE", stale)
    assert translations.main(["--check"]) == 1
    assert translations.main([]) == 0
    assert translations.main(["--check"]) == 0


@pytest.mark.parametrize("code", sorted(TRANSLATIONS))
def test_every_language_has_every_response(code):
    assert set(TRANSLATIONS[code].responses) == set(SOURCE)


@pytest.mark.parametrize("code", sorted(TRANSLATIONS))
def test_every_translation_says_it_needs_a_qualified_translator(code):
    path = translations.TRANSLATIONS_DIR / f"{code}.yml"
    header = path.read_text(encoding="utf-8").split("\nlanguage:")[0]
    assert "qualified translator" in header
    review = TRANSLATIONS[code].review
    assert review["source"] == "kb/translations/en.yml"
    assert review["status"] in {"draft", "checked"}
    if review["status"] == "checked":
        assert review["translator"] and review["checked"]


@pytest.mark.parametrize("code,name", PAIRS)
def test_placeholders_are_consistent(code, name):
    entry = TRANSLATIONS[code].responses[name]
    for voice, text in ((False, entry["text"]), (True, entry.get("voice"))):
        english = _english(name, voice)
        if not english:
            continue
        assert text, f"{code}/{name}: English has a voice variant, so the translation needs one"
        allowed = set().union(*(placeholders(v["text"]) for v in english))
        found = placeholders(text)
        assert found <= allowed, f"{code}/{name}: unknown placeholders {found - allowed}"
        default = next((v for v in english if not v.get("condition")), english[0])
        needed = {p for p in placeholders(default["text"]) if MUST_KEEP.search(p)}
        assert needed <= found, f"{code}/{name}: missing {needed - found}"


@pytest.mark.parametrize("code", sorted(TRANSLATIONS))
def test_button_payloads_pass_the_rest_channel(code):
    for name, entry in TRANSLATIONS[code].responses.items():
        for button in entry.get("buttons") or []:
            payload = interpolate(button["payload"], PAYLOAD_VALUES)
            assert clean_message(payload) == payload, (code, name)


@pytest.mark.parametrize("code", sorted(TRANSLATIONS))
def test_no_forced_direction_marks(code):
    for name, entry in TRANSLATIONS[code].responses.items():
        for text in _all_texts(entry):
            assert not DIRECTION_MARKS.search(text), (code, name)


@pytest.mark.parametrize("code", sorted(TRANSLATIONS))
def test_every_language_understands_greetings_and_urgent_help(code):
    understand = TRANSLATIONS[code].understand
    assert len(understand.get("greet", ())) >= 2
    assert len(understand.get("urgent_help", ())) >= 8


@pytest.mark.parametrize("code", sorted(TRANSLATIONS))
def test_every_language_understands_yes_and_no(code):
    understand = TRANSLATIONS[code].understand
    assert len(understand.get("affirm", ())) >= 2
    assert len(understand.get("deny", ())) >= 2
    assert not set(understand["affirm"]) & set(understand["deny"])


def test_urgent_help_keeps_every_safety_number_in_every_language():
    domain = load_yaml(DOMAIN_FILE.read_text(encoding="utf-8"))
    values = {
        "emergency_phone": "999",
        "samaritans_phone": "116 123",
        "domestic_abuse_phone": "0808 2000 247",
        "emergency_housing_phone": "01782 234234",
        "council_name": "Stoke-on-Trent City Council",
    }
    for tag, translation in TRANSLATIONS.items():
        [variation] = ResponseVariationFilter(domain["responses"]).responses_for_utter_action(
            "utter_urgent_help", "rest", {"language": translation.code, "detected_language": tag}
        )
        text = interpolate(variation["text"], values)
        for number in ("999", "116 123", "0808 2000 247", "01782 234234"):
            assert number in text, (tag, text)
        assert variation["text"] == translation.responses["utter_urgent_help"]["text"]


@pytest.mark.parametrize("code", sorted(TRANSLATIONS))
def test_rasa_picks_the_language_variation_on_every_channel(code):
    domain = load_yaml(DOMAIN_FILE.read_text(encoding="utf-8"))
    chooser = ResponseVariationFilter(domain["responses"])
    slots = {
        "language": TRANSLATIONS[code].code,
        "detected_language": code,
        "triage_urgent": True,
        "handoff_consent": True,
    }
    for name in SOURCE:
        for channel in ("rest", "twilio_voice"):
            chosen = chooser.responses_for_utter_action(name, channel, slots)
            assert len(chosen) == 1, (code, name, channel)
            expected = TRANSLATIONS[code].responses[name]
            wanted = expected.get("voice") if channel == "twilio_voice" else None
            assert chosen[0]["text"] == (wanted or expected["text"]), (code, name, channel)


def test_english_is_unchanged_for_english_conversations():
    domain = load_yaml(DOMAIN_FILE.read_text(encoding="utf-8"))
    chooser = ResponseVariationFilter(domain["responses"])
    urgent = chooser.responses_for_utter_action(
        "utter_ask_handoff_consent", "rest", {"language": "en", "triage_urgent": True}
    )
    assert [v["text"] for v in urgent] == [SOURCE["utter_ask_handoff_consent"][0]["text"]]
    plain = chooser.responses_for_utter_action(
        "utter_ask_handoff_consent", "rest", {"language": "en", "triage_urgent": False}
    )
    assert [v["text"] for v in plain] == [SOURCE["utter_ask_handoff_consent"][1]["text"]]


def test_language_button_payload_survives_rasa_interpolation():
    domain = load_yaml(DOMAIN_FILE.read_text(encoding="utf-8"))
    [variation] = ResponseVariationFilter(domain["responses"]).responses_for_utter_action(
        "utter_greet", "rest", {"language": "pl"}
    )
    buttons = interpolate(variation["buttons"], {"language": "pl", "council_name": "X"})
    assert buttons[-1]["payload"] == '/greet{"language":"en"}'


def _greet_buttons(slots: dict, channel: str = "rest") -> list[list[dict]]:
    domain = load_yaml(DOMAIN_FILE.read_text(encoding="utf-8"))
    chosen = ResponseVariationFilter(domain["responses"]).responses_for_utter_action(
        "utter_greet", channel, slots
    )
    return [interpolate(v.get("buttons") or [], {"council_name": "X"}) for v in chosen]


@pytest.mark.parametrize("code", sorted(TRANSLATIONS))
def test_english_greeting_offers_a_button_back_to_the_residents_language(code):
    [buttons] = _greet_buttons({"language": "en", "detected_language": code})
    english = [b["payload"] for b in SOURCE["utter_greet"][0]["buttons"]]
    assert [b["payload"] for b in buttons[:-1]] == english
    back = buttons[-1]
    assert back == {
        "title": TRANSLATIONS[code].native_name,
        "payload": f'/greet{{"language":"{TRANSLATIONS[code].code}"}}',
    }
    assert clean_message(back["payload"]) == back["payload"]


@pytest.mark.parametrize("detected", ["pa", None])
def test_punjabi_in_gurmukhi_or_unknown_script_gets_gurmukhi(detected):
    domain = load_yaml(DOMAIN_FILE.read_text(encoding="utf-8"))
    chooser = ResponseVariationFilter(domain["responses"])
    slots = {"language": "pa", "detected_language": detected}
    for name in SOURCE:
        [chosen] = chooser.responses_for_utter_action(name, "rest", slots)
        assert chosen["text"] == TRANSLATIONS["pa"].responses[name]["text"], name


def test_punjabi_in_shahmukhi_is_answered_in_arabic_script_asking_for_punjabi():
    shahmukhi = TRANSLATIONS["pa-Arab"]
    assert shahmukhi.code == "pa" and shahmukhi.script == "Arab"
    assert "Punjabi" in shahmukhi.responses["utter_interpreter_offer"]["text"]
    for name, entry in shahmukhi.responses.items():
        for text in _all_texts(entry):
            assert "Urdu" not in text and "اردو" not in text, name
            assert not re.search("[\u0a00-\u0a7f]", text), name  # no Gurmukhi


def test_the_button_back_leads_to_the_language_which_offers_english_again():
    [buttons] = _greet_buttons({"language": "pl", "detected_language": "pl"})
    assert buttons[-1]["payload"] == '/greet{"language":"en"}'


@pytest.mark.parametrize("detected", [None, "pt", "en"])
def test_no_button_back_without_a_translated_own_language(detected):
    [buttons] = _greet_buttons({"language": "en", "detected_language": detected})
    assert buttons == SOURCE["utter_greet"][0]["buttons"]


def test_the_phone_line_keeps_its_english_greeting_after_switching():
    slots = {"language": "en", "detected_language": "pl"}
    domain = load_yaml(DOMAIN_FILE.read_text(encoding="utf-8"))
    [voice] = ResponseVariationFilter(domain["responses"]).responses_for_utter_action(
        "utter_greet", "twilio_voice", slots
    )
    assert voice["text"] == _english("utter_greet", voice=True)[0]["text"]


def test_switch_back_refuses_a_reply_with_conditional_variations(tmp_path):
    (tmp_path / "en.yml").write_text(
        "language: en\nswitch_back: [utter_x]\nresponses:\n"
        "  utter_x: [{text: hi, condition: [{type: slot, name: a, value: true}]}, {text: hi}]\n"
    )
    with pytest.raises(ValueError, match="conditional"):
        translations.load_switch_back(tmp_path)
    (tmp_path / "en.yml").write_text(
        "language: en\nswitch_back: [utter_y]\nresponses: {utter_x: [{text: hi}]}\n"
    )
    with pytest.raises(ValueError, match="utter_y"):
        translations.load_switch_back(tmp_path)


SCRIPT_VARIANT_FILES = {
    "en.yml": "language: en\nswitch_back: [utter_x]\nresponses: {utter_x: [{text: hi}]}\n",
    "xx.yml": "language: xx\nnative_name: Main\nresponses: {utter_x: {text: main}}\n"
    "understand: {greet: [hallo]}\n",
    "xx-Arab.yml": "language: xx\nscript: Arab\nnative_name: Variant\n"
    "responses: {utter_x: {text: variant}}\nunderstand: {greet: [salam]}\n",
    "yy.yml": "language: yy\nresponses: {utter_x: {text: other}}\n",
}


@pytest.fixture
def script_variants(tmp_path):
    for name, text in SCRIPT_VARIANT_FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "slots,text",
    [
        ({"language": "xx", "detected_language": "xx-Arab"}, "variant"),
        ({"language": "xx", "detected_language": "xx"}, "main"),
        ({"language": "xx", "detected_language": None}, "main"),
        ({"language": "yy", "detected_language": "xx-Arab"}, "other"),
        ({"language": "yy", "detected_language": None}, "other"),
        ({"language": "en", "detected_language": "xx-Arab"}, "hi"),
    ],
)
def test_a_script_variant_answers_only_residents_who_write_in_that_script(
    script_variants, slots, text
):
    responses = translations.build_responses(script_variants)
    chosen = ResponseVariationFilter(responses).responses_for_utter_action("utter_x", "rest", slots)
    assert [v["text"] for v in chosen] == [text]


def test_a_script_variant_has_its_own_button_back_and_adds_to_the_lexicon(script_variants):
    responses = translations.build_responses(script_variants)
    [english] = ResponseVariationFilter(responses).responses_for_utter_action(
        "utter_x", "rest", {"language": "en", "detected_language": "xx-Arab"}
    )
    assert english["buttons"] == [{"title": "Variant", "payload": '/greet{{"language":"xx"}}'}]
    found = load_translations(script_variants)
    assert found["xx-Arab"].tag == "xx-Arab" and found["xx-Arab"].code == "xx"
    assert set(translations.lexicons(script_variants)["xx"]["greet"]) == {"hallo", "salam"}


def test_malformed_script_variant_is_refused(tmp_path):
    (tmp_path / "xx-Arab.yml").write_text("language: xx\nscript: arabic\nresponses: {}\n")
    with pytest.raises(ValueError, match="ISO 15924"):
        load_translations(tmp_path)
    (tmp_path / "xx-Arab.yml").write_text("language: xx\nresponses: {}\n")
    with pytest.raises(ValueError, match="two-letter code"):
        load_translations(tmp_path)


def test_malformed_translation_is_refused(tmp_path):
    (tmp_path / "en.yml").write_text("language: en\nresponses: {utter_x: [{text: hi}]}\n")
    (tmp_path / "pl.yml").write_text("language: pl\nresponses: {utter_x: {voice: x}}\n")
    with pytest.raises(ValueError, match="pl.yml"):
        load_translations(tmp_path)
    (tmp_path / "pl.yml").write_text("language: de\nresponses: {}\n")
    with pytest.raises(ValueError, match="two-letter code"):
        load_translations(tmp_path)


@pytest.mark.parametrize("name", REPAIR_RESPONSES)
def test_conversation_repair_is_translated_in_every_language(name):
    assert name in SOURCE, f"{name} must move to kb/translations/en.yml to be translated"
    for code in REQUIRED_LANGUAGES:
        assert name in TRANSLATIONS[code].responses, (code, name)


@pytest.mark.parametrize(
    "code,name", [(c, n) for c in sorted(TRANSLATIONS) for n in REPAIR_RESPONSES]
)
def test_repair_buttons_keep_the_english_payloads(code, name):
    """Typed answers are read in English, so a translated button sends the English answer."""
    [web] = [v for v in SOURCE[name] if not v.get("channel") and not v.get("condition")]
    english = [b["payload"] for b in web.get("buttons") or []]
    translated = [b["payload"] for b in TRANSLATIONS[code].responses[name].get("buttons") or []]
    assert translated == english


@pytest.mark.parametrize("name", CHECK_AND_CONFIRM_RESPONSES)
def test_check_screen_booking_read_back_and_offer_are_in_every_language(name):
    assert name in SOURCE, f"{name} must move to kb/translations/en.yml to be translated"
    for code in TRANSLATIONS:
        entry = TRANSLATIONS[code].responses.get(name)
        assert entry and entry.get("voice"), (code, name)
        for voice, text in ((False, entry["text"]), (True, entry["voice"])):
            [english] = [v for v in _english(name, voice) if not v.get("condition")]
            assert placeholders(text) == placeholders(english["text"]), (code, name, voice)


@pytest.mark.parametrize(
    "code,name", [(c, n) for c in sorted(TRANSLATIONS) for n in CHECK_AND_CONFIRM_RESPONSES]
)
def test_check_and_confirm_buttons_keep_the_english_payloads_and_placeholders(code, name):
    [web] = [v for v in SOURCE[name] if not v.get("channel") and not v.get("condition")]
    english = web.get("buttons") or []
    translated = TRANSLATIONS[code].responses[name].get("buttons") or []
    assert [b["payload"] for b in translated] == [b["payload"] for b in english]
    for ours, theirs in zip(translated, english, strict=True):
        assert placeholders(ours["title"]) == placeholders(theirs["title"]), (code, name)


def test_a_placeholder_in_a_button_payload_is_left_for_rasa_to_fill():
    domain = load_yaml(DOMAIN_FILE.read_text(encoding="utf-8"))
    chooser = ResponseVariationFilter(domain["responses"])
    for slots in ({"language": "pl"}, {"language": "en"}):
        [offer] = chooser.responses_for_utter_action("utter_pending_request_offer", "rest", slots)
        buttons = interpolate(offer["buttons"], PAYLOAD_VALUES)
        assert [b["payload"] for b in buttons] == ["/council_tax_account", "/deny"], slots
    [greet] = chooser.responses_for_utter_action("utter_greet", "rest", {"language": "pl"})
    assert interpolate(greet["buttons"], {})[-1]["payload"] == '/greet{"language":"en"}'
