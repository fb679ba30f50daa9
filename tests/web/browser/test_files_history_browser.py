"""Files and History in real Chromium against a served instance (its files in its data folder)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Dialog, FilePayload, Page, expect

from objectbase.api.field_names import read_class_file
from objectbase.core.actor import Actor
from objectbase.core.records import NewRecord, RecordChange
from objectbase.core.updates import FieldChange
from tests.web.browser.conftest import Served, shoot, sign_in

DATA = b"Objectbase browser upload\n" + bytes(range(256)) * 40


def test_upload_list_download_publish_and_delete_a_file(page: Page, served: Served, tmp_path: Path) -> None:
    app = served.new_app("Files app")
    sign_in(page, served, served.new_operator())
    page.goto(served.url(f"/_/apps/{app.app_id}"))
    page.get_by_role("navigation", name="Application").get_by_role("link", name="Files").click()
    expect(page.get_by_role("heading", name="Files", exact=True)).to_be_visible()
    chosen: FilePayload = {"name": "report.bin", "mimeType": "application/octet-stream", "buffer": DATA}
    page.get_by_label("File", exact=True).set_input_files(files=[chosen])
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_have_text("Uploaded report.bin.")
    expect(page.get_by_role("heading", name="report.bin")).to_be_visible()

    page.get_by_role("link", name="← All files").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="report.bin"))
    expect(row).to_contain_text("private")
    expect(row).to_contain_text("10.0 KiB")
    shoot(page, served, "files-list")

    row.get_by_role("link", name="report.bin").click()
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download").click()
    download = downloading.value
    assert download.suggested_filename == "report.bin"
    saved = tmp_path / "downloaded.bin"
    download.save_as(saved)
    assert saved.read_bytes() == DATA

    page.get_by_role("button", name="Make public").click()
    expect(page.get_by_role("status")).to_have_text("report.bin is public now.")
    expect(page.get_by_role("button", name="Make private")).to_be_visible()
    shoot(page, served, "file-show")

    questions: list[str] = []

    def accept(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_have_text("Deleted report.bin.")
    assert questions == ["Delete report.bin? This cannot be undone."]
    expect(page.get_by_role("link", name="report.bin")).to_have_count(0)
    expect(page.get_by_text("No files yet.")).to_be_visible()


def test_a_records_history_and_the_feed_filtered_by_class(page: Page, served: Served) -> None:
    app = served.new_app("History app")
    admin = Actor.admin(app.app_id)
    core = served.services
    core.classes.apply_classes(admin, read_class_file([
        {"name": "Task", "fields": {"title": "String", "estimate": "Integer"}},
        {"name": "Note", "fields": {"text": "String"}}]))
    task = core.records.create_records(admin, "Task", [NewRecord({"title": "Draft", "estimate": 1})]).records[0].id
    for title, estimate in (("Draft 2", 2), ("Final", 3)):
        core.records.update_records(admin, "Task", [RecordChange(task, [
            FieldChange("title", "set", title), FieldChange("estimate", "set", estimate)])])
    core.records.create_records(admin, "Note", [NewRecord({"text": "unrelated"})])

    sign_in(page, served, served.new_operator())
    page.goto(served.url(f"/_/apps/{app.app_id}/classes/Task/records/{task}/history"))
    expect(page.get_by_role("heading", name=f"History of Task {task}")).to_be_visible()
    newest = page.locator("li.event").first
    expect(newest.get_by_role("row", name="title")).to_contain_text("Draft 2")
    expect(newest.get_by_role("row", name="title").locator("ins")).to_have_text("Final")
    expect(newest.get_by_role("row", name="estimate").locator("del")).to_have_text("2")
    expect(page.locator("li.event")).to_have_count(3)
    shoot(page, served, "record-history")

    page.get_by_role("navigation", name="Application").get_by_role("link", name="History").click()
    expect(page.get_by_role("link", name=re.compile(r"^Note "))).to_be_visible()
    expect(page.get_by_text("unrelated")).to_be_visible()
    page.get_by_label("Class").select_option("Task")
    page.get_by_label("Type").select_option("record.updated")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(served.url(f"/_/apps/{app.app_id}/history?class=Task&user=&type=record.updated&from=&to="))
    expect(page.locator("li.event")).to_have_count(2)
    expect(page.get_by_text("unrelated")).to_have_count(0)
    expect(page.get_by_text("2 events match, newest first")).to_be_visible()
    expect(page.locator("body.busy")).to_have_count(0)  # the loading bar ends with htmx's answer
    shoot(page, served, "history-feed")
    page.locator("li.event").last.get_by_role("link", name=f"Task {task}").click()
    expect(page.get_by_role("heading", name=f"History of Task {task}")).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, served, "record-history-phone")
