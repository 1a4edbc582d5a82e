"""Properties of the name matching behind the national duplicate check."""

from hypothesis import given
from hypothesis import strategies as st

from lvv.workflow.duplicates import name_score, normalise_name

names = st.text(alphabet=st.characters(categories=("L", "Zs", "Pd")), max_size=40)


@given(names)
def test_normalising_is_idempotent_and_plain(value):
    once = normalise_name(value)
    assert normalise_name(once) == once
    assert once == once.strip() and "  " not in once


@given(names, names)
def test_score_is_symmetric_and_bounded(a, b):
    x, y = normalise_name(a), normalise_name(b)
    assert name_score(x, y) == name_score(y, x)
    assert 0 <= name_score(x, y) <= 100


def test_examples():
    assert normalise_name("  Traoré-Diallo ") == "traore diallo"
    assert name_score("tesfay haile", "haile tesfaye") >= 85
    assert name_score("ali", "ahmed ali") < 85
