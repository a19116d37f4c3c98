"""Discovers installed plugins and calls hooks for the plugins a tenant has switched on."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

import pluggy

from dolbom.plugins.hookspecs import DolbomSpecs

if TYPE_CHECKING:  # the API pulls in Flask and RQ; commands like `db upgrade` need neither
    from dolbom.plugins.api import DolbomPlugin

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "dolbom.plugins"


class PluginHost:
    def __init__(self, plugins: Iterable[DolbomPlugin] = ()) -> None:
        self.pm = pluggy.PluginManager("dolbom")
        self.pm.add_hookspecs(DolbomSpecs)
        self.plugins: dict[str, DolbomPlugin] = {}
        self._callers: dict[tuple[str, frozenset[str]], Any] = {}
        self._lock = threading.Lock()
        for plugin in plugins:
            self.register(plugin)

    def register(self, plugin: DolbomPlugin) -> None:
        if plugin.name in self.plugins:
            raise ValueError(f"two plugins are named {plugin.name!r}")
        for kind, job in getattr(plugin, "jobs", {}).items():
            # Only tenant jobs: they refuse to run without a tenant and carry ids, not data.
            if getattr(job, "kind", None) != kind:
                raise ValueError(
                    f"plugin {plugin.name!r}: job {kind!r} needs @tenant_job({kind!r})"
                )
        self.pm.register(plugin, name=plugin.name)
        self.plugins[plugin.name] = plugin

    def discover(self) -> PluginHost:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            cls = ep.load()
            plugin = cls()
            if plugin.name != ep.name:
                raise ValueError(f"entry point {ep.name!r} loads plugin named {plugin.name!r}")
            self.register(plugin)
        return self

    def call(self, hook: str, enabled: frozenset[str], **kwargs: Any) -> list[Any]:
        """Call `hook` only on the plugins in `enabled`; results flattened when lists."""
        key = (hook, enabled)
        caller = self._callers.get(key)
        if caller is None:
            with self._lock:
                disabled = [p for n, p in self.plugins.items() if n not in enabled]
                caller = self.pm.subset_hook_caller(hook, remove_plugins=disabled)
                self._callers[key] = caller
        results: list[Any] = []
        for result in caller(**kwargs):
            if isinstance(result, list):
                results.extend(result)
            elif result is not None:
                results.append(result)
        return results


_host: PluginHost | None = None


def get_host() -> PluginHost:
    """The process-wide host with every installed plugin (all load; enablement is data)."""
    global _host
    if _host is None:
        _host = PluginHost().discover()
    return _host
