"""Uploads lie outside the web root and no URL serves them."""

import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve

from tests.conftest import run_manage


def test_upload_and_media_roots_lie_outside_every_served_directory():
    served = [
        Path(settings.STATIC_ROOT).resolve(),
        *(Path(d).resolve() for d in settings.STATICFILES_DIRS),
    ]
    for root in (settings.UPLOAD_ROOT, settings.MEDIA_ROOT):
        root = Path(root).resolve()
        assert not any(root.is_relative_to(s) for s in served), root
    assert not getattr(settings, "MEDIA_URL", "").strip("/"), "MEDIA_URL would invite a route"


@pytest.mark.parametrize("path", ["/media/uploads/x.csv", "/uploads/x.csv", "/var/media/x.csv"])
def test_no_url_pattern_serves_upload_paths(path):
    with pytest.raises(Resolver404):
        resolve(path)


@pytest.mark.django_db
def test_an_uploaded_file_cannot_be_fetched_by_any_plausible_path(client, administrator):
    upload_root = Path(settings.UPLOAD_ROOT)
    upload_root.mkdir(parents=True, exist_ok=True)
    name = f"probe-{uuid.uuid4().hex}.csv"
    secret = f"ZZUPLOADMARK{uuid.uuid4().hex[:8]}"
    (upload_root / name).write_text(f"Name\n{secret}\n", encoding="utf-8")
    relative = upload_root.resolve().relative_to(Path(settings.VAR_DIR).resolve()).as_posix()
    client.force_login(administrator)
    try:
        for path in (
            f"/media/uploads/{name}",
            f"/media/{name}",
            f"/uploads/{name}",
            f"/{relative}/{name}",
            f"/var/{relative}/{name}",
            f"/static/{name}",
            f"/static/uploads/{name}",
            f"/static/../var/{relative}/{name}",
            f"/static/%2e%2e/var/{relative}/{name}",
            f"/static/..%2f..%2fvar%2f{relative}%2f{name}",
        ):
            response = client.get(path)
            body = b"".join(response) if getattr(response, "streaming", False) else response.content
            assert response.status_code == 404, (path, response.status_code)
            assert secret.encode() not in body
    finally:
        (upload_root / name).unlink()


@pytest.mark.parametrize("variable", ["UPLOAD_ROOT", "MEDIA_ROOT"])
def test_settings_refuse_an_upload_directory_inside_the_static_root(tmp_path, variable):
    static = tmp_path / "staticfiles"
    result = run_manage(
        "check",
        env_overrides={
            "BIF_VAR_DIR": str(tmp_path),
            "STATIC_ROOT": str(static),
            "UPLOAD_ROOT": str(tmp_path / "drop"),
            variable: str(static / "uploads"),
        },
    )
    assert result.returncode != 0
    assert f"{variable} (" in result.stderr and "uploads are never served" in result.stderr
