"""Draft a persona from a one-line description, offline and reproducibly.

``generate_persona("impatient retired teacher who was double charged", seed=7)`` returns a full
``Persona`` marked ``draft=True`` with ``origin`` "generated from ..."; the same description and
seed give the same draft. Mood and drift follow the words (see ``understudy.content.cues``);
name, age and the invented facts come from a ``random.Random(seed)``.

An LLM-backed generator mirrors ``PersonaGenerator``: an object with an async
``generate(description, *, seed=None) -> Persona`` returning the same schema.
"""

from __future__ import annotations

from understudy.content.generation.offline import (
    OfflinePersonaGenerator,
    PersonaGenerator,
    generate_persona,
)

__all__ = ["OfflinePersonaGenerator", "PersonaGenerator", "generate_persona"]
