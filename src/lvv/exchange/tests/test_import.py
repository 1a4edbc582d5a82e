"""The person and capacity imports: messy files in, events and projections out, all or nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from lvv.exchange import services
from lvv.registry import services as registry_services
from lvv.registry.history import stay_state
from lvv.registry.models import LVV, CapacityRecord, Event, EventKind, Person, Stay
from lvv.registry.tests.factories import LVVFactory

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


def _counts():
    return Person.objects.count(), Stay.objects.count(), Event.objects.count(), LVV.objects.count()


def test_comma_csv_with_bom_iso_dates_and_label_variants():
    result = services.persons_import(path=DATA / "persons_comma.csv")
    assert result.ok, result.problems
    assert result.lvvs_created == ["Amsterdam", "Utrecht"]
    assert (result.stays_created, result.persons_created) == (4, 4)
    ams = Stay.objects.get(lvv__name="Amsterdam", correspondence_number="A-002")
    assert ams.admission_date == dt.date(2020, 2, 3)
    assert ams.outflow_type == "immigration_detention"
    assert ams.follow_up == "forced_departure"
    assert ams.person.gender == "female" and ams.person.country == "IRN"
    a3 = Stay.objects.get(correspondence_number="A-003")
    assert a3.target_group == "safe_country"
    assert a3.scenario == "not_yet_determined" and a3.scenario_discussed_in_lso is False
    assert a3.outflow_type == "repeat_asylum_application" and a3.follow_up == "permit_granted"
    assert a3.registration_date == a3.admission_date  # empty datum_aanmelding
    assert a3.person.birth_year is None and a3.person.gender == "unknown"
    utr = Stay.objects.get(lvv__name="Utrecht")
    assert utr.outflow_type == "terminated" and utr.person.country == "XXA"
    assert utr.lvv.policy is not None
    events = Event.objects.filter(stay=ams)
    assert {e.source for e in events} == {"import"}
    assert all(e.source_ref.startswith("persons_comma.csv sha256:") for e in events)


def test_semicolon_csv_with_dutch_dates_and_diacritics():
    result = services.persons_import(path=DATA / "persons_semicolon.csv")
    assert result.ok, result.problems
    g1 = Stay.objects.get(correspondence_number="G-1")
    assert g1.registration_date == dt.date(2020, 2, 1)
    assert g1.scenario == "medical_stabilisation"
    assert g1.person.country == "SYR" and g1.person.gender == "female"
    g2 = Stay.objects.get(correspondence_number="G-2")
    assert g2.outflow_date == dt.date(2020, 9, 5) and g2.outflow_type == "onward_migration"


def test_second_import_changes_nothing():
    services.persons_import(path=DATA / "persons_comma.csv")
    before = _counts()
    result = services.persons_import(path=DATA / "persons_comma.csv")
    assert result.ok
    assert (result.stays_created, result.stays_updated, result.stays_unchanged) == (0, 0, 4)
    assert _counts() == before


def test_changed_values_append_corrections_only(tmp_path):
    services.persons_import(path=DATA / "persons_comma.csv")
    text = (DATA / "persons_comma.csv").read_text(encoding="utf-8-sig")
    text = text.replace(
        "2020-01-06,Terugkeer,ja,,,,", "2020-01-06,Legalisering,ja,2020-05-05,terugkeer,,"
    )
    text = text.replace("IRN,1990", "IRN,1991")
    text = text.replace("2020-08-01,Vreemdelingenbewaring,gedwongen vertrek,2020-09-01", ",,,")
    changed = tmp_path / "changed.csv"
    changed.write_text(text, encoding="utf-8")
    events_before = Event.objects.count()
    result = services.persons_import(path=changed)
    assert result.ok, result.problems
    assert (result.stays_updated, result.stays_unchanged) == (2, 2)
    a1 = Stay.objects.get(lvv__name="Amsterdam", correspondence_number="A-001")
    assert a1.scenario == "legalisation" and a1.outflow_type == "return"
    a2 = Stay.objects.get(lvv__name="Amsterdam", correspondence_number="A-002")
    assert a2.outflow_date is None and a2.status == "admitted" and a2.follow_up == ""
    assert a2.person.birth_year == 1991
    kinds = sorted(Event.objects.order_by("id")[events_before:].values_list("kind", flat=True))
    assert kinds == sorted(
        [
            EventKind.SCENARIO_SET,
            EventKind.OUTFLOW_REGISTERED,
            EventKind.PERSON_CORRECTED,
            EventKind.EVENT_VOIDED,
            EventKind.EVENT_VOIDED,
        ]
    )
    for stay in (a1, a2):
        state = stay_state(stay.events.all())
        assert state.outflow_date == stay.outflow_date and state.scenario == stay.scenario
    # And once more: nothing.
    assert services.persons_import(path=changed).stays_unchanged == 4


def test_invalid_rows_are_all_reported_and_nothing_is_written():
    LVVFactory(name="Amsterdam")
    before = _counts()
    result = services.persons_import(path=DATA / "persons_invalid.csv")
    assert not result.ok
    lines = [str(p) for p in result.problems]
    assert "row 2: v_nummer: a v_nummer has exactly 10 digits" in lines
    assert "row 2: datum_toelating: '31-02-2020' is not a real date" in lines
    assert any(line.startswith("row 3: geslacht: unknown value 'alien'") for line in lines)
    assert any(line.startswith("row 4: datum_uitstroom: outflow") for line in lines)
    assert any(line.startswith("row 5: wijze_van_uitstroom:") for line in lines)
    assert any(line.startswith("row 6: begeleidingsscenario: formulas") for line in lines)
    assert "row 7: correspondentienummer: a value is required" in lines
    assert not any(line.startswith("row 8") for line in lines)
    assert _counts() == before


def test_duplicate_key_wrong_encoding_and_empty_file(tmp_path):
    dup = tmp_path / "dup.csv"
    dup.write_text("lvv,correspondentienummer,datum_toelating\nA,1,01-01-2020\na,1,02-01-2020\n")
    problems = [str(p) for p in services.persons_import(path=dup).problems]
    assert problems == ["row 3: correspondentienummer: '1' appears twice for this LVV (also row 2)"]
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        "lvv;correspondentienummer;datum_toelating\nBeëindigd;1;01-01-2020\n".encode("latin-1")
    )
    assert "not UTF-8" in str(services.persons_import(path=latin).problems[0])
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert str(services.persons_import(path=empty).problems[0]) == "row 1: file: the file is empty"
    missing = tmp_path / "missing.csv"
    missing.write_text("lvv;datum_toelating\nA;01-01-2020\n")
    assert str(services.persons_import(path=missing).problems[0]) == (
        "row 1: correspondentienummer: required column is missing from the header"
    )
    assert _counts() == (0, 0, 0, 0)


def test_dry_run_writes_nothing():
    result = services.persons_import(path=DATA / "persons_comma.csv", dry_run=True)
    assert result.ok and result.stays_created == 4 and result.events_created > 0
    assert _counts() == (0, 0, 0, 0)


def _xlsx(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def test_xlsx_with_date_cells_and_formula_refused(tmp_path):
    header = [
        "LVV",
        "Correspondentienummer",
        "Datum toelating",
        "Geboortejaar",
        "Datum uitstroom",
        "Wijze van uitstroom",
    ]
    good = _xlsx(
        tmp_path / "p.xlsx",
        [header, ["Eindhoven", 17, dt.datetime(2020, 5, 4), 1980, None, None]],
    )
    result = services.persons_import(path=good)
    assert result.ok, result.problems
    stay = Stay.objects.get()
    assert stay.correspondence_number == "17" and stay.admission_date == dt.date(2020, 5, 4)
    assert stay.person.birth_year == 1980
    bad = _xlsx(
        tmp_path / "bad.xlsx",
        [header, ["Eindhoven", 18, "=TODAY()", 1980, None, None]],
    )
    problems = [str(p) for p in services.persons_import(path=bad).problems]
    assert problems == ["row 2: datum_toelating: formulas are not accepted; type the value itself"]


def test_import_equals_the_services():
    """A bulk-imported stay has the same columns and events as the same facts typed in."""
    services.persons_import(path=DATA / "persons_comma.csv")
    imported = Stay.objects.get(lvv__name="Amsterdam", correspondence_number="A-002")
    lvv = LVV.objects.get(name="Amsterdam")
    person = registry_services.person_create(
        by=None, source="web", v_number="", birth_year=1990, gender="female", country="IRN"
    )
    typed = registry_services.stay_register(
        person=person,
        lvv=lvv,
        registration_date=dt.date(2020, 2, 1),
        by=None,
        correspondence_number="T-002",
    )
    registry_services.stay_admit(stay=typed, on=dt.date(2020, 2, 3), by=None)
    registry_services.stay_register_outflow(
        stay=typed, kind="immigration_detention", on=dt.date(2020, 8, 1), by=None
    )
    registry_services.stay_register_follow_up(
        stay=typed, follow_up="forced_departure", on=dt.date(2020, 9, 1), by=None
    )
    typed.refresh_from_db()
    columns = [*services.STAY_PROJECTION, "version"]
    as_imported = {c: getattr(imported, c) for c in columns}
    as_typed = {c: getattr(typed, c) for c in columns}
    as_imported.pop("correspondence_number"), as_typed.pop("correspondence_number")
    assert as_imported == as_typed

    def shape(stay):
        return [
            (e.kind, e.valid_on, {k: v for k, v in e.data.items() if k != "correspondence_number"})
            for e in Event.objects.filter(person=stay.person).order_by("id")
        ]

    assert shape(imported) == shape(typed)
    state = stay_state(imported.events.all())
    assert {c: getattr(state, c) for c in services.STAY_PROJECTION} == {
        c: getattr(imported, c) for c in services.STAY_PROJECTION
    }
    for attr in ("v_number", "birth_year", "gender", "country"):
        assert getattr(imported.person, attr) == getattr(person, attr)


def test_ind_file_enriches_by_correspondence_number_and_v_number(tmp_path):
    services.persons_import(path=DATA / "persons_comma.csv", ind_path=DATA / "ind.csv")
    person = Stay.objects.get(correspondence_number="A-002").person
    assert person.first_ind_application_date == dt.date(2012, 5, 12)
    assert person.ind_status == "Afgewezen, in bezwaar"
    assert Event.objects.filter(person=person, source="ind", kind="person_corrected").count() == 1
    by_v = tmp_path / "ind_v.csv"
    by_v.write_text("correspondentienummer,v_nummer,datum_eerste_aanvraag\n,1234567890,1-1-2010\n")
    result = services.ind_import(path=by_v)
    assert result.ok and result.ind_updated == 1
    assert Stay.objects.get(
        correspondence_number="A-001", lvv__name="Amsterdam"
    ).person.first_ind_application_date == dt.date(2010, 1, 1)
    unknown = tmp_path / "ind_x.csv"
    unknown.write_text("correspondentienummer,datum_eerste_aanvraag\nZZZ,1-1-2010\n")
    assert [str(p) for p in services.ind_import(path=unknown).problems] == [
        "row 2: correspondentienummer: no person with this number (that you may see)"
    ]


def test_capacity_import_is_append_only_and_idempotent(tmp_path):
    result = services.capacity_import(path=DATA / "capacity.csv")
    assert result.ok and result.capacity_created == 3
    assert result.lvvs_created == ["Amsterdam", "Eindhoven"]
    again = services.capacity_import(path=DATA / "capacity.csv")
    assert again.capacity_created == 0 and again.capacity_unchanged == 3
    changed = tmp_path / "c.csv"
    changed.write_text("lvv;datum_vanaf;capaciteit\namsterdam;2021-01-01;420\n")
    services.capacity_import(path=changed)
    assert CapacityRecord.objects.count() == 4
    bad = tmp_path / "bad.csv"
    bad.write_text("lvv;datum_vanaf;capaciteit\namsterdam;2021-13-01;veel\n")
    assert [str(p) for p in services.capacity_import(path=bad).problems] == [
        "row 2: datum_vanaf: '2021-13-01' is not a real date",
        "row 2: capaciteit: 'veel' is not a whole number of places",
    ]


def test_command_exit_status_and_output(capsys):
    call_command("import-persons", str(DATA / "persons_comma.csv"), "--no-progress")
    out = capsys.readouterr().out
    assert "LVV Amsterdam does not exist yet: were created" in out
    assert "stays: 4 created, 0 updated, 0 unchanged" in out
    with pytest.raises(SystemExit) as exc:
        call_command("import-persons", str(DATA / "persons_invalid.csv"), "--no-progress")
    assert exc.value.code == 1
    assert "row 2: v_nummer: a v_nummer has exactly 10 digits" in capsys.readouterr().out
