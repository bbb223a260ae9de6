"""Settings come from the environment; production settings pass Django's deploy check."""

import os
import subprocess
import sys

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.conftest import ROOT, run_manage


def test_deploy_check_passes_with_production_values(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "DEBUG": "0",
            "SECRET_KEY": "f" * 20 + "k3y-for-the-deploy-check-with-enough-entropy-9e8d7c6b5a4",
            "BIF_RECORD_KEY_SECRET": "record-keys-of-the-deploy-check",
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


def _settings_error(tmp_path, **env_overrides):
    result = run_manage("check", env_overrides={"BIF_VAR_DIR": str(tmp_path), **env_overrides})
    return result.returncode, result.stdout + result.stderr


def test_a_yes_no_setting_with_a_typo_is_an_error(tmp_path):
    code, output = _settings_error(tmp_path, AXES_ENABLED="ture")
    assert code != 0
    assert "AXES_ENABLED='ture' is not a yes/no value" in output


def test_a_number_setting_that_is_no_number_is_an_error(tmp_path):
    code, output = _settings_error(tmp_path, IMPORT_STALE_SECONDS="10 min")
    assert code != 0
    assert "IMPORT_STALE_SECONDS='10 min' is not a whole number" in output


def test_the_demo_secret_key_is_refused_with_debug_off(tmp_path):
    code, output = _settings_error(tmp_path, DEBUG="0", BIF_RECORD_KEY_SECRET="r" * 40)
    assert code != 0
    assert "SECRET_KEY must be set in production" in output


def test_the_record_key_secret_is_required_with_debug_off(tmp_path):
    code, output = _settings_error(tmp_path, DEBUG="0", SECRET_KEY="s" * 50)
    assert code != 0
    assert "BIF_RECORD_KEY_SECRET must be set in production" in output


def test_secrets_can_come_from_files(tmp_path):
    """Docker secrets: SECRET_KEY_FILE and BIF_RECORD_KEY_SECRET_FILE name the files."""
    (tmp_path / "secret_key").write_text("k" * 50 + "\n")
    (tmp_path / "record_key").write_text("r" * 40 + "\n")
    script = (
        "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','bif.settings');"
        "django.setup();from django.conf import settings;"
        "print(settings.SECRET_KEY == 'k' * 50, settings.BIF_RECORD_KEY_SECRET == 'r' * 40)"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env.update(
        DEBUG="0",
        SECRET_KEY_FILE=str(tmp_path / "secret_key"),
        BIF_RECORD_KEY_SECRET_FILE=str(tmp_path / "record_key"),
        BIF_VAR_DIR=str(tmp_path),
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.stdout.strip() == "True True", out.stderr


def test_a_secret_file_that_cannot_be_read_is_an_error(tmp_path):
    code, output = _settings_error(tmp_path, SECRET_KEY_FILE=str(tmp_path / "missing"))
    assert code != 0
    assert "SECRET_KEY_FILE=" in output and "cannot be read" in output
