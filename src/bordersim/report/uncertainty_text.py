"""The words and cells for a figure's two intervals, shared by the terminal and the HTML report.

A headline figure (an entry of a run summary's ``headline``) carries ``ci``, the 95% confidence
interval over the replications (simulation noise, which more replications shrink), and
``input_interval``, the 5-95% spread over draws of the uncertain inputs (which no number of
replications shrinks). The labels below name each for what it is, so that neither is mistaken for
the other, and :func:`headline_sentence` says how much of the uncertainty is the inputs'.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bordersim.report.formatting import MISSING, fmt_count, fmt_number

__all__ = [
    "CI_LABEL",
    "INPUT_LABEL",
    "calibration_words",
    "fmt_interval",
    "fmt_short",
    "fmt_value",
    "headline_sentence",
    "is_rate",
    "observation_verdict",
    "posterior_words",
    "quantile_span",
    "source_words",
    "width_ratio",
]

#: Column labels: which interval is which.
CI_LABEL = "simulation noise (95% CI)"
INPUT_LABEL = "input uncertainty (5–95%)"

_RATES = ("true_rate", "observed_rate", "rate_gap")


def is_rate(metric: str) -> bool:
    """Whether ``metric`` is a share shown as a percentage."""
    return metric in _RATES


def _ok(v: Any) -> bool:
    return isinstance(v, int | float) and v == v


def fmt_value(v: float | None, pct: bool) -> str:
    """A figure as the tables print it (percent for rates)."""
    if not _ok(v):
        return MISSING
    assert v is not None
    return f"{100 * v:.1f}%" if pct else fmt_number(v)


def fmt_short(v: float) -> str:
    """A number in at most about six characters: 1.12m, 902k, 32.8."""
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:.3g}bn"
    if a >= 1e6:
        return f"{v / 1e6:.3g}m"
    if a >= 1e4:
        return f"{v / 1e3:.3g}k"
    return fmt_number(v)


def fmt_interval(iv: Sequence[float | None] | None, pct: bool, short: bool = False) -> str:
    """``[lo, hi]`` (percent points for rates; ``short``: 1.12m, 902k); :data:`MISSING` when
    undefined."""
    if iv is None or not all(_ok(v) for v in iv):
        return MISSING
    lo, hi = float(iv[0]), float(iv[1])  # type: ignore[arg-type]
    if pct:
        return f"[{100 * lo:.1f}, {100 * hi:.1f}]"
    f = fmt_short if short else fmt_number
    return f"[{f(lo)}, {f(hi)}]"


def width_ratio(entry: Mapping[str, Any]) -> float | None:
    """Input interval's width over the simulation-noise interval's (``None`` when undefined)."""
    ci, iv = entry.get("ci"), entry.get("input_interval")
    if not ci or not iv or not all(_ok(v) for v in (*ci, *iv)):
        return None
    w_ci, w_in = ci[1] - ci[0], iv[1] - iv[0]
    return None if w_ci <= 0 else float(w_in / w_ci)


def calibration_words(post: Mapping[str, Any]) -> str:
    """Which calibration a posterior's provenance names: "the calibration X ships with" for a
    built-in's own, "the calibration in DIR" for a directory."""
    if post.get("shipped"):
        return f"the calibration {post.get('calibration')} ships with"
    return f"the calibration in {post.get('calibration')}"


def posterior_words(post: Mapping[str, Any]) -> str:
    """How a command's draws used a posterior (its provenance, as summaries record it), in words."""
    used = ", ".join(str(o) for o in post.get("observations_used") or [])
    return (
        f"{fmt_count(post.get('free_quantities'))} calibrated quantities drawn jointly from the "
        f"posterior of {calibration_words(post)} (observations: {used}); the others from the "
        "ledger's ranges"
    )


def quantile_span(q: Mapping[str, Any] | None) -> str:
    """A calibration summary's ``{p5, p95}`` as "a–b" (the missing mark when there is none)."""
    if not q:
        return MISSING
    return f"{fmt_number(float(q['p5']))}–{fmt_number(float(q['p95']))}"


