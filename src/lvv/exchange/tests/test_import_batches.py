"""The import checks and writes batch by batch inside one transaction (a background thread does
the inserts): a problem or a failure after earlier batches were written still leaves nothing."""

from __future__ import annotations

import pytest

from lvv.access.models import AccessRecord
from lvv.exchange import services
from lvv.registry.models import LVV, Event, Person, Stay

pytestmark = pytest.mark.django_db(databases=["default", "accesslog"])

HEADER = "lvv;correspondentienummer;geslacht;datum_aanmelding;datum_toelating;datum_uitstroom;wijze_van_uitstroom\n"


def _file(tmp_path, lines: list[str]):
    path = tmp_path / "persons.csv"
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _counts():
    return Person.objects.count(), Stay.objects.count(), Event.objects.count(), LVV.objects.count()


GOOD = [
    "Amsterdam;A-1;man;01-01-2020;06-01-2020;;",
    "Amsterdam;A-2;vrouw;;03-02-2020;01-08-2020;terugkeer",
    "Utrecht;U-1;;02-03-2021;02-03-2021;;",
    "Utrecht;U-2;x;;04-04-2021;05-05-2022;hasa",
    "Zwolle;Z-1;m;;06-06-2022;;",
]


def test_small_batches_write_the_same_as_one(tmp_path, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 2)
    result = services.persons_import(path=_file(tmp_path, GOOD))
    assert result.ok, result.problems
    assert (result.stays_created, result.persons_created, result.rows) == (5, 5, 5)
    assert result.lvvs_created == ["Amsterdam", "Utrecht", "Zwolle"]
    assert _counts()[:2] == (5, 5)
    assert Event.objects.count() == result.events_created
    assert Stay.objects.get(correspondence_number="U-2").outflow_type == "repeat_asylum_application"
    # one access-log line per person created, as log_access writes them
    assert AccessRecord.objects.filter(operation="import").count() == 5
    again = services.persons_import(path=_file(tmp_path, GOOD))
    assert (again.stays_created, again.stays_unchanged) == (0, 5)


def test_a_problem_in_a_later_batch_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 2)
    lines = [*GOOD, "Zwolle;Z-2;alien;;07-07-2022;;", "Amsterdam;A-1;man;;08-08-2022;;"]
    result = services.persons_import(path=_file(tmp_path, lines))
    assert [str(p)[:26] for p in result.problems] == [
        "row 7: geslacht: unknown v",
        "row 8: correspondentienumm",
    ]
    assert (result.stays_created, result.events_created, result.lvvs_created) == (0, 0, [])
    assert result.rows == 7
    assert _counts() == (0, 0, 0, 0)


def test_a_failing_insert_rolls_everything_back(tmp_path, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 2)
    calls = []
    real = services._insert_batch

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_insert_batch", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        services.persons_import(path=_file(tmp_path, GOOD))
    assert _counts() == (0, 0, 0, 0)
