"""docker-compose.yml cannot be run here (no Docker engine), so check that it is coherent."""

import importlib
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
BIF_SERVICES = {name: s for name, s in SERVICES.items() if s.get("image") == "bif:latest"}
SETTINGS_SOURCE = (ROOT / "bif" / "settings.py").read_text()
SETTINGS_VARS = set(re.findall(r'env(?:_bool|_list)?\("([A-Z_]+)"', SETTINGS_SOURCE))


def test_production_services_are_all_there():
    assert {"postgres", "redis", "portal", "worker-sealed", "worker-portal", "beat"} <= set(
        SERVICES
    )
    assert (ROOT / "Dockerfile").exists()


@pytest.mark.parametrize("name", sorted(BIF_SERVICES))
def test_each_command_refers_to_something_that_exists(name):
    command = BIF_SERVICES[name]["command"]
    program = command[0]
    if program == "gunicorn":
        module, attr = command[1].split(":")
        assert hasattr(importlib.import_module(module), attr)
    elif program == "celery":
        assert command[1:3] == ["-A", "bif"]
        assert hasattr(importlib.import_module("bif"), "celery_app")
        if "-Q" in command:
            queues = set(command[command.index("-Q") + 1].split(","))
            known = {settings.CELERY_TASK_DEFAULT_QUEUE} | {
                route["queue"] for route in settings.CELERY_TASK_ROUTES.values()
            }
            assert queues <= known
    elif program == "sh":
        for manage_command in re.findall(r"manage\.py (\w+)", command[-1]):
            assert manage_command in get_commands()
    else:
        pytest.fail(f"unknown program {program}")


@pytest.mark.parametrize("name", sorted(BIF_SERVICES))
def test_each_environment_variable_is_one_the_settings_read(name):
    environment = BIF_SERVICES[name]["environment"]
    unknown = set(environment) - SETTINGS_VARS
    assert not unknown, f"{name} sets variables the settings never read: {unknown}"


def test_only_the_statistics_office_processes_get_sealed_credentials():
    for name, service in BIF_SERVICES.items():
        sealed = service["environment"]["SEALED_DATABASE_URL"]
        if name in {"statistics-office", "worker-sealed", "migrate"}:
            assert sealed.startswith("postgres://bif_sealed:")
        else:
            assert sealed == "none", name
        assert "bif_sealed" not in service["environment"]["DATABASE_URL"]


def test_every_variable_the_compose_file_interpolates_is_in_the_example_env():
    text = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"\$\{([A-Z_]+)\}", text))
    example = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert used <= example


def test_long_running_services_have_health_checks_and_dependencies_exist():
    for name, service in SERVICES.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in SERVICES
        if name not in {"migrate", "beat"}:
            assert "healthcheck" in service, name
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), source
            else:
                assert source in COMPOSE["volumes"], source


def test_only_the_statistics_office_processes_mount_the_microdata_snapshots():
    """The columnar snapshots of versions are microdata: their volume is the office's."""
    for name, service in BIF_SERVICES.items():
        volumes = [v.split(":")[0] for v in service.get("volumes") or []]
        sealed = service["environment"]["SEALED_DATABASE_URL"] != "none"
        assert ("bif-sealed" in volumes) == (sealed and name != "migrate"), name
        if "bif-sealed" in volumes:
            root = service["environment"]["SEALED_SNAPSHOT_ROOT"]
            assert root.startswith("/var/lib/bif-sealed/")
