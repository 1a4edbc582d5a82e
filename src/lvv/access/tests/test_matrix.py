"""docs/access-matrix.md shows exactly the matrix enforced by lvv.access.rules."""

from lvv.access import matrix


def test_document_matches_the_code():
    current = matrix.DOC.read_text("utf-8")
    assert matrix.render_document(current) == current, (
        "docs/access-matrix.md differs from lvv.access.rules.MATRIX: run `lvv access-matrix --write`"
    )
