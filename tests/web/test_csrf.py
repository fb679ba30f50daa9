"""A state-changing dashboard request without the matching CSRF token is refused (403), with it it runs."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from objectbase.web.csrf import CSRF_COOKIE, csrf_field, csrf_protected, csrf_token, set_csrf_cookie


async def form_page(request: Request) -> Response:
    token = csrf_token(request)
    response = PlainTextResponse(csrf_field(token))
    set_csrf_cookie(request, response, token)
    return response


@csrf_protected
async def change(request: Request) -> Response:
    form = await request.form()
    return PlainTextResponse(f"changed {form.get('name')}")


def client() -> TestClient:
    app = Starlette(routes=[Route("/_/form", form_page), Route("/_/change", change, methods=["POST"])])
    return TestClient(app, base_url="http://testserver")


def test_post_with_the_cookie_token_runs() -> None:
    with client() as c:
        c.get("/_/form")
        token = c.cookies[CSRF_COOKIE]
        response = c.post("/_/change", data={"csrf_token": token, "name": "x"})
    assert response.status_code == 200
    assert response.text == "changed x"


def test_post_with_the_token_in_the_header_runs() -> None:
    with client() as c:
        c.get("/_/form")
        response = c.post("/_/change", headers={"X-CSRF-Token": c.cookies[CSRF_COOKIE]}, data={"name": "y"})
    assert response.status_code == 200


def test_post_without_or_with_a_wrong_token_is_refused() -> None:
    with client() as c:
        c.get("/_/form")
        assert c.post("/_/change", data={"name": "x"}).status_code == 403
        assert c.post("/_/change", data={"csrf_token": "wrong" * 10, "name": "x"}).status_code == 403


def test_csrf_cookie_is_http_only_strict_and_secure_only_under_tls() -> None:
    with client() as c:
        plain = c.get("/_/form").headers["set-cookie"]
    assert "HttpOnly" in plain and "SameSite=strict" in plain and "Secure" not in plain
    app = client().app
    with TestClient(app, base_url="https://testserver") as c:
        tls = c.get("/_/form").headers["set-cookie"]
    assert "Secure" in tls
