"""Green / amber / red bands for batch metrics, with defaults a user can override.

Each metric has a direction (higher or lower is better) and two thresholds on its value:

* higher is better (completion, off-topic recovery): ``value >= green`` is green,
  ``value < red`` is red, anything between is amber;
* lower is better (fallback, abandonment, escalation, mean turns): ``value <= green`` is green,
  ``value > red`` is red, anything between is amber.

A metric without a value (an empty denominator, e.g. no off-topic turn in the batch) has band
``n/a``.

Default thresholds (``DEFAULT_BANDS``) are understudy's own rules of thumb for a draft that is
ready to publish: most difficult customers finish (completion >= 80% green, < 60% red); the bot
rarely fails to understand (conversations with a fallback <= 20% green, > 40% red; fallback turns
<= 10% of assistant turns green, > 25% red); a wandering customer is usually brought back
(recovery >= 70% green, < 40% red); few leave or need a human (<= 10% green, > 25% red); a task
takes about a dozen customer turns at most (<= 12 green, > 20 red: the ABCD refund procedure
alone asks for seven facts). They are not an industry standard;
override them in ``$UNDERSTUDY_HOME/config.yaml`` (or a file given with ``--config``; it wins),
giving either threshold or both::

    bands:
      completion_rate: {green: 0.9, red: 0.7}
      mean_turns_to_completion: {green: 6, red: 10}
      fallback_rate: {red: 0.3}
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, ValidationError

from understudy.content.loader import problems_from_validation, read_text
from understudy.domain.base import StrictModel
from understudy.errors import ContentError, ContentProblem
from understudy.settings import config_path, load_config_with_lines


class Band(StrEnum):
    """How a metric value looks against its thresholds."""

    green = "green"
    amber = "amber"
    red = "red"
    na = "n/a"


class Direction(StrEnum):
    """Which way is better for a metric: ``up`` (higher is better) or ``down``."""

    up = "higher"
    down = "lower"


DIRECTIONS: dict[str, Direction] = {
    "completion_rate": Direction.up,
    "fallback_rate": Direction.down,
    "fallback_turn_rate": Direction.down,
    "off_topic_recovery_rate": Direction.up,
    "abandonment_rate": Direction.down,
    "escalation_rate": Direction.down,
    "error_rate": Direction.down,
    "mean_turns_to_completion": Direction.down,
}
"""Every banded metric and its better direction."""


class Threshold(StrictModel):
    """The two thresholds of one metric (see the module docstring for how they apply).

    Attributes:
        green: the value at which the metric turns green (inclusive).
        red: the value beyond which the metric turns red (exclusive).
    """

    green: float = Field(ge=0)
    red: float = Field(ge=0)


DEFAULT_BANDS: dict[str, Threshold] = {
    "completion_rate": Threshold(green=0.80, red=0.60),
    "fallback_rate": Threshold(green=0.20, red=0.40),
    "fallback_turn_rate": Threshold(green=0.10, red=0.25),
    "off_topic_recovery_rate": Threshold(green=0.70, red=0.40),
    "abandonment_rate": Threshold(green=0.10, red=0.25),
    "escalation_rate": Threshold(green=0.10, red=0.25),
    "error_rate": Threshold(green=0.0, red=0.05),
    "mean_turns_to_completion": Threshold(green=12.0, red=20.0),
}
"""Default thresholds; see the module docstring for where they come from."""


def threshold_problem(metric: str, threshold: Threshold) -> str | None:
    """Return what is wrong with ``threshold`` for ``metric``, or None when it is usable.

    An unknown metric, or thresholds in the wrong order for the metric's direction (for a
    higher-is-better metric, green must be >= red; for lower-is-better, green <= red).
    """
    if metric not in DIRECTIONS:
        return f"unknown metric {metric!r}; known metrics: {', '.join(sorted(DIRECTIONS))}"
    if DIRECTIONS[metric] is Direction.up and threshold.green < threshold.red:
        return (
            f"higher is better, so green ({threshold.green:g}) must be >= red ({threshold.red:g})"
        )
    if DIRECTIONS[metric] is Direction.down and threshold.green > threshold.red:
        return f"lower is better, so green ({threshold.green:g}) must be <= red ({threshold.red:g})"
    return None


class Bands:
    """Thresholds of every metric: defaults overridden by configuration.

    Args:
        overrides: metric name -> thresholds replacing the defaults.
    """

    def __init__(self, overrides: dict[str, Threshold] | None = None) -> None:
        self.thresholds: dict[str, Threshold] = {**DEFAULT_BANDS, **(overrides or {})}

    def band(self, metric: str, value: float | None) -> Band:
        """Return the band of ``value`` for ``metric`` (``n/a`` when value is None).

        Raises:
            KeyError: unknown metric name.
        """
        if value is None:
            return Band.na
        threshold = self.thresholds[metric]
        if DIRECTIONS[metric] is Direction.up:
            if value >= threshold.green:
                return Band.green
            return Band.red if value < threshold.red else Band.amber
        if value <= threshold.green:
            return Band.green
        return Band.red if value > threshold.red else Band.amber


def _read_config(path: Path) -> dict[str, Threshold]:
    if not path.is_file():
        read_text(path)  # raises ContentError naming the file
    data, lines = load_config_with_lines(path)
    section = data.get("bands")
    if section is None:
        return {}
    if not isinstance(section, dict):
        line = lines.get(("bands",))
        raise ContentError([ContentProblem(path, line, "bands", "expected metric: {green, red}")])
    found: dict[str, Threshold] = {}
    problems: list[ContentProblem] = []
    for name, value in section.items():
        key = ("bands", str(name))
        if name not in DIRECTIONS:
            problem = threshold_problem(str(name), Threshold(green=0, red=0))
            problems.append(ContentProblem(path, lines.get(key), f"bands.{name}", str(problem)))
            continue
        if isinstance(value, dict):  # a partial override keeps the other default threshold
            value = {**DEFAULT_BANDS[name].model_dump(), **value}
        try:
            threshold = Threshold.model_validate(value)
        except ValidationError as exc:
            problems.extend(problems_from_validation(exc, lines, path, prefix=key))
            continue
        problem = threshold_problem(str(name), threshold)
        if problem:
            problems.append(ContentProblem(path, lines.get(key), f"bands.{name}", problem))
        else:
            found[str(name)] = threshold
    if problems:
        raise ContentError(problems)
    return found


def load_bands(extra: Path | str | None = None) -> Bands:
    """Return the thresholds in force: defaults, then ``config.yaml``, then ``extra``.

    Args:
        extra: a configuration file given on the command line (``--config``); its ``bands``
            section wins over the user's ``$UNDERSTUDY_HOME/config.yaml``. Other sections of
            either file are ignored here.

    Raises:
        ContentError: a configuration file is unreadable or its ``bands`` section is invalid
            (names file, line and field).
    """
    overrides: dict[str, Threshold] = {}
    user = config_path()
    if user.is_file():
        overrides.update(_read_config(user))
    if extra is not None:
        overrides.update(_read_config(Path(extra)))
    return Bands(overrides)
