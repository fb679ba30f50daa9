"""SegmentRouter: a full match of a plain route calls its endpoint directly; everything else keeps
Starlette's routing semantics (order, 405 with Allow, trailing-slash redirects, 404)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from objectbase.api.common.routing import SegmentRouter


async def _echo(request: Request) -> Response:
    route = request.scope["route"]
    return JSONResponse({"route": route.path, "params": request.path_params, "method": request.method,
                         "via_router": "router" in request.scope})


def _sync_echo(request: Request) -> Response:  # a plain function: Starlette runs it on a thread
    return JSONResponse({"sync": True, "params": request.path_params, "via_router": "router" in request.scope})


ROUTES = [
    Route("/items/special", _echo, methods=["GET"]),
    Route("/items/{item_id:int}", _echo, methods=["GET", "PUT"]),
    Route("/items/{name}", _echo, methods=["DELETE"]),
    Route("/sync/{x}", _sync_echo, methods=["GET"]),
    Route("/{anything}/tail", _echo, methods=["POST"]),
    Route("/folder/", _echo, methods=["GET"]),
    Route("/files/{name}", _echo, methods=["DELETE"]),
    Route("/files/{rest:path}", _echo, methods=["GET"]),
]


def _client() -> TestClient:
    return TestClient(SegmentRouter(ROUTES))


def test_routes_match_in_order_with_converted_params() -> None:
    client = _client()
    assert client.get("/items/special").json()["route"] == "/items/special"
    body = client.put("/items/42").json()
    # Called directly: Starlette's Router (which marks the scope) never saw the request.
    assert body == {"route": "/items/{item_id:int}", "params": {"item_id": 42}, "method": "PUT", "via_router": False}
    assert client.delete("/items/abc").json()["params"] == {"name": "abc"}
    # A parameter as the first segment is tried for every bucket.
    assert client.post("/items/tail").json()["route"] == "/{anything}/tail"
    # A synchronous endpoint is left to Starlette (which runs it on a thread).
    assert client.get("/sync/7").json() == {"sync": True, "params": {"x": "7"}, "via_router": True}


def test_a_path_parameter_may_span_segments() -> None:
    client = _client()
    assert client.get("/files/a/b/c").json()["params"] == {"rest": "a/b/c"}
    assert client.delete("/files/a").json()["route"] == "/files/{name}"
    # Routes match by their segments' number too: a longer path is not a shorter route's.
    assert client.put("/items/1/extra").status_code == 404


def test_head_is_served_by_a_get_route() -> None:
    response = _client().head("/items/5")
    assert response.status_code == 200


def test_a_known_path_with_another_method_is_405_with_allow() -> None:
    response = _client().post("/items/5")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "PUT"}


def test_unknown_paths_are_404_and_a_missing_slash_redirects() -> None:
    client = _client()
    assert client.get("/nothing/here").status_code == 404
    redirected = client.get("/folder", follow_redirects=False)
    assert redirected.status_code == 307
    assert redirected.headers["location"].endswith("/folder/")
