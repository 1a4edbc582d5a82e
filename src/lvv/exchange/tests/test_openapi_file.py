"""docs/openapi.yaml is the generated schema, committed; this fails when it drifts (`make schema`
regenerates it)."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parents[4] / "docs" / "openapi.yaml"


def test_committed_schema_matches_the_generated_one(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", file=str(generated), validate=True)
    assert COMMITTED.read_text(encoding="utf-8") == generated.read_text(encoding="utf-8"), (
        "docs/openapi.yaml is out of date: run `make schema` and commit the result"
    )
