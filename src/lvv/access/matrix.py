"""docs/access-matrix.md, generated from rules.MATRIX (`lvv access-matrix --write`). A test fails when
the document and the code differ, so the written matrix is always the enforced one."""

from __future__ import annotations

from pathlib import Path

from lvv.access import rules
from lvv.access.models import DataCategory
from lvv.accounts.models import Role

BEGIN = "<!-- BEGIN GENERATED MATRIX (lvv access-matrix --write) -->"
END = "<!-- END GENERATED MATRIX -->"
DOC = Path(__file__).resolve().parents[3] / "docs" / "access-matrix.md"

SCOPE_TEXT = {
    rules.Scope.LVV: "alle personen in de eigen LVV('s)",
    rules.Scope.NGO: "deelnemers van de eigen organisatie in de eigen LVV('s)",
    rules.Scope.CONSENT: "alleen deelnemers in de eigen LVV('s) die toestemming gaven aan {party}",
    rules.Scope.NONE: "geen personen",
}
ACTION_LETTER = {rules.VIEW: "z", rules.CHANGE: "w", rules.EXPORT: "e"}


def _cell(actions: frozenset[str] | None, consent: bool) -> str:
    if not actions:
        return "–"
    letters = "".join(
        ACTION_LETTER[a] for a in (rules.VIEW, rules.CHANGE, rules.EXPORT) if a in actions
    )
    return f"{letters}*" if consent else letters


def generated() -> str:
    cats = list(DataCategory)
    head = [
        "rol",
        "bereik",
        *[c.value for c in cats],
        "cijfers",
        "onderzoeksexport",
        "logboek",
        "beheer",
        "2FA",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for role in Role:
        rule = rules.MATRIX.get(role, rules.NO_RULE)
        consent = rule.scope == rules.Scope.CONSENT
        scope = SCOPE_TEXT[rule.scope].format(party=rule.party or "")
        cells = [_cell((rule.categories or {}).get(c.value), consent) for c in cats]
        flags = [
            "ja" if rule.aggregates else "–",
            "ja" if rule.research_export else "–",
            "ja" if rule.access_log else "–",
            "ja" if rule.configuration else "–",
            "ja" if rules.needs_two_factor_for_rule(rule) else "–",
        ]
        lines.append(
            "| " + " | ".join([f"`{role.value}` {role.label}", scope, *cells, *flags]) + " |"
        )
    legend = (
        "\nz = zien, w = wijzigen, e = exporteren (eigen caseload); * = alleen voor zover de "
        "deelnemer aan deze partij toestemming gaf voor die categorie; – = nee.\n"
    )
    return "\n".join(lines) + "\n" + legend


def render_document(current: str) -> str:
    start, end = current.index(BEGIN) + len(BEGIN), current.index(END)
    return current[:start] + "\n" + generated() + current[end:]
