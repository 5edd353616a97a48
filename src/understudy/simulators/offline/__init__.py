"""The offline user simulator: agenda-based, seeded, no LLM and no network.

Modules: ``simulator`` (the ``OfflineSimulator`` and its turn policy) and ``replies`` (rephrasing
and confirmations), ``agenda`` (effective knowledge and the agenda), ``understanding`` and
``cues`` (reading agent turns, reusable by any simulator), ``slots`` (slot names and synonyms),
``wording`` and ``phrases`` (the persona's voice, from the phrasing bank in ``data/``), ``reason``
(the reason for call in the customer's own words), ``noise`` (typing noise). The mood model lives
in ``understudy.simulators.mood``.
"""

from __future__ import annotations

from understudy.simulators.offline.plan import OfflineOptions
from understudy.simulators.offline.simulator import OfflineSimulator

__all__ = ["OfflineOptions", "OfflineSimulator"]
