"""The Hanley-McNeil score interval of a ROC-AUC (Newcombe 2006): every A whose variance V(A)
puts the estimate within z * sqrt(V(A)) of it (see `reporter.evaluation.intervals`)."""

from __future__ import annotations

from collections.abc import Callable
from statistics import NormalDist

_NORMAL = NormalDist()


def hanley_mcneil_variance(auc: float, positives: float, negatives: float) -> float:
    """Hanley and McNeil's (1982) variance of the AUC of `positives` and `negatives` at `auc`."""
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    a2 = auc * auc
    v = auc * (1 - auc) + (positives - 1) * (q1 - a2) + (negatives - 1) * (q2 - a2)
    return max(v / (positives * negatives), 0.0)


def hanley_mcneil_interval(
    auc: float, positives: float, negatives: float, level: float
) -> tuple[float, float]:
    """Every A in [0, 1] with (auc - A)^2 <= z^2 V(A), V the Hanley-McNeil variance at A: the
    score interval (Newcombe 2006). V vanishes at 0 and 1, so both ends exist."""
    z2 = _NORMAL.inv_cdf(0.5 + level / 2) ** 2
    more_positives, more_negatives, pairs = positives - 1, negatives - 1, positives * negatives

    def outside(a: float) -> bool:  # `hanley_mcneil_variance` inlined: called 120 times
        a2 = a * a
        v = (
            a * (1 - a)
            + more_positives * (a / (2 - a) - a2)
            + more_negatives * (2 * a2 / (1 + a) - a2)
        )
        return (auc - a) ** 2 > z2 * max(v / pairs, 0.0)

    return _boundary(outside, 0.0, auc), _boundary(outside, 1.0, auc)


def _boundary(outside: Callable[[float], bool], far: float, near: float) -> float:
    """Where `outside` turns false between `far` (outside, or the interval reaches it) and
    `near` (the estimate), by bisection to 1e-12."""
    if not outside(far):
        return far
    for _ in range(60):
        mid = (far + near) / 2
        if outside(mid):
            far = mid
        else:
            near = mid
    return near
