"""A Rasa 3.6 NLU component: the language of each message, and what it can really mean.

Listed in ``config.yml`` after every other component, so it sees the English NLU's
answer. For each typed message it runs :func:`bot.language.detect_language`, which keeps
quiet on short or ambiguous text (postcodes, numbers, "ok", names, "hiya"):

* **No clear language**: nothing changes. The ``language`` slot keeps its value, so a
  Polish conversation stays Polish when the resident answers "ok" or "ST4 2DX".
* **English**: a ``language`` entity with value ``en`` (the slot follows the resident
  back to English); the intent is left exactly as the English NLU classified it.
* **Another language**: a ``language`` entity with its code, a ``detected_language``
  entity with its tag (the code, or ``pa-Arab`` for Punjabi in Shahmukhi: the slot
  remembers the resident's own language and script after they switch to English, for
  the button back and the replies' script), and the intent is replaced
  by what the assistant can honestly understand in that language, from the phrases in
  ``kb/translations/<code>.yml`` (``understand``): ``urgent_help`` for crisis words,
  ``greet`` for a greeting, otherwise ``nlu_fallback``, which leads to the offer of a
  person with an interpreter instead of a confident English answer to a question the
  English model could not read. An ``urgent_help`` prediction is never taken away.

A whole message that is just a greeting of one language ("dzień dobry") also switches,
although it is short, and to that language whatever the detector says: the phrase is
distinctive and listed for one language only.

A whole message that is just a yes or a no listed in ``understand`` (``affirm``/``deny``:
"tak", "nu", "ہاں", "না") becomes ``affirm`` or ``deny``, whatever the English model made
of it, so residents can answer the hand-off questions in their own words. It never
switches language: such words are too short to tell languages apart ("nie" is Polish and
Slovak), and ``language`` keeps its value. An ``urgent_help`` prediction is kept here too.

The ``language`` and ``detected_language`` slots are filled from the entities by
``from_entity`` mappings (domain/core.yml).
Button payloads (``/greet{"language":"pl"}``) bypass the component: Rasa parses them itself.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.language import detect_language, language_tag
from bot.nlu.component import RuleComponent, knowledge_path

logger = logging.getLogger(__name__)

LANGUAGE_ENTITY = "language"
#: The resident's own language when it is not English; its slot survives a switch to English.
DETECTED_LANGUAGE_ENTITY = "detected_language"
ENGLISH = "en"
URGENT_INTENT = "urgent_help"
GREET_INTENT = "greet"
AFFIRM_INTENT = "affirm"
DENY_INTENT = "deny"
NOT_UNDERSTOOD_INTENT = "nlu_fallback"
#: Checked in this order: a crisis word wins over a greeting in the same message.
UNDERSTOOD_INTENTS = (URGENT_INTENT, GREET_INTENT)
#: Understood only as a whole message: "nie" inside a sentence is not an answer.
ANSWER_INTENTS = (AFFIRM_INTENT, DENY_INTENT)
#: Passed to the detector as "the current language": it comes back when unsure.
_UNDECIDED = ""
#: Kept although they are punctuation: "don't", "bună-ziua".
_WORD_PUNCTUATION = frozenset("'-")
#: Arabic-script vowel marks (harakat, tanween, Quranic signs): optional, so often left out.
_OPTIONAL_MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")


def _normalise(text: str) -> str:
    """Lower case, NFC, punctuation and symbols to spaces, single spaces.

    Vowel signs and other combining marks stay: Gurmukhi, Bengali and Devanagari write
    vowels with them, and without them "ਹਾਂ" (yes) and "ਹੈ" (is) would both be "ਹ". The
    optional vowel marks of Arabic script ("شكراً" or "شكرا") and zero-width joiners are
    dropped: they change how a word looks, not what it says.
    """
    text = _OPTIONAL_MARKS.sub("", unicodedata.normalize("NFC", text).casefold())
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cf":
            continue
        separator = category[0] in "PSZC" and char not in _WORD_PUNCTUATION
        kept.append(" " if separator else char)
    return " ".join("".join(kept).split())


class Lexicon:
    """Greetings, crisis phrases and yes/no answers per language, from ``kb/translations``."""

    def __init__(self, phrases: dict[str, dict[str, tuple[str, ...]]]) -> None:
        """Build from ``{code: {intent: phrases}}``.

        Args:
            phrases: What each language's file lists under ``understand``.
        """
        self._phrases = {
            code: {
                intent: tuple(_normalise(p) for p in found if _normalise(p))
                for intent, found in by_intent.items()
            }
            for code, by_intent in phrases.items()
        }
        owners: dict[str, set[str]] = {}
        for code, by_intent in self._phrases.items():
            for phrase in by_intent.get(GREET_INTENT, ()):
                owners.setdefault(phrase, set()).add(code)
        # A greeting that two languages share ("salam") cannot tell them apart.
        self._greeting_owner = {p: next(iter(c)) for p, c in owners.items() if len(c) == 1}
        meanings: dict[str, set[str]] = {}
        for by_intent in self._phrases.values():
            for intent in ANSWER_INTENTS:
                for phrase in by_intent.get(intent, ()):
                    meanings.setdefault(phrase, set()).add(intent)
        # Shared answers are fine ("nie": no in Polish and Slovak); yes in one language
        # and no in another would be a guess, so such a word means nothing.
        self._answers = {p: next(iter(i)) for p, i in meanings.items() if len(i) == 1}

    @property
    def languages(self) -> frozenset[str]:
        """The languages with a lexicon."""
        return frozenset(self._phrases)

    def understood(self, code: str, text: str) -> str | None:
        """The intent the message clearly expresses in language ``code``, if any."""
        normalised = _normalise(text)
        by_intent = self._phrases.get(code, {})
        for intent in UNDERSTOOD_INTENTS:
            if any(phrase in normalised for phrase in by_intent.get(intent, ())):
                return intent
        return None

    def greeting_language(self, text: str) -> str | None:
        """The language of a message that is nothing but one language's greeting."""
        return self._greeting_owner.get(_normalise(text))

    def answer(self, text: str) -> str | None:
        """``affirm`` or ``deny`` for a message that is nothing but a listed yes or no."""
        return self._answers.get(_normalise(text))


