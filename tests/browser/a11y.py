"""Accessibility helpers of the browser tests: run the vendored axe-core in a Playwright page.

`axe_violations(page)` injects `vendor/axe.min.js` (axe-core 4.14.1, MPL-2.0) into the page,
runs every rule (WCAG 2.x A/AA + best practices) on the whole document and returns the
violations of impact serious or critical, each as `{"id", "impact", "help", "targets"}`.
`RULE_EXCLUSIONS` lists the rules not run, each with its reason (keep it short).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE_JS = Path(__file__).with_name("vendor") / "axe.min.js"
SEVERE = ("serious", "critical")
# rule id -> why it is not run (none so far: fix the page instead)
RULE_EXCLUSIONS: dict[str, str] = {}


def axe_violations(page: Any, *, impacts: tuple[str, ...] = SEVERE) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    options = {"rules": {rule: {"enabled": False} for rule in RULE_EXCLUSIONS},
               "resultTypes": ["violations"]}
    result = page.evaluate("(options) => axe.run(document, options)", options)
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "targets": [" ".join(map(str, node["target"])) for node in v["nodes"]][:5],
         "html": [node["html"][:160] for node in v["nodes"]][:3]}
        for v in result["violations"] if v.get("impact") in impacts
    ]


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {v['targets']} {v['html']}"
        for v in violations
    )
