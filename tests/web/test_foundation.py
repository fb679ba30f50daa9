"""The dashboard is mounted at /_, GET / links to it, and everything else stays QuickBlox's."""

from __future__ import annotations

from tests.conftest import QB


def test_root_links_to_the_dashboard_and_the_docs(qb: QB) -> None:
    response = qb.client.get("/")
    assert response.status_code == 200
    assert response.json() == {"name": "objectbase", "dashboard": "/_/", "docs": "/docs"}


def test_dashboard_start_page_asks_to_sign_in_in_the_layout(qb: QB) -> None:
    response = qb.client.get("/_/")
    assert response.status_code == 200
    assert str(response.url).endswith("/_/sign-in?next=%2F_%2F")
    assert response.headers["content-type"].startswith("text/html")
    assert '<link rel="stylesheet" href="/_/static/dashboard.css">' in response.text
    assert response.headers["cache-control"] == "no-store"


def test_vendored_assets_are_served_with_their_licences(qb: QB) -> None:
    htmx = qb.client.get("/_/static/htmx.min.js")
    assert htmx.status_code == 200 and htmx.text.startswith("var htmx=")
    assert "2.0.11" in htmx.text
    assert qb.client.get("/_/static/htmx.LICENSE").status_code == 200
    assert "htmx.org` (`dist/htmx.min.js`) | 2.0.11" in qb.client.get("/_/static/VENDORED.md").text


def test_static_assets_are_long_cached(qb: QB) -> None:
    response = qb.client.get("/_/static/dashboard.css")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=86400"


def test_unknown_dashboard_page_is_an_html_404(qb: QB) -> None:
    response = qb.client.get("/_/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


def test_other_paths_stay_quickblox(qb: QB) -> None:
    # Not the bare root: QuickBlox still answers (here: its 404/401 shape, not the landing JSON).
    response = qb.client.get("/session.json")
    assert "dashboard" not in response.text