def load_lexicon(translations_dir: Path) -> Lexicon:
    """The lexicon of every translation in ``translations_dir``."""
    from bot.content.translations import lexicons

    return Lexicon(lexicons(translations_dir))


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER,
        DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR,
    ],
    is_trainable=False,
)
class ResidentLanguageClassifier(RuleComponent, EntityExtractorMixin):
    """Adds a ``language`` entity and keeps only what is understood in other languages."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring).

        ``translations_dir`` is where the ``<code>.yml`` files are; empty means the
        ``kb/translations`` folder of the running settings.
        """
        return {"translations_dir": ""}

    def __init__(self, config: dict[str, Any], lexicon: Lexicon | None = None) -> None:
        """Creates the component.

        Args:
            config: the default config updated with the pipeline entry.
            lexicon: the phrases to use; loaded from ``translations_dir`` when omitted.
        """
        if lexicon is None:
            lexicon = load_lexicon(knowledge_path(config, "translations_dir", "translations"))
        self._lexicon = lexicon

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds the language entity and, for another language, the understood intent.

        Args:
            messages: the messages to process.

        Returns:
            The same messages.
        """
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text.strip() or text.startswith("/"):
                continue
            answer = self._lexicon.answer(text)
            if answer is not None:
                self._set_intent(message, answer, keep_urgent=True)
                continue
            # A whole-message greeting listed for one language is the surest sign of all:
            # "کی حال اے" has too few grammar words to read as Punjabi rather than Urdu.
            code = self._lexicon.greeting_language(text) or detect_language(
                text, current=_UNDECIDED
            )
            if code == _UNDECIDED:
                continue
            found = {LANGUAGE_ENTITY: code}
            if code != ENGLISH:
                found[DETECTED_LANGUAGE_ENTITY] = language_tag(text, code)
            self._set_entities(message, text, found)
            if code != ENGLISH:
                self._keep_only_understood(message, text, code)
        return messages

    def _set_entities(self, message: Message, text: str, values: dict[str, str]) -> None:
        """Add one whole-message entity per type in ``values``, replacing older ones."""
        entities = [
            entity
            for entity in message.get(ENTITIES) or []
            if entity.get(ENTITY_ATTRIBUTE_TYPE) not in (LANGUAGE_ENTITY, DETECTED_LANGUAGE_ENTITY)
        ]
        for entity_type, value in values.items():
            entities.append(
                {
                    ENTITY_ATTRIBUTE_TYPE: entity_type,
                    ENTITY_ATTRIBUTE_START: 0,
                    ENTITY_ATTRIBUTE_END: len(text),
                    ENTITY_ATTRIBUTE_VALUE: value,
                    ENTITY_ATTRIBUTE_CONFIDENCE: 1.0,
                    EXTRACTOR: self.name,
                }
            )
        message.set(ENTITIES, entities, add_to_output=True)

    def _keep_only_understood(self, message: Message, text: str, code: str) -> None:
        """Replace the English model's guess by what the lexicon really understands."""
        intent = self._lexicon.understood(code, text) or NOT_UNDERSTOOD_INTENT
        self._set_intent(message, intent, keep_urgent=intent == NOT_UNDERSTOOD_INTENT)
        logger.debug("language %s: intent %s", code, intent)

    @staticmethod
    def _set_intent(message: Message, intent: str, keep_urgent: bool) -> None:
        """Make ``intent`` the only, certain intent of ``message``.

        Args:
            message: The message to change.
            intent: The intent it expresses.
            keep_urgent: Keep an ``urgent_help`` prediction instead: a missed crisis costs
                far more than a false one.
        """
        predicted = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if keep_urgent and predicted == URGENT_INTENT:
            intent = URGENT_INTENT
        chosen = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
        message.set(INTENT, chosen, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [dict(chosen)], add_to_output=True)
