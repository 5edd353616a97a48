"""Batch faults shared by the worker-process and Ray tests: a conversation that kills its worker."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass

from understudy.domain.scenario import Scenario
from understudy.engine.seams import UserSimulator
from understudy.runs.batch import RegisteredSimulators, conversation_seed


@dataclass(frozen=True)
class DiesOnOne:
    """Simulators of a batch whose conversation ``index`` kills its process (``os._exit``)."""

    inner: RegisteredSimulators
    seed: str
    index: int

    def __call__(self, scenario: Scenario, rng: random.Random) -> UserSimulator:
        if rng.getstate() == random.Random(conversation_seed(self.seed, self.index)).getstate():
            os._exit(3)
        return self.inner(scenario, rng)
