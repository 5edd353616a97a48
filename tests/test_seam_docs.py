"""The seams document their units and errors."""

from __future__ import annotations

import inspect

import understudy.cli.practice  # noqa: F401  (registers the commands)
from understudy.engine.clock import Clock
from understudy.engine.events import Observer
from understudy.runs import UsageSource


def test_the_seams_document_units_and_errors() -> None:
    docs = {
        "Clock.now": inspect.getdoc(Clock.now) or "",
        "Clock.sleep": inspect.getdoc(Clock.sleep) or "",
        "Observer.on_event": inspect.getdoc(Observer.on_event) or "",
        "UsageSource.conversation_usage": inspect.getdoc(UsageSource.conversation_usage) or "",
        "UsageSource.run_usage": inspect.getdoc(UsageSource.run_usage) or "",
    }
    assert "seconds" in docs["Clock.now"] and "origin" in docs["Clock.now"]
    assert "seconds" in docs["Clock.sleep"]
    assert "propagates" in docs["Observer.on_event"]
    assert "total_tokens" in docs["UsageSource.conversation_usage"]
    assert docs["UsageSource.run_usage"], "run_usage should be documented"
