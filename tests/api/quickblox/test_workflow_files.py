"""File fields of archived and removed records: an archived record's file stays readable but cannot
change; a removed one's is hidden from all but admins; a purge deletes the bytes with the record."""

from __future__ import annotations

from tests.api.quickblox.test_record_files import DATA, make_record, upload_file
from tests.conftest import QBFiles


def _with_file(qbf: QBFiles) -> tuple[dict[str, str], str, str]:
    """bob's record with a file: (bob's headers, record id, the file's download URL)."""
    qbf.apply_class()
    qbf.make_user("bob")
    bob = qbf.headers("bob")
    record_id = make_record(qbf, bob)
    assert upload_file(qbf, bob, record_id).status_code == 200
    return bob, record_id, f"/data/ScoreTable/{record_id}/file.json?field_name=user_avatar&token={bob['QB-Token']}"


def test_an_archived_records_file_is_read_but_not_replaced(qbf: QBFiles) -> None:
    bob, record_id, url = _with_file(qbf)
    actor, _ = qbf.services.sessions.authenticate_token(bob["QB-Token"])
    qbf.services.records.archive(actor, "ScoreTable", record_id)
    before = qbf.state()
    refused = upload_file(qbf, bob, record_id, data=b"other")
    assert refused.status_code == 422 and refused.json() == {"errors": {"base": ["record is archived"]}}
    assert qbf.state() == before
    assert qbf.client.get(url).content == DATA


def test_a_removed_records_file_is_hidden_and_a_purge_deletes_its_bytes(qbf: QBFiles) -> None:
    bob, record_id, url = _with_file(qbf)
    actor, _ = qbf.services.sessions.authenticate_token(bob["QB-Token"])
    qbf.services.records.remove(actor, "ScoreTable", record_id)
    assert qbf.client.get(url).status_code == 404
    assert upload_file(qbf, bob, record_id, data=b"other").status_code == 404
    assert len(qbf.stored()) == 1  # still in the trash: the bytes stay
    qbf.services.records.purge(qbf.admin, "ScoreTable", record_id)
    assert qbf.stored() == []
    assert [e.kind for e in qbf.events(record_id)] == [
        "record.created", "record.updated", "record.removed", "record.deleted"]
