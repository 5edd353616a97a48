"""Confidence intervals for small batches: Wilson score interval and Newcombe's difference.

Batches are small (10 to 50 conversations), where the textbook normal ("Wald") interval
``p ± z·sqrt(p(1-p)/n)`` misbehaves: it collapses to zero width at 0/n and n/n and leaves [0, 1].
The Wilson score interval does neither, and keeps close to its nominal coverage at small n
(Wilson 1927; recommended by Agresti & Coull 1998 and Brown, Cai & DasGupta 2001).
"""

from __future__ import annotations

import math

Z95 = 1.959963984540054
"""The 97.5th percentile of the standard normal distribution (two-sided 95%)."""


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Return the Wilson score interval of a proportion ``k / n``.

    With ``p = k / n``::

        centre = (p + z²/(2n)) / (1 + z²/n)
        half   = z / (1 + z²/n) · sqrt(p(1-p)/n + z²/(4n²))
        interval = [centre - half, centre + half]

    Sources: E. B. Wilson, "Probable inference, the law of succession, and statistical
    inference", JASA 22 (1927) 209-212; A. Agresti & B. A. Coull, "Approximate is better than
    'exact' for interval estimation of binomial proportions", The American Statistician 52
    (1998) 119-126.

    Args:
        k: successes, ``0 <= k <= n``.
        n: trials, ``n >= 1``.
        z: normal quantile; the default gives a two-sided 95% interval.

    Returns:
        ``(low, high)``, both within [0, 1].

    Raises:
        ValueError: ``n < 1`` or ``k`` outside ``[0, n]`` (an empty denominator has no
            interval: callers show it as n/a).
    """
    if n < 1:
        raise ValueError(f"a Wilson interval needs n >= 1, got n={n}")
    if not 0 <= k <= n:
        raise ValueError(f"expected 0 <= k <= n, got k={k}, n={n}")
    p = k / n
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_interval(
    k_a: int, n_a: int, k_b: int, n_b: int, z: float = Z95
) -> tuple[float, float, float]:
    """Return the difference ``p_b - p_a`` of two independent proportions and its interval.

    Newcombe's hybrid score interval (method 10 of R. G. Newcombe, "Interval estimation for the
    difference between independent proportions: comparison of eleven methods", Statistics in
    Medicine 17 (1998) 873-890) combines the two Wilson intervals ``[l_a, u_a]`` and
    ``[l_b, u_b]``::

        d    = p_b - p_a
        low  = d - sqrt((p_b - l_b)² + (u_a - p_a)²)
        high = d + sqrt((u_b - p_b)² + (p_a - l_a)²)

    The difference is "beyond noise" when the interval does not contain 0.

    Args:
        k_a: successes in batch A.
        n_a: trials in batch A (>= 1).
        k_b: successes in batch B.
        n_b: trials in batch B (>= 1).
        z: normal quantile (95% by default).

    Returns:
        ``(difference, low, high)``.

    Raises:
        ValueError: an empty denominator.
    """
    l_a, u_a = wilson_interval(k_a, n_a, z)
    l_b, u_b = wilson_interval(k_b, n_b, z)
    p_a, p_b = k_a / n_a, k_b / n_b
    d = p_b - p_a
    low = d - math.sqrt((p_b - l_b) ** 2 + (u_a - p_a) ** 2)
    high = d + math.sqrt((u_b - p_b) ** 2 + (p_a - l_a) ** 2)
    return d, max(-1.0, low), min(1.0, high)


def mean_difference_interval(
    mean_a: float, sd_a: float, n_a: int, mean_b: float, sd_b: float, n_b: int, z: float = Z95
) -> tuple[float, float, float]:
    """Return ``mean_b - mean_a`` with a normal-approximation (Welch) interval.

    ``d ± z · sqrt(sd_a²/n_a + sd_b²/n_b)``; used for mean turns to completion. With fewer
    than two values on a side, that side's variance is unknown and the interval is unbounded.

    Raises:
        ValueError: an empty side (``n < 1``).
    """
    if n_a < 1 or n_b < 1:
        raise ValueError("a mean difference needs at least one value on each side")
    d = mean_b - mean_a
    if n_a < 2 or n_b < 2:
        return d, -math.inf, math.inf
    half = z * math.sqrt(sd_a**2 / n_a + sd_b**2 / n_b)
    return d, d - half, d + half