def observation_verdict(ob: Mapping[str, Any]) -> str:
    """Where an observation of a calibration summary falls against the posterior predictive:
    not used (out of the model's reach), outside its 5–95%, or inside (and whether the other
    observations alone would predict it: the leave-one-out check)."""
    if not ob.get("used", True):
        return "not used: unreachable"
    out = "OUTSIDE" if ob.get("outside") else "inside"
    if (ob.get("loo") or {}).get("outside"):
        out += "; LOO outside"
    return out


def source_words(desc: Mapping[str, Any]) -> str:
    """Where the draws came from, in words: "32 draws of the ledger's 31 uncertain quantities",
    or, from a posterior, how many of them the calibration gave and which calibration."""
    draws, reps = fmt_count(desc.get("draws")), fmt_count(desc.get("replications_per_draw"))
    post = desc.get("posterior")
    if desc.get("source") != "posterior" or not isinstance(post, Mapping):
        whence = "the ledger's" if desc.get("source") == "prior" else "the calibrated posterior's"
        return (
            f"{draws} draws of {whence} {fmt_count(desc.get('factors'))} uncertain quantities, "
            f"{reps} replications each"
        )
    free = int(post.get("free_quantities") or 0)
    others = int(desc.get("factors") or 0) - free
    which = calibration_words(post)
    rest = f", the other {fmt_count(others)} from the ledger's ranges" if others > 0 else ""
    return (
        f"{draws} draws of the uncertain inputs, {fmt_count(free)} quantities jointly from the "
        f"posterior of {which}{rest}; {reps} replications each"
    )


def headline_sentence(
    entry: Mapping[str, Any], desc: Mapping[str, Any], replications: int, actor: str
) -> str:
    """How much of the figure's uncertainty is the model's inputs, and the three quantities it
    moves with most (by squared rank correlation over the draws)."""
    pct = is_rate(str(entry["metric"]))
    unit = " points" if pct else ""
    scale = 100.0 if pct else 1.0
    ci, iv = entry["ci"], entry["input_interval"]
    ratio = width_ratio(entry)
    text = (
        f"For {actor}, the {entry['label']} is {fmt_value(entry['mean'], pct)}. Simulation noise "
        f"(the 95% confidence interval over {fmt_count(replications)} replications at the "
        f"scenario's values) spans {fmt_interval(ci, pct)}; input uncertainty (the 5–95% spread "
        f"over {source_words(desc)}) spans {fmt_interval(iv, pct)}"
    )
    if ratio is not None:
        w_in = fmt_number(scale * (iv[1] - iv[0]))
        text += f", {w_in}{unit} wide, {fmt_number(ratio)} times the simulation-noise interval"
        text += (
            ": nearly all of the uncertainty is the model's inputs, which more replications "
            "cannot reduce."
            if ratio >= 10
            else ": both matter."
            if ratio >= 1
            else ": here simulation noise dominates; more replications would narrow it."
        )
    else:
        text += "."
    mean = entry.get("mean")
    if (
        desc.get("source") == "posterior"
        and iv is not None
        and isinstance(mean, int | float)
        and not iv[0] <= mean <= iv[1]
    ):
        text += (
            f" The run at the scenario's nominal values ({fmt_value(mean, pct)}) lies outside the "
            "posterior's interval: the nominal values are not what the observations support, so "
            "read the input interval, not the nominal figure."
        )
    top = list(entry.get("top_factors") or [])[:3]
    if top:
        names = [str(t["factor"]) for t in top]
        listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
        rho = ", ".join(f"{float(t['rho2']):.2f}" for t in top)
        n = int(desc.get("draws") or 0)
        chance = f"; a quantity with no effect scores about {1 / (n - 1):.2f}" if n > 1 else ""
        text += (
            f" The quantities it moves with most are {listed} (squared rank correlation over the "
            f"draws {rho}{chance})."
        )
        if desc.get("source") == "posterior":
            text += (
                " The posterior correlates the calibrated quantities with one another, so a "
                "quantity named here may move with the figure through those it is tied to."
            )
    return text
