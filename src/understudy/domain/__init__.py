"""Domain models: pydantic only, no I/O.

Persona, scenario, transcript and conversation result live here; flows, rubrics, runs and grades
in their own modules.
"""

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
