"""The space calibration works in: priors from the ledger, the emulator, and identification.

- :class:`Prior`: a free quantity's prior, the ledger's own distribution over its range (triangular
  with its mode at the nominal value, or uniform), and a transform to a working coordinate: log for
  a quantity whose range is positive (rates, kg, kill rates multiply), else the value itself.
- :class:`Emulator`: a least-squares fit of log mean (logit for a share) and log variance of an
  observation's closed form on [1, z, z^2] of the standardised working coordinates z, from compiles
  at a Latin-hypercube design over the priors; its hold-out R^2 says how good it is. The posterior
  predictive then goes through the engine, so a poor fit shows up there too.
- :func:`identification`: the eigen-structure of the posterior covariance in standardised working
  coordinates (the prior has unit spread along every axis): a direction whose posterior spread is
  under a third of the prior's is constrained; a constrained direction carried by one quantity
  identifies it, one shared by several identifies only their product (a power law of the quantities);
  done per block of quantities the likelihood keeps apart, so that no "combination" mixes two
  independent blocks through sampling noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

__all__ = ["Emulator", "Prior", "Standardiser", "identification", "quantiles"]

FloatArray = NDArray[np.float64]

#: A constrained direction: posterior sd below this fraction of the prior's (about a third: a
#: weaker direction mixes with its neighbours, whose eigenvalues are close).
CONSTRAINED = 0.35
#: A quantity carries a direction when its squared loading is at least this (alone: IDENTIFIED_ALONE).
LOADING = 0.04
IDENTIFIED_ALONE = 0.8


@dataclass(frozen=True)
class Prior:
    """One free quantity's prior (the ledger's range and distribution)."""

    name: str
    dist: str  # "uniform" | "triangular"
    low: float
    mode: float
    high: float

    @property
    def log(self) -> bool:
        return self.low > 0

    def _frozen(self) -> Any:
        width = self.high - self.low
        if self.dist == "triangular":
            return stats.triang((self.mode - self.low) / width, loc=self.low, scale=width)
        return stats.uniform(loc=self.low, scale=width)

    def logpdf(self, x: FloatArray) -> FloatArray:
        return np.asarray(self._frozen().logpdf(x), dtype=float)

    def ppf(self, u: FloatArray) -> FloatArray:
        return np.asarray(self._frozen().ppf(u), dtype=float)

    def to_work(self, x: FloatArray) -> FloatArray:
        return np.log(np.maximum(x, 1e-300)) if self.log else np.asarray(x, dtype=float)

    def as_dict(self) -> dict[str, float | str]:
        return {
            "dist": self.dist,
            "low": self.low,
            "mode": self.mode,
            "high": self.high,
            "p5": float(self.ppf(np.array(0.05))),
            "p95": float(self.ppf(np.array(0.95))),
        }


@dataclass(frozen=True)
class Standardiser:
    """Working coordinates standardised by the prior's mean and sd (estimated from a prior sample)."""

    priors: tuple[Prior, ...]
    mean: FloatArray
    sd: FloatArray

    @classmethod
    def of(cls, priors: tuple[Prior, ...], rng: np.random.Generator) -> Standardiser:
        u = rng.random((4000, len(priors)))
        w = np.column_stack([p.to_work(p.ppf(u[:, i])) for i, p in enumerate(priors)])
        return cls(priors, w.mean(axis=0), np.maximum(w.std(axis=0), 1e-12))

    def z(self, x: FloatArray) -> FloatArray:
        w = np.column_stack([p.to_work(x[:, i]) for i, p in enumerate(self.priors)])
        return np.asarray((w - self.mean) / self.sd)


def _features(z: FloatArray) -> FloatArray:
    return np.column_stack([np.ones(len(z)), z, z * z])


