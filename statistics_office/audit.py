"""The audit log moved to bif/audit.py (a base service); this name stays while branches that
still import it are merged. New code imports `from bif import audit`."""

from bif.audit import *  # noqa: F403
