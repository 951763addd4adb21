#!/usr/bin/env python3
"""Fits the rational erf used by src/encoder/wasm-kernels/kernels.wat and prints its coefficients.

erf(x) ~ x * P(x^2) / Q(x^2) on |x| <= 3.925 (beyond it erf is +-1 in float32), P and Q of degree 5,
Q(0) = 1. Linearised least squares (P - f*Q = 0 with f = erf(x)/x), re-weighted by 1/Q and by the
current error (Lawson) so that the maximum error, not the mean, shrinks. Needs numpy and scipy
(Debian: python3-numpy, python3-scipy). Run: python3 tools/fit-erf.py
"""
import numpy as np
from scipy.special import erf

CLAMP = 3.925
DEGREE = 5


def fit(iterations=30):
    x = np.linspace(1e-6, CLAMP, 20000)
    u, f = x * x, erf(x) / x
    weights, q_values = np.ones_like(x), np.ones_like(x)
    powers = np.stack([u**i for i in range(DEGREE + 1)], 1)
    for _ in range(iterations):
        design = np.concatenate([powers, -f[:, None] * powers[:, 1:]], 1)
        scale = x / q_values * np.sqrt(weights)
        coefficients, *_ = np.linalg.lstsq(design * scale[:, None], f * scale, rcond=None)
        p, q = coefficients[: DEGREE + 1], np.concatenate([[1.0], coefficients[DEGREE + 1 :]])
        q_values = powers @ q
        error = np.abs(x * (powers @ p) / q_values - erf(x))
        weights *= error / error.max() + 1e-3
        weights *= len(weights) / weights.sum()
    return p, q, error.max()


def float32_error(p, q):
    x = np.linspace(-6, 6, 2_000_001).astype(np.float32)
    clamped = np.clip(x, -CLAMP, CLAMP)
    u = clamped * clamped
    horner = lambda c: __import__('functools').reduce(lambda acc, ci: (acc * u + np.float32(ci)).astype(np.float32), c[-2::-1], np.full_like(u, np.float32(c[-1])))
    result = np.clip(clamped * horner(p) / horner(q), -1, 1).astype(np.float32)
    return np.abs(result.astype(np.float64) - erf(x.astype(np.float64))).max()


p, q, error64 = fit()
print(f'max error: float64 {error64:.2e}, evaluated in float32 {float32_error(p, q):.2e}')
print('P, powers of x² 0..5:', ' '.join(repr(float(np.float32(c))) for c in p))
print('Q, powers of x² 0..5:', ' '.join(repr(float(np.float32(c))) for c in q))
