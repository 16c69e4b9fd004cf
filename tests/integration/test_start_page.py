from __future__ import annotations

import os

import pytest
from django.test import Client

from tests.conftest import DEFAULT_VERSION


def test_it_says_what_prpath_is_and_how_to_run_triage(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "platelet-rich plasma" in page
    assert "prpath triage ../shared/vignettes/public --check" in page
    assert f"version <strong>{DEFAULT_VERSION}</strong>" in page
    assert "Go to an emergency department or call the emergency number now." in page


def test_it_serves_its_own_stylesheet(client: Client) -> None:
    page = client.get("/").content.decode()
    assert "/static/web/prpath.css" in page
    assert "http://" not in page
    assert "https://" not in page


def test_posting_to_the_start_page_is_refused(client: Client) -> None:
    assert client.post("/").status_code == 405


@pytest.mark.django_db
def test_health_reports_the_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    assert response.json() == {"status": "ok", "database": "postgresql" if on_postgres else "sqlite"}
