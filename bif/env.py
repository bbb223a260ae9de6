"""Reading settings from the environment: a value that is not what the setting needs is an
error that names the variable, never a silent default (bif/settings.py uses these)."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def env(name, default=None):
    """A setting from the environment. `NAME_FILE` names a file that holds it instead (Docker
    and Kubernetes secrets); a file that cannot be read is an error, never a silent default."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as error:
            raise ImproperlyConfigured(
                f"{name}_FILE={path}: the file cannot be read ({error.strerror})."
            ) from error
    return os.environ.get(name, default)


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def env_bool(name, default=False):
    """A yes/no setting; anything but 1/0, true/false, yes/no, on/off is an error (a typo
    such as "ture" must not quietly switch a protection off)."""
    value = env(name)
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value: use 1 or 0 (true/false, yes/no, on/off)."
    )


def env_int(name, default):
    """A whole-number setting; anything else is an error."""
    value = env(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]
