"""Built-in dashboards: pages drawn from BIF's own records rather than published tables,
offered on the dashboard list. An app above dashboards (rollout) registers its own in its
AppConfig.ready(), so dashboards never imports the apps built on it.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class BuiltIn:
    url_name: str
    title: str
    description: str
    visible_to: Callable  # user -> bool


_registered: dict[str, BuiltIn] = {}


def register(builtin):
    _registered[builtin.url_name] = builtin


def builtins_for(user):
    """The built-in dashboards `user` may open, in the order they were registered."""
    return [builtin for builtin in _registered.values() if builtin.visible_to(user)]
