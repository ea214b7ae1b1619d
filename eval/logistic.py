"""Logistic regression by Newton's method (numpy), shared by the scripts that fit weights."""

from __future__ import annotations

import numpy as np

L2 = 1e-3  # a light ridge, so that a feature that never varies in the data keeps a weight near 0
STEPS = 100
TOLERANCE = 1e-9


def fit_logistic(
    x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None, l2: float = L2
) -> tuple[np.ndarray, float]:
    """Weights and bias of a logistic regression with an L2 penalty `l2` on the weights, solved to
    convergence; `sample_weight` (scaled to a mean of 1) lets rows count more or less, e.g. so that
    every data set counts the same."""
    weight = np.ones(len(y)) if sample_weight is None else sample_weight / sample_weight.mean()
    design = np.hstack([x, np.ones((len(y), 1))])
    ridge = np.diag([l2] * x.shape[1] + [0.0])
    theta = np.zeros(design.shape[1])
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ theta, -30, 30)))
        gradient = design.T @ (weight * (p - y)) / len(y) + ridge @ theta
        hessian = (design * (weight * p * (1 - p))[:, None]).T @ design / len(y) + ridge + 1e-12 * np.eye(len(theta))
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if float(np.abs(step).max()) < TOLERANCE:
            break
    return theta[:-1], float(theta[-1])
