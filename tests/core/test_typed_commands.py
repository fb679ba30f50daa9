"""The core validates typed commands with its own (neutral) field names; QuickBlox renames them on the wire."""

from __future__ import annotations

import pytest

from objectbase.core.actor import Actor
from objectbase.core.blobs import BlobChanges, NewBlob
from objectbase.core.errors import ValidationError
from objectbase.core.users import NewUser
from tests.conftest import QB

LONG_TAG = "x" * 256


def _user(qb: QB, login: str) -> Actor:
    qb.make_user(login)
    actor, _ = qb.services.sessions.authenticate_token(qb.token(login))
    return actor


def test_blob_commands_are_typed(qb: QB) -> None:
    actor = _user(qb, "hal")
    blob, _grant = qb.services.blobs.create_blob(actor, NewBlob("a.txt", "text/plain", public=True, tags=("a", "b", "a")))
    assert (blob.public, blob.tags) == (True, ("a", "b"))
    changed, grant = qb.services.blobs.update_blob(actor, blob.id, BlobChanges(public=False, renew=True))
    assert (changed.public, changed.name, changed.tags, grant is not None) == (False, "a.txt", ("a", "b"), True)
    with pytest.raises(ValidationError) as raised:
        qb.services.blobs.create_blob(actor, NewBlob("a.txt", "text/plain", tags=(LONG_TAG,)))
    assert set(raised.value.field_errors) == {"tags"}


def test_user_tags_are_checked_under_the_core_name(qb: QB) -> None:
    with pytest.raises(ValidationError) as raised:
        qb.services.users.create_user(qb.admin, NewUser({"login": "ivy"}, "password1", (LONG_TAG,)))
    assert set(raised.value.field_errors) == {"tags"}


def test_quickblox_renames_core_fields_to_its_wire_names(qb: QB) -> None:
    # The blob adapter only splits the list; the core refuses the long tag as `tags`, the wire says `tag_list`.
    qb.make_user("jay")
    response = qb.client.post("/blobs.json", headers=qb.headers("jay"), json={"blob": {
        "name": "a.txt", "content_type": "text/plain", "tag_list": f"ok,{LONG_TAG}"}})
    assert response.status_code == 422
    assert response.json() == {"errors": {"tag_list": ["is invalid"]}}
