"""The conversation engine: an async turn loop between a user simulator and an agent.

The loop imports no database, web or terminal library: storage and display are observers.
"""

from understudy.engine.clock import Clock, SystemClock
from understudy.engine.events import (
    ActPerformed,
    ConversationEnded,
    ConversationStarted,
    Event,
    ExitChecked,
    MessageAdded,
    MoodChanged,
    Observer,
)
from understudy.engine.loop import EngineSettings, run_conversation
from understudy.engine.seams import (
    Agent,
    AgentTurn,
    ConversationState,
    CustomerTurn,
    UserSimulator,
)

__all__ = [
    "ActPerformed",
    "Agent",
    "AgentTurn",
    "Clock",
    "ConversationEnded",
    "ConversationStarted",
    "ConversationState",
    "CustomerTurn",
    "EngineSettings",
    "Event",
    "ExitChecked",
    "MessageAdded",
    "MoodChanged",
    "Observer",
    "SystemClock",
    "UserSimulator",
    "run_conversation",
]
