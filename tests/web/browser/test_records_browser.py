"""Records in real Chromium: create, edit, filter, sort and delete; upload and download a record's file."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from objectbase.api.field_names import read_class_file
from objectbase.core.actor import Actor
from tests.web.browser.conftest import Served, shoot, sign_in

CLASS = {"name": "Score", "fields": {"points": "Integer", "mode": "String", "sheet": "File"}}


def test_create_edit_filter_sort_and_delete_records_with_a_file(page: Page, served: Served, tmp_path: Path) -> None:
    app = served.new_app("Records app")
    served.services.classes.apply_classes(Actor.admin(app.app_id), read_class_file(CLASS))
    records = served.url(f"/_/apps/{app.app_id}/classes/Score/records")
    sign_in(page, served, served.new_operator())
    sheet = tmp_path / "sheet.txt"
    sheet.write_bytes(b"the score sheet\n")
    for points, mode in ((10, "classic"), (30, "classic"), (20, "arcade")):
        page.goto(records)
        page.get_by_role("link", name="New record").click()
        page.get_by_label("points").fill(str(points))
        page.get_by_label("mode").fill(mode)
        if points == 10:
            page.get_by_label("sheet").set_input_files(str(sheet))
        page.get_by_role("button", name="Create record").click()
        expect(page.get_by_role("button", name="Delete record")).to_be_visible()
    page.goto(records)
    expect(page.locator("tbody tr")).to_have_count(3)
    shoot(page, served, "records")

    # Filter in the QuickBlox search syntax: only the classic ones.
    page.get_by_label("Filter").fill("mode=classic")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"q=mode%3Dclassic"))
    shoot(page, served, "records-filtered")
    page.get_by_label("Filter").fill("points[zz]=1")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".error").first).to_be_visible()

    # Sort by points, both ways.
    page.goto(records)
    page.locator("thead").get_by_role("link", name="points").click()
    expect(page.locator("tbody tr").first).to_contain_text("10")
    page.locator("thead").get_by_role("link", name="points").click()
    expect(page.locator("tbody tr").first).to_contain_text("30")

    # Open the smallest, download its file, edit it.
    page.goto(records + "?q=points%3D10")
    page.locator("tbody tr").first.get_by_role("link").first.click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download sheet.txt").click()
    assert Path(download.value.path()).read_bytes() == b"the score sheet\n"
    page.get_by_label("points").fill("15")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_label("points")).to_have_value("15")
    shoot(page, served, "record")

    # Delete it (the confirmation accepted).
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete record").click()
    page.goto(records)
    expect(page.locator("tbody tr")).to_have_count(2)
