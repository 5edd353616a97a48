"""Which languages a user simulator speaks, and the refusal when a persona's is not one of them.

A persona's ``language`` is a BCP 47 tag (``en-US``, ``es-MX``). A simulator class declares the
languages it speaks as primary subtags in ``UserSimulator.languages`` (``("en",)``: English in
any region), or None when it speaks any language (the LLM simulator, told which one in its
prompt). The offline simulator words every turn from English phrase lists, so it speaks English
only; a persona in another language is never played in English:

* ``understudy validate`` warns on the persona file's ``language`` line (and on the ``persona``
  line of a scenario whose persona it is), listing the supported languages;
* ``stress-test`` and ``practice`` refuse to start (exit 2) before the first conversation, with
  the same list and what to do instead (``--simulator llm``, or another language).

``language_name("es-MX")`` gives "Spanish (es-MX)" for prompts and messages.
"""

from __future__ import annotations

from pathlib import Path

from understudy.domain.persona import Persona
from understudy.errors import ConfigError, ContentProblem

DEFAULT_SIMULATOR = "offline"
"""The simulator ``stress-test`` and ``practice`` use unless told otherwise."""

NAMES: dict[str, str] = {
    "ar": "Arabic",
    "bn": "Bengali",
    "ca": "Catalan",
    "cs": "Czech",
    "cy": "Welsh",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian",
    "fi": "Finnish",
    "fil": "Filipino",
    "fr": "French",
    "ga": "Irish",
    "he": "Hebrew",
    "hi": "Hindi",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "ms": "Malay",
    "nb": "Norwegian",
    "nl": "Dutch",
    "no": "Norwegian",
    "pa": "Punjabi",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sv": "Swedish",
    "sw": "Swahili",
    "ta": "Tamil",
    "th": "Thai",
    "tl": "Tagalog",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "yue": "Cantonese",
    "zh": "Chinese",
}
"""English names of common primary language subtags (others are shown as their tag)."""


_LINES: dict[str, dict[str, str]] = {
    "apology": {
        "en": "Sorry, I don't have that information.",
        "es": "Lo siento, no tengo esa información.",
        "fr": "Désolé, je n'ai pas cette information.",
        "de": "Tut mir leid, diese Information habe ich nicht.",
        "pt": "Desculpe, não tenho essa informação.",
        "it": "Mi dispiace, non ho questa informazione.",
        "nl": "Sorry, die informatie heb ik niet.",
    },
    "disagree": {
        "en": "No, I don't think so.",
        "es": "No, no lo creo.",
        "fr": "Non, je ne pense pas.",
        "de": "Nein, das glaube ich nicht.",
        "pt": "Não, acho que não.",
        "it": "No, non credo.",
        "nl": "Nee, dat denk ik niet.",
    },
}


def own_line(kind: str, tag: str) -> str:
    """A line understudy itself adds to a model's customer turn, in the persona's language.

    ``kind`` is ``apology`` (a value the customer does not know was dropped) or ``disagree``
    (an agreement with blame was removed). Returns "" for a language without the line, so
    nothing is ever added in English to a call in another language.
    """
    lines = _LINES[kind]
    return lines.get(primary(tag), "") if primary(tag) != "en" else lines["en"]


def primary(tag: str) -> str:
    """Return the primary language subtag of a BCP 47 tag, lower-cased (``es-MX`` -> ``es``)."""
    return tag.split("-", 1)[0].lower()


def language_name(tag: str) -> str:
    """Return ``"Spanish (es-MX)"`` for ``es-MX``; the tag alone when the language is unnamed."""
    name = NAMES.get(primary(tag))
    return f"{name} ({tag})" if name else tag


def supported_list(languages: tuple[str, ...]) -> str:
    """Describe supported primary subtags: ``"English (en, any region: en-US, en-GB...)"``."""
    return ", ".join(
        f"{NAMES.get(code, code)} ({code}, any region: {code}-US, {code}-GB...)"
        if code == "en"
        else f"{NAMES.get(code, code)} ({code}, any region)"
        for code in languages
    )


def simulator_languages(kind: str) -> tuple[str, ...] | None:
    """Return the primary subtags the simulator ``kind`` speaks, None for any language.

    Raises:
        NotFoundError: unknown simulator kind.
    """
    from understudy.simulators import SIMULATORS

    return SIMULATORS.get(kind).languages


def language_problem(kind: str, persona: Persona) -> str | None:
    """Return why the simulator ``kind`` cannot play ``persona``'s language, or None when it can.

    Raises:
        NotFoundError: unknown simulator kind.
    """
    languages = simulator_languages(kind)
    if languages is None or primary(persona.language) in languages:
        return None
    return (
        f"persona {persona.id!r} speaks {language_name(persona.language)} (its 'language' "
        f"field), which the {kind} simulator cannot speak; it speaks "
        f"{supported_list(languages)}"
    )


def require_language(kind: str, persona: Persona) -> None:
    """Refuse to play ``persona`` with the simulator ``kind`` when it cannot speak its language.

    Called before the first conversation of a stress test or practice call, so nothing is
    played (and nothing silently in English).

    Raises:
        ConfigError: the language is not spoken; the message names the persona, its language,
            the supported languages and the two ways out.
        NotFoundError: unknown simulator kind.
    """
    problem = language_problem(kind, persona)
    if problem is None:
        return
    from understudy.simulators import SIMULATORS

    speakers = [name for name in SIMULATORS.working() if name != kind and _speaks_any(name)]
    instead = f"use --simulator {speakers[0]}, which speaks it, or " if speakers else ""
    raise ConfigError(
        f"{problem}. Nothing was played: {instead}set the persona's language to a supported one"
    )


def _speaks_any(kind: str) -> bool:
    from understudy.simulators import SIMULATORS

    return SIMULATORS.get(kind).languages is None


def language_warnings(model: object, path: Path) -> list[ContentProblem]:
    """Return the warnings ``understudy validate`` prints for a valid persona or scenario file.

    A persona whose language the offline (default) simulator cannot speak is warned about on
    its ``language`` line; a scenario whose persona is such a persona, on its ``persona`` line.
    The file stays valid: the LLM simulator speaks any language.

    Args:
        model: the loaded file (a ``Persona`` or a ``Scenario``; other kinds give no warning).
        path: the file it was loaded from (for the line numbers).
    """
    from understudy.content.loader import load_yaml_with_lines, read_text
    from understudy.domain.scenario import Scenario
    from understudy.errors import UnderstudyError

    if isinstance(model, Persona):
        persona, field = model, "language"
    elif isinstance(model, Scenario):
        from understudy.content.personas import resolve_persona

        try:
            persona, field = resolve_persona(model.persona, path.parent), "persona"
        except UnderstudyError:  # an unresolvable persona is the scenario checks' error
            return []
    else:
        return []
    problem = language_problem(DEFAULT_SIMULATOR, persona)
    if problem is None:
        return []
    _data, lines = load_yaml_with_lines(read_text(path), path)
    advice = (
        "stress-test and practice refuse it with the offline simulator; "
        "use --simulator llm to play it"
    )
    return [ContentProblem(path, lines.get((field,)), field, f"{problem}; {advice}")]
