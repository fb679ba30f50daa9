"""Content and File fields through the real QuickBlox JS SDK (tests/sdk/scenario_files.js), on every
database and both files backends. Reuses tests/sdk/test_sdk.py's Node and TLS fixtures and its
provision/serve_and_run helpers."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FILES_BACKENDS
from tests.sdk.test_sdk import (  # noqa: F401  (fixtures, found by name)
    SDK_DIR, ScenarioRun, certificates, node, objectbase_env, provision, serve_and_run,
)

pytestmark = pytest.mark.sdk

SCENARIO = SDK_DIR / "scenario_files.js"
LOGIN, PASSWORD = "sdk-files", "sdk-pass-1"
PRIVATE_SIZE, PUBLIC_SIZE, AVATAR_SIZE = 1536 * 1024 + 7, 20000, 300000


@pytest.fixture(scope="module", params=FILES_BACKENDS)
def files_run(request: pytest.FixtureRequest, backend: str, make_database_url: Any, node: str,  # noqa: F811
              certificates: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> ScenarioRun:  # noqa: F811
    work = tmp_path_factory.mktemp(f"sdk-files-{backend}-{request.param}")
    env = objectbase_env(make_database_url(backend), work)
    if request.param == "s3":
        moto = request.getfixturevalue("moto_server")
        bucket = f"sdk-{uuid.uuid4().hex[:12]}"
        moto.client().create_bucket(Bucket=bucket)
        env.update(OBJECTBASE_FILES_URL=f"s3://{bucket}/objectbase", OBJECTBASE_S3_ENDPOINT_URL=moto.endpoint_url,
                   OBJECTBASE_S3_REGION=moto.REGION, OBJECTBASE_S3_ACCESS_KEY_ID=moto.KEY,
                   OBJECTBASE_S3_SECRET_ACCESS_KEY=moto.KEY)
    config, user_id = provision(env, work, app_name="sdk-files", login=LOGIN, password=PASSWORD)
    return serve_and_run(SCENARIO, config, env=env, work=work, node=node, certificates=certificates,
                         user_id=user_id, timeout=150)


def test_scenario_completes(files_run: ScenarioRun) -> None:
    assert files_run.returncode == 0 and files_run.report["ok"] is True, files_run.diagnostics()


def test_create_and_upload_then_read_back(files_run: ScenarioRun) -> None:
    created = files_run.step("createAndUploadPrivate")
    assert created["size"] == PRIVATE_SIZE and created["public"] is False
    info = files_run.step("getInfo")["blob"]
    assert (info["uid"], info["size"], info["blob_status"]) == (created["uid"], PRIVATE_SIZE, "complete")
    fetched = files_run.step("privateUrlFetch")
    assert fetched["matches"] and fetched["contentType"] == "application/octet-stream"
    refused = files_run.step("privateBlobWithoutToken")
    assert refused["status"] == 401
    assert files_run.step("getFile")["blob"]["uid"] == created["uid"]
    public = files_run.step("publicUrlFetch")
    assert public["matches"] and public["contentType"] == "image/png"
    assert files_run.step("createAndUploadPublic")["public"] is True


def test_upload_and_mark_uploaded_one_by_one(files_run: ScenarioRun) -> None:
    assert files_run.step("upload") == {}
    assert files_run.step("markUploaded") == ""  # text mode, empty body (size=undefined accepted)
    assert files_run.step("manualFetch")["matches"]
    refused = files_run.step("markUploadedWithoutUpload")
    # markUploaded reads text: the body comes back unparsed in `message`.
    assert refused["code"] == 422
    assert json.loads(refused["message"]) == {"errors": {"base": ["The file has not been uploaded"]}}


def test_list_update_delete(files_run: ScenarioRun) -> None:
    listed = files_run.step("list")
    assert listed["total_entries"] == 4 and listed["current_page"] == 1
    assert files_run.step("update")["blob"]["name"] == "manual.txt"  # the SDK's update is a GET
    assert files_run.step("delete") is True
    assert files_run.step("getInfoAfterDelete")["code"] == 404


def test_data_file_calls(files_run: ScenarioRun) -> None:
    model = files_run.step("uploadFile")
    assert re.fullmatch(r"[0-9a-f]{24}", model["file_id"])
    assert {k: model[k] for k in ("name", "size", "content_type")} == {
        "name": "avatar.png", "size": AVATAR_SIZE, "content_type": "image/png"}
    downloaded = files_run.step("downloadFile")
    assert downloaded["matches"] and downloaded["sameAsFileUrl"]
    assert files_run.step("recordAfterUpload")["items"][0]["user_avatar"] == model
    assert files_run.step("deleteFile") is True
    assert files_run.step("fileUrlAfterDelete")["status"] == 404


def test_wire_requests(files_run: ScenarioRun) -> None:
    def shape(path: str) -> str:
        path = re.sub(r"/blobs/[0-9a-f]{34}", "/blobs/{uid}", path)
        return re.sub(r"/blobs/\d+", "/blobs/{id}", re.sub(r"/[0-9a-f]{24}/", "/{rid}/", path))
    seen = [(r.method, shape(r.path), r.status) for r in files_run.requests]
    assert ("POST", "/blobs/{id}/upload/", 201) in seen  # the params URL, trailing slash and all
    assert seen.count(("PUT", "/blobs/{id}/complete.json", 200)) == 3
    assert ("PUT", "/blobs/{id}/complete.json", 422) in seen
    assert ("GET", "/blobs/{uid}.json", 200) in seen
    assert ("POST", "/data/ScoreTable/{rid}/file.json", 200) in seen
    assert ("DELETE", "/data/ScoreTable/{rid}/file.json", 200) in seen
    assert all(status < 500 for _method, _path, status in seen), files_run.diagnostics()
