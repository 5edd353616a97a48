"""Domain models: pydantic only, no I/O.

Persona, scenario, transcript and conversation result live here; flows, rubrics, runs and grades
in their own modules. Names are imported from their submodules on first use, so
importing ``understudy.domain.moods`` does not load pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from understudy.lazy import lazy_exports

if TYPE_CHECKING:
    from understudy.domain.persona import (
        Behaviour,
        Demographics,
        Knowledge,
        Mood,
        MoodDrift,
        Persona,
        Personality,
    )
    from understudy.domain.scenario import (
        Briefing,
        CustomerGoal,
        ExitCondition,
        Scenario,
        ScenarioMode,
    )
    from understudy.domain.transcript import (
        ActType,
        ConversationResult,
        DialogueAct,
        Message,
        Role,
        TerminationReason,
    )

_WHERE = {
    "ActType": "understudy.domain.transcript",
    "Behaviour": "understudy.domain.persona",
    "Briefing": "understudy.domain.scenario",
    "ConversationResult": "understudy.domain.transcript",
    "CustomerGoal": "understudy.domain.scenario",
    "Demographics": "understudy.domain.persona",
    "DialogueAct": "understudy.domain.transcript",
    "ExitCondition": "understudy.domain.scenario",
    "Knowledge": "understudy.domain.persona",
    "Message": "understudy.domain.transcript",
    "Mood": "understudy.domain.moods",
    "MoodDrift": "understudy.domain.moods",
    "Persona": "understudy.domain.persona",
    "Personality": "understudy.domain.persona",
    "Role": "understudy.domain.transcript",
    "Scenario": "understudy.domain.scenario",
    "ScenarioMode": "understudy.domain.scenario",
    "TerminationReason": "understudy.domain.transcript",
}

__getattr__ = lazy_exports(globals(), _WHERE)

__all__ = [
    "ActType",
    "Behaviour",
    "Briefing",
    "ConversationResult",
    "CustomerGoal",
    "Demographics",
    "DialogueAct",
    "ExitCondition",
    "Knowledge",
    "Message",
    "Mood",
    "MoodDrift",
    "Persona",
    "Personality",
    "Role",
    "Scenario",
    "ScenarioMode",
    "TerminationReason",
]
