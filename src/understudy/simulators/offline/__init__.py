"""The offline user simulator: agenda-based, seeded, no LLM and no network.

Modules: ``simulator`` (the ``OfflineSimulator`` and its turn policy), ``agenda`` (effective
knowledge and the agenda), ``understanding`` (reading agent turns, reusable by any simulator),
``wording`` and ``phrases`` (the persona's voice, from the phrasing bank in ``data/``), ``noise``
(typing noise). The mood model lives in ``understudy.simulators.mood``.
"""

from __future__ import annotations

from understudy.simulators.offline.plan import OfflineOptions
from understudy.simulators.offline.simulator import OfflineSimulator

__all__ = ["OfflineOptions", "OfflineSimulator"]
