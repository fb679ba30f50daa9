"""The Classes pages in real Chromium: build a class from nothing, as a person would, and take its file away."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from objectbase.core.actor import Actor
from objectbase.core.permissions import Access, Action
from tests.web.browser.conftest import Served, shoot, sign_in


def _add_field(page: Page, name: str, type_name: str, *, options: str = "") -> None:
    page.get_by_role("link", name="Add a field").first.click()
    page.get_by_label("Field name").fill(name)
    page.get_by_label("Type").select_option(type_name)
    if options:
        page.get_by_label("Options").fill(options)
    page.get_by_role("button", name="Add field").click()
    expect(page.get_by_role("status")).to_contain_text(f"Field {name} ({type_name}) added.")


def test_build_a_class_with_fields_permissions_a_state_and_an_option(page: Page, served: Served,
                                                                      tmp_path: Path) -> None:
    app = served.new_app("Classes app")
    sign_in(page, served, served.new_operator())
    page.goto(served.url(f"/_/apps/{app.app_id}"))
    page.get_by_role("navigation", name="Application").get_by_role("link", name="Classes").click()
    expect(page.get_by_role("heading", name="Classes", exact=True)).to_be_visible()
    expect(page.get_by_text("No classes yet")).to_be_visible()

    page.get_by_label("Class name").fill("Deal")
    page.get_by_role("button", name="Create class").click()
    expect(page.get_by_role("heading", name="Deal", exact=True)).to_be_visible()

    page.get_by_role("link", name="Add a field").first.click()
    expect(page.get_by_label("Options")).to_be_hidden()  # only for Option types
    page.get_by_label("Type").select_option("Record[]")
    expect(page.get_by_label("Record class")).to_be_visible()
    shoot(page, served, "class-field-form")
    page.get_by_role("link", name="Cancel").click()
    for name, type_name in (("amount", "Integer"), ("title", "String"), ("closes", "Date"), ("contract", "File")):
        _add_field(page, name, type_name)
    _add_field(page, "stage", "Option", options="Cold\nWarm")

    fields = page.get_by_role("table").first
    fields.get_by_role("row", name="title").get_by_role("button", name="Make required").click()
    expect(page.get_by_role("status")).to_have_text("title is now required.")
    fields.get_by_role("row", name="amount").get_by_role("button", name="Add index").click()
    expect(page.get_by_role("status")).to_have_text("amount is now indexed.")
    expect(fields.get_by_role("row", name="amount").get_by_role("button", name="Remove index")).to_be_visible()

    page.get_by_label("Read access").select_option("open_for_groups")
    page.get_by_label("Read users ids or groups").fill("sales")
    page.get_by_label("The class decides for every read").check()
    page.get_by_label("Delete access").select_option("not_allowed")
    page.get_by_role("button", name="Save permissions").click()
    expect(page.get_by_role("status")).to_have_text("Permissions saved.")

    page.get_by_label("New state").fill("Open")
    page.get_by_role("button", name="Add state").click()
    expect(page.get_by_role("status")).to_have_text("State Open added.")
    page.get_by_label("New option of stage").fill("Hot")
    page.get_by_role("button", name="Add option").click()
    expect(page.get_by_role("status")).to_have_text("Option Hot added to stage.")
    shoot(page, served, "class-page")

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download class.json").first.click()
    download = downloading.value
    assert download.suggested_filename == "Deal.class.json"
    saved = tmp_path / "Deal.class.json"
    download.save_as(saved)
    file = json.loads(saved.read_text())
    assert file["fields"] == {"amount": "Integer", "title": "String", "closes": "Date", "contract": "File",
                              "stage": {"type": "Option", "options": ["Cold", "Warm", "Hot"]}}
    assert (file["required"], file["indexes"]) == (["title"], ["amount"])
    assert file["permissions"]["read"] == {"access": "open_for_groups", "groups": ["sales"]}
    assert file["use_class_permissions"]["read"] is True
    assert file["states"] == [{"name": "Open", "transitions": []}]
    # What the page showed is what the core holds.
    cls = served.services.classes.get_class(Actor.admin(app.app_id), "Deal")
    assert cls.permissions.acl[Action.DELETE].access is Access.NOT_ALLOWED
    assert cls.fields["title"].required and cls.fields["amount"].indexed

    page.get_by_role("link", name="Classes", exact=True).first.click()
    expect(page.get_by_role("link", name="0 records of Deal")).to_be_visible()
    shoot(page, served, "classes-list")


def test_apply_a_class_file_then_delete_the_class_after_confirming(page: Page, served: Served) -> None:
    app = served.new_app()
    sign_in(page, served, served.new_operator())
    page.goto(served.url(f"/_/apps/{app.app_id}/classes"))
    page.get_by_label("Class file (JSON)").fill('{"name": "Lead", "fields": {"count": "Integer"}}')
    page.get_by_role("button", name="Apply class file").click()
    expect(page.locator("#class_file-error")).to_contain_text("reserved word")
    page.get_by_label("Class file (JSON)").fill('{"name": "Lead", "fields": {"email": "String"}}')
    page.get_by_role("button", name="Apply class file").click()
    expect(page.get_by_role("heading", name="Lead", exact=True)).to_be_visible()
    expect(page.get_by_role("row", name="email")).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, served, "class-page-phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Delete class Lead").click()
    expect(page.get_by_role("heading", name="Lead", exact=True)).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete class Lead").click()
    expect(page.get_by_role("status")).to_have_text("Class Lead and its records deleted.")
    expect(page.get_by_text("No classes yet")).to_be_visible()
