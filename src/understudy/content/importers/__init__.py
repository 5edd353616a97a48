"""Importers of public customer-service data sets into understudy personas, scenarios and flows.

Each importer reads the original files (paths given by the user), writes YAML files that
``understudy validate`` accepts, and returns an ``ImportReport`` listing what it wrote and what
it skipped, with the reason. Supported sources:

* ``tau2``: tau2-bench task files -> scenarios (and personas where a task describes one).
* ``abcd``: ABCD ``guidelines.json`` subflows -> assistant flow skeletons, plus scenarios
  from ``abcd_sample.json``.
* ``bitext``: the Bitext customer-support CSV -> intent example phrases and opening lines.
"""

from __future__ import annotations

from understudy.content.importers.common import ImportReport, Skipped, write_yaml

__all__ = ["ImportReport", "Skipped", "write_yaml"]
