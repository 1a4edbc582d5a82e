"""The web import in Chromium: a coordinator uploads a file with errors, sees every invalid row,
uploads a good file, sees the summary, confirms, follows the background job's progress bar and
sees the import's summary when the job finished."""

from __future__ import annotations

from pathlib import Path

import pytest

from lvv.jobs.models import Job
from lvv.jobs.services import job_run
from lvv.registry.demo import DEMO_PASSWORD
from lvv.registry.models import Stay
from lvv.web.tests.browser import assert_accessible, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_import_upload_in_the_browser(
    browser_page, live_server, demo_structure, tmp_path, settings
):
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    # The queue keeps the job until this test runs it, so the page shows it waiting first.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    page = browser_page
    login(page, live_server, "gemeente-amsterdam", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Importeren").click()
    assert_accessible(page)
    bad = tmp_path / "fouten.csv"
    bad.write_text(
        "lvv;correspondentienummer;datum_toelating;geslacht\n"
        "Amsterdam;B-1;31-02-2020;v\nUtrecht;B-2;01-01-2020;onzin\n",
        encoding="utf-8",
    )
    page.get_by_label("Bestand (CSV of XLSX)").set_input_files(str(bad))
    page.get_by_role("button", name="Controleren").click()
    page.wait_for_load_state()
    assert page.get_by_text("3 fouten gevonden").is_visible()
    assert_accessible(page)
    screenshot(page, "exchange-import-errors")
    good = Path(__file__).parent / "data" / "persons_semicolon.csv"
    text = good.read_text(encoding="utf-8").replace("Groningen", "Amsterdam")
    ok = tmp_path / "goed.csv"
    ok.write_text(text, encoding="utf-8")
    page.get_by_label("Bestand (CSV of XLSX)").set_input_files(str(ok))
    page.get_by_role("button", name="Controleren").click()
    page.wait_for_load_state()
    assert page.get_by_text("alle regels zijn in orde").is_visible()
    screenshot(page, "exchange-import-summary")
    assert Stay.objects.count() == 0
    page.get_by_role("button", name="Importeren").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Personen importeren", level=1).is_visible()
    assert page.get_by_role("progressbar").is_visible()
    assert page.get_by_text("In de wachtrij").is_visible()
    assert_accessible(page)
    screenshot(page, "jobs-import-progress")
    assert Stay.objects.count() == 0
    job = Job.objects.get(kind="persons_import")
    job_run(str(job.pk))  # what a worker does; the page polls and shows the outcome
    summary = page.get_by_text("Nieuwe verblijven")
    summary.wait_for()
    assert page.locator(".job-result dd").nth(2).inner_text() == "3"
    assert page.get_by_role("link", name="Bekijk de geïmporteerde personen").is_visible()
    assert_accessible(page)
    screenshot(page, "jobs-import-done")
    assert Stay.objects.filter(lvv__name="Amsterdam").count() == 3
    assert not list((tmp_path / "media" / "jobs" / "uploads").glob("*"))
