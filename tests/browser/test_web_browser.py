"""`bordersim serve` in a real Chromium: the page starts, moving a lever reruns and shows what
``bs.run`` gives for that setting, a URL reproduces a view, a bad query value is shown by its lever,
and the page requests nothing outside this machine and logs no console error or warning.

Each state is saved as a screenshot under ``test-artifacts/browser/`` for a human to look at.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from conftest import RUN_TIMEOUT_MS, PageLog, Server

import bordersim as bs
from bordersim.api.whatif import SECTOR_METRICS, fmt_estimate, headline
from bordersim.web.settings import from_query, policy_string

RATE = "actors.drug_traffickers.rate_per_day"
FAST = "replications=100&days=120"  # a small view: the machine running the tests is shared
SC = bs.load("tajik-afghan-2021")


def _expected(url: str) -> tuple[str, str]:
    """The true and observed rate as the page prints them, from ``bs.run`` of the URL's setting."""
    s, errors = from_query(dict(parse_qsl(urlsplit(url).query)), SC, metrics=list(SECTOR_METRICS))
    assert errors == {}  # the page writes only settings it accepted into its URL
    moved, lever_errors = bs.apply_levers(SC, s.levers)
    assert not lever_errors
    res = bs.run(moved, policy=policy_string(s.policies, list(bs.policies(SC))),
                 replications=s.replications, days=s.days, start=s.start, seed=s.seed)  # fmt: skip
    h = headline(res)
    return tuple(  # type: ignore[return-value]
        fmt_estimate(h[k]["mean"], h[k]["lo"], h[k]["hi"], pct=True)
        for k in ("true_rate", "observed_rate")
    )


#: Finds an element by test id through Bokeh's shadow roots, in the page (one call, no retries).
_DEEP = """
window.__bsDeep = (sel, root = document) => {
  const hit = root.querySelector(sel);
  if (hit) return hit;
  for (const el of root.querySelectorAll("*")) {
    if (el.shadowRoot) { const f = window.__bsDeep(sel, el.shadowRoot); if (f) return f; }
  }
  return null;
};
"""


def _testid(page: Any, testid: str) -> dict[str, str] | None:
    """The text and ``data-run`` of the element with ``data-testid=testid`` (``None``: absent)."""
    page.evaluate(_DEEP)
    return page.evaluate(  # type: ignore[no-any-return]
        """id => { const e = window.__bsDeep(`[data-testid="${id}"]`);
                   return e ? {text: e.textContent, run: e.dataset.run || "0"} : null; }""",
        testid,
    )


def _run_number(page: Any) -> int:
    found = _testid(page, "status")
    return int(found["run"]) if found else 0


def _wait_updated(page: Any, url_has: str = "", after: int = 0) -> None:
    """Wait (bounded, polled in the page) until the URL holds ``url_has`` and a run numbered >
    ``after`` has shown its result."""
    page.evaluate(_DEEP)
    try:
        page.wait_for_function(
            """([has, after]) => { const s = window.__bsDeep("[data-testid=status]");
                 return location.href.includes(has) && s !== null
                        && Number(s.dataset.run) > after && s.textContent.includes("updated in"); }""",
            arg=[url_has, after], timeout=RUN_TIMEOUT_MS, polling=100,
        )  # fmt: skip
    except Exception as exc:  # the page's own message says why (a run error, still running)
        why = _testid(page, "run-error") or _testid(page, "status")
        raise AssertionError(f"no updated view: {page.url}: {why}") from exc


def _headline(page: Any) -> tuple[str, str]:
    true, observed = _testid(page, "true-rate"), _testid(page, "observed-rate")
    assert true is not None and observed is not None
    return true["text"], observed["text"]


def _clean(log: PageLog) -> None:
    assert log.requests, "the page made no request at all"
    assert log.outside() == []
    assert log.problems() == []


def test_page_starts(server: Server, page: Any, page_log: PageLog, artifacts: Path) -> None:
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto(server.url, timeout=RUN_TIMEOUT_MS)
    _wait_updated(page)
    assert _headline(page) == _expected(page.url)  # the default view: 200 replications, a year
    assert page.locator("[data-testid=differences]").count() == 1
    page.screenshot(path=artifacts / "serve-start.png", full_page=True)
    _clean(page_log)


def test_levers_rerun(server: Server, page: Any, page_log: PageLog, artifacts: Path) -> None:
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto(f"{server.url}?{FAST}", timeout=RUN_TIMEOUT_MS)
    _wait_updated(page)
    before = _headline(page)
    assert before == _expected(page.url)

    n = _run_number(page)
    box = page.get_by_label("russian-guards-return")
    box.check()
    _wait_updated(page, "policy=russian-guards-return", after=n)
    guards = _headline(page)
    assert guards != before
    assert guards == _expected(page.url)
    page.screenshot(path=artifacts / "serve-guards.png", full_page=True)

    n = _run_number(page)
    handle = page.locator(".bk-input-group", has_text="Drug traffickers: crossing rate").locator(
        ".noUi-handle"
    )
    handle.focus()
    for _ in range(5):
        handle.press("ArrowRight")
    _wait_updated(page, RATE, after=n)
    while True:  # the last key's run (each key press may start one; the newest supersedes)
        k = _run_number(page)
        time.sleep(1.5)
        if _run_number(page) == k and "updated in" in (_testid(page, "status") or {}).get(
            "text", ""
        ):
            break
    moved = _headline(page)
    query = dict(parse_qsl(urlsplit(page.url).query))
    assert float(query[RATE]) > 10
    assert moved == _expected(page.url)
    page.screenshot(path=artifacts / "serve-guards-rate.png", full_page=True)
    _clean(page_log)


def test_url_reproduces_a_view(server: Server, page: Any, page_log: PageLog) -> None:
    query = f"policy=russian-guards-return&{RATE}=15&{FAST}"
    page.goto(f"{server.url}?{query}", timeout=RUN_TIMEOUT_MS)
    _wait_updated(page)
    assert dict(parse_qsl(urlsplit(page.url).query)) == dict(parse_qsl(query))
    assert page.get_by_label("russian-guards-return").is_checked()
    shown = _headline(page)
    assert shown == _expected(page.url)
    page.goto(f"{server.url}?{query}", timeout=RUN_TIMEOUT_MS)  # the same link, a new session
    _wait_updated(page)
    assert _headline(page) == shown
    _clean(page_log)


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [(RATE, "1000", "outside the range 3 to 30"), ("policy", "nope", "unknown policy 'nope'"),
     ("posture.tj_reservists", "elsewhere", "choose one of")],
)  # fmt: skip
def test_bad_query_value_is_shown_by_its_lever(
    server: Server, page: Any, page_log: PageLog, artifacts: Path, key: str, raw: str, message: str
) -> None:
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto(f"{server.url}?{key}={raw}&{FAST}", timeout=RUN_TIMEOUT_MS)
    _wait_updated(page)
    error = _testid(page, f"error-{key}")
    assert error is not None and message in error["text"]
    assert key not in page.url  # ignored: the view is the default one
    assert _headline(page) == _expected(page.url)
    if key == RATE:
        page.screenshot(path=artifacts / "serve-bad-query.png", full_page=True)
    n = _run_number(page)  # the page still works
    page.get_by_label("aid-equipment").check()
    _wait_updated(page, "policy=aid-equipment", after=n)
    assert _headline(page) == _expected(page.url)
    _clean(page_log)
