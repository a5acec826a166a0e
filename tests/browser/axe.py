"""axe-core in the browser tests: run it on a page and fail on serious or critical violations.

axe-core is pinned in web/package.json (devDependencies, exact version, locked in
web/package-lock.json; `npm ci` in scripts/setup.sh installs it) and injected from
web/node_modules/axe-core/axe.min.js. The pages forbid inline script (their
Content-Security-Policy); Playwright's ``page.evaluate`` runs through the DevTools
protocol, which that policy does not govern, so the pages are tested as they are served.

    from tests.browser.axe import assert_accessible
    assert_accessible(page, "the desk's queue")                  # whole page
    assert_accessible(page, "widget open", include="#cw-panel")  # one part of it

Each violation is reported with its rule, impact, help text and the first nodes' selectors,
so a failure says what to fix. Violations of lower impact (moderate, minor) are returned by
``violations`` but do not fail ``assert_accessible``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from tests.conftest import ROOT

AXE_JS = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")


@lru_cache(maxsize=1)
def axe_source(path: Path = AXE_JS) -> str:
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `npm ci` in web/ (scripts/setup.sh does it)")
    return path.read_text(encoding="utf-8")


def pinned_version() -> str:
    """The axe-core version web/package.json pins (devDependencies)."""
    package = json.loads((ROOT / "web" / "package.json").read_text(encoding="utf-8"))
    return package["devDependencies"]["axe-core"]


def inject(page) -> str:
    """Load axe-core into ``page`` (once per document); returns its version."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # As a function body, so its top-level `var`s stay local and `window.axe` is what it sets.
        page.evaluate("() => { " + axe_source() + "\n; return true; }")
    return page.evaluate("() => window.axe.version")


def violations(page, include: str | None = None, rules: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """axe-core's violations on the page (or on the elements matching ``include``)."""
    inject(page)
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if rules:
        options["rules"] = rules
    return page.evaluate(
        """async ([include, options]) => {
            const context = include ? {include: [include]} : document;
            const result = await window.axe.run(context, options);
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary || ''}))
            }));
        }""",
        [include, options],
    )


def describe(found: list[dict[str, Any]], limit: int = 5) -> str:
    lines = []
    for v in found:
        lines.append(f"- {v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']}")
        for node in v["nodes"][:limit]:
            lines.append(f"    {node['target']}: {node['summary'].splitlines()[-1] if node['summary'] else ''}")
    return "\n".join(lines)


def serious(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in found if v.get("impact") in FAILING_IMPACTS]


def assert_accessible(page, where: str, include: str | None = None) -> list[dict[str, Any]]:
    """Fail on any serious or critical axe-core violation; returns every violation found."""
    found = violations(page, include)
    bad = serious(found)
    assert not bad, f"axe-core {pinned_version()} on {where}: serious or critical violations\n{describe(bad)}"
    return found
