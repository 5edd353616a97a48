"""The line settings of a voice call: who speaks first, the opening line, the time limit, what
happens after a silence, and whether the audio is kept.

A scenario may name the agent persona whose role the trainee plays (``agent_persona``). On a
voice call, that persona's voice configuration for the customer's language (its ``locale``, or
one of the same language: ``AgentPersona.voice_for``) sets the line up:

==================  ================================================================
setting             on the voice call
==================  ================================================================
``first_speaker``   who opens: ``agent`` (the trainee) or ``customer``
``first_message``   when the agent opens, this line is the agent's first turn, spoken
                    in the configuration's ``voice`` before the trainee takes over
``max_duration_s``  the call's time limit (the scenario's ``time_limit_s`` when shorter)
``silence_timeout``  after this many seconds with nobody speaking the customer asks
                    whether the trainee is still there; a second silence as long ends
                    the call
``recording``       false: no audio is stored (the transcript and turn times are)
==================  ================================================================

Without ``agent_persona`` (or without a voice configuration), the scenario's own
``first_speaker`` and ``time_limit_s`` apply, there is no silence timeout and the audio is
stored. The version played is the persona's production version when it has one, else its draft.
"""

from __future__ import annotations

from dataclasses import dataclass

from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import Role

PRESENCE_CHECK = "Hello? Are you still there?"
"""What the customer says after the first silence of ``silence_timeout_s``."""


@dataclass(frozen=True)
class LineSettings:
    """How a voice call's line behaves (see the module docstring).

    Attributes:
        first_speaker: who opens the call.
        first_message: the agent's opening line, spoken for it ("" for none).
        agent_voice: the eSpeak NG voice of ``first_message``.
        time_limit_s: the call's time limit in seconds.
        silence_timeout_s: seconds of silence before the presence check, then the end; None
            for no timeout.
        recording: whether the call's audio is stored.
        source: the agent persona and locale the settings came from ("" for the scenario's).
    """

    first_speaker: Role
    first_message: str = ""
    agent_voice: str = "en-us"
    time_limit_s: float = 600.0
    silence_timeout_s: float | None = None
    recording: bool = True
    source: str = ""

    def apply(self, scenario: Scenario) -> Scenario:
        """The scenario as played on this line: its first speaker and time limit replaced."""
        return scenario.model_copy(
            update={"first_speaker": self.first_speaker, "time_limit_s": self.time_limit_s}
        )


def line_settings(scenario: Scenario, customer: Persona, *, espeak: bool = True) -> LineSettings:
    """The line settings of a voice call of ``scenario`` with ``customer`` calling.

    Args:
        scenario: the scenario practised.
        customer: the customer's persona (its ``language`` picks the configuration).
        espeak: the text-to-speech engine is eSpeak NG, so the configuration's ``voice`` must
            be an installed eSpeak NG voice; with a speech server it is passed on as is.

    Raises:
        NotFoundError: ``agent_persona`` names no stored agent persona.
        VoiceSetupError: the configuration's ``voice`` is not installed (the message lists the
            installed voices).
    """
    defaults = LineSettings(
        first_speaker=scenario.first_speaker, time_limit_s=scenario.time_limit_s
    )
    if not scenario.agent_persona:
        return defaults
    from understudy.agents import persona_store
    from understudy.voice.engines import check_voice

    label = "production" if persona_store.production_version(scenario.agent_persona) else "draft"
    version = persona_store.load_version(scenario.agent_persona, label)
    config = version.persona.voice_for(customer.language)
    if config is None:
        return defaults
    return LineSettings(
        first_speaker=config.first_speaker,
        first_message=config.first_message.strip(),
        agent_voice=check_voice(config.voice) if espeak else config.voice or "",
        time_limit_s=min(scenario.time_limit_s, config.max_duration_s),
        silence_timeout_s=config.silence_timeout_s,
        recording=config.recording,
        source=f"{scenario.agent_persona} ({version.label}, {config.locale})",
    )