@dataclass(frozen=True)
class Emulator:
    """Quadratic (no cross terms) fit of an observation's transformed mean and log variance."""

    coef_mean: FloatArray
    coef_var: FloatArray
    share: bool
    r2_holdout: float

    @classmethod
    def fit(cls, z: FloatArray, mean: FloatArray, var: FloatArray, share: bool) -> Emulator:
        """Fit on 3/4 of the design, R^2 of the transformed mean on the last quarter, refit on all."""
        eps = 1e-9
        y = (
            np.log(np.clip(mean, eps, 1 - eps) / (1 - np.clip(mean, eps, 1 - eps)))
            if share
            else np.log(np.maximum(mean, eps))
        )
        v = np.log(np.maximum(var, eps))
        n = len(z)
        cut = max(1, (3 * n) // 4)
        f = _features(z)
        c_fit = np.linalg.lstsq(f[:cut], y[:cut], rcond=None)[0]
        resid = y[cut:] - f[cut:] @ c_fit
        tot = float(((y[cut:] - y[cut:].mean()) ** 2).sum())
        r2 = 1.0 - float((resid**2).sum()) / tot if tot > 0 else 1.0
        cm = np.linalg.lstsq(f, y, rcond=None)[0]
        cv = np.linalg.lstsq(f, v, rcond=None)[0]
        return cls(np.asarray(cm, dtype=float), np.asarray(cv, dtype=float), share, r2)

    def bounds(self, z_lo: FloatArray, z_hi: FloatArray) -> tuple[float, float, float]:
        """(least mean, greatest mean, greatest variance) of the emulator over the box
        z_lo <= z <= z_hi, exactly: with no cross terms each fit is a sum of one quadratic per
        coordinate, whose extremes lie at the box's ends or the parabola's vertex."""
        k = len(z_lo)

        def extremes(coef: FloatArray) -> tuple[float, float]:
            lo = hi = float(coef[0])
            for i in range(k):
                a, b = float(coef[1 + i]), float(coef[1 + k + i])
                cand = [z_lo[i], z_hi[i]]
                if b != 0.0 and z_lo[i] < -a / (2 * b) < z_hi[i]:
                    cand.append(-a / (2 * b))
                vals = [a * c + b * c * c for c in cand]
                lo, hi = lo + min(vals), hi + max(vals)
            return lo, hi

        y_lo, y_hi = extremes(self.coef_mean)
        link = (lambda y: 1.0 / (1.0 + np.exp(-y))) if self.share else np.exp
        return float(link(y_lo)), float(link(y_hi)), float(np.exp(extremes(self.coef_var)[1]))

    def moments(self, z: FloatArray) -> tuple[FloatArray, FloatArray]:
        f = _features(z)
        y = f @ self.coef_mean
        mu = 1.0 / (1.0 + np.exp(-y)) if self.share else np.exp(y)
        return np.asarray(mu), np.asarray(np.exp(f @ self.coef_var))


def _directions(
    z_post: FloatArray, blocks: Sequence[Sequence[int]]
) -> list[tuple[float, FloatArray]]:
    """(posterior sd over prior, unit loading vector over all quantities) of every eigen-direction
    of each block's posterior covariance, the tightest first."""
    k = z_post.shape[1]
    out: list[tuple[float, FloatArray]] = []
    for b in blocks:
        idx = np.asarray(b, dtype=int)
        cov = np.atleast_2d(np.cov(z_post[:, idx], rowvar=False))
        w, v = np.linalg.eigh(cov)
        for j in range(len(w)):
            vec = np.zeros(k)
            vec[idx] = v[:, j]
            out.append((float(np.sqrt(max(w[j], 0.0))), vec))
    return sorted(out, key=lambda d: d[0])


def identification(
    priors: tuple[Prior, ...],
    z_post: FloatArray,
    x_post: FloatArray,
    x_prior: FloatArray,
    blocks: Sequence[Sequence[int]] | None = None,
) -> tuple[dict[str, bool | str], list[dict[str, Any]]]:
    """Per quantity: True (identified alone), "as a combination" or False; and the identified
    combinations, each as exponents of a power law with its prior and posterior 5-95%.

    ``blocks`` (indices into ``priors``) are groups of quantities the likelihood keeps apart -- no
    observation depends on quantities of two blocks -- so the posterior factorises over them and a
    combination never spans two (its eigen-directions are found per block: where two blocks' spreads
    are close, a joint eigen-decomposition would mix them through sampling noise alone). Default:
    one block of all."""
    verdict: dict[str, bool | str] = {p.name: False for p in priors}
    combos: list[dict[str, Any]] = []
    for sd_ratio, vec in _directions(z_post, blocks or [range(len(priors))]):
        if sd_ratio >= CONSTRAINED:
            break
        load = vec**2
        members = [i for i in np.argsort(-load) if load[i] >= LOADING]
        if load[members[0]] >= IDENTIFIED_ALONE:
            verdict[priors[members[0]].name] = True
            continue
        expo = {i: vec[i] for i in members}
        top = float(vec[members[0]])  # signed: the leading exponent is +1
        exps = {priors[i].name: round(float(e / top), 3) for i, e in expo.items()}
        for i in members:
            if verdict[priors[i].name] is not True:
                verdict[priors[i].name] = "as a combination"
        combos.append(
            {
                "expression": " × ".join(f"{n}^{e:g}" for n, e in exps.items()),
                "exponents": exps,
                "posterior_sd_over_prior": round(sd_ratio, 4),
                "prior": _combo_quantiles(priors, x_prior, exps),
                "posterior": _combo_quantiles(priors, x_post, exps),
            }
        )
    return verdict, combos


def _combo_quantiles(
    priors: tuple[Prior, ...], x: FloatArray, exps: dict[str, float]
) -> dict[str, float]:
    """5/50/95% of prod x_i^e_i (working coordinates: a non-log quantity enters as exp(x))."""
    idx = {p.name: i for i, p in enumerate(priors)}
    logc = np.zeros(len(x))
    for name, e in exps.items():
        p = priors[idx[name]]
        logc += e * (p.to_work(x[:, idx[name]]))
    q = np.exp(np.quantile(logc, [0.05, 0.5, 0.95]))
    return {"p5": float(q[0]), "p50": float(q[1]), "p95": float(q[2])}


def quantiles(x: FloatArray) -> dict[str, float]:
    """5, 50 and 95% of a sample."""
    q = np.quantile(x, [0.05, 0.5, 0.95])
    return {"p5": float(q[0]), "p50": float(q[1]), "p95": float(q[2])}
