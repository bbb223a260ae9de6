"""Settings come from the environment; production settings pass Django's deploy check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"}
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_production_values(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "DEBUG": "0",
            "SECRET_KEY": "f" * 20 + "k3y-for-the-deploy-check-with-enough-entropy-9e8d7c6b5a4",
            "ALLOWED_HOSTS": "bif.flensburg.example",
            "BIF_VAR_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_flags_the_demo_secret_key(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={"DEBUG": "0", "BIF_VAR_DIR": str(tmp_path)},
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


def test_portal_process_runs_without_sealed_credentials(tmp_path):
    result = run_manage(
        "check",
        env_overrides={"SEALED_DATABASE_URL": "none", "BIF_VAR_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    script = (
        "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','bif.settings');"
        "django.setup();from django.conf import settings;"
        "print(sorted(settings.DATABASES), settings.SEALED_DATABASE_AVAILABLE)"
    )
    env = dict(os.environ, SEALED_DATABASE_URL="none", BIF_VAR_DIR=str(tmp_path))
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.stdout.strip() == "['default'] False", out.stderr


@pytest.mark.django_db
def test_microdata_pages_answer_clearly_without_the_sealed_database(client, statistician):
    client.force_login(statistician)
    with override_settings(SEALED_DATABASE_AVAILABLE=False):
        response = client.get(reverse("statistics_office:microdata-overview"))
    assert response.status_code == 503
    assert "abgeschotteten Datenbank der Statistikstelle" in response.content.decode()


@pytest.mark.django_db
def test_the_rest_of_the_portal_works_without_the_sealed_database(client, staff, source):
    client.force_login(staff)
    with override_settings(SEALED_DATABASE_AVAILABLE=False):
        assert client.get("/").status_code == 200
        assert client.get("/katalog/").status_code == 200
        assert client.get(source.get_absolute_url()).status_code == 200
        assert client.get("/dashboards/").status_code == 200
