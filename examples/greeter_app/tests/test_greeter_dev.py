"""The greeter's own tests under the dev server, as an extension author writes them.

Run with ``pytest examples/greeter_app/tests``: jupyter-devserver's pytest plugin gives the
``devserver_run`` fixture, a real dev server on a temporary copy of this project.
"""

from __future__ import annotations

from devserver.testing import DevServerRun


def test_edits_are_served(devserver_run: DevServerRun) -> None:
    """An edited template is what the next request renders; an edited handler serves at once,
    and an explicit reload reports success."""
    devserver_run.wait_served("/greeter", "Hi from the greeter extension")
    devserver_run.edit("greeter_app/templates/index.html", "from the", "from the edited")
    devserver_run.wait_served("/greeter", "Hi from the edited greeter extension")
    devserver_run.edit("greeter_app/handlers.py", 'f"{self.settings', 'f"Well, {self.settings')
    devserver_run.wait_served("/greeter/api/greet?name=you", "Well, Hi, you")
    assert devserver_run.reload("greeter_app")["ok"]


def test_greeter_is_reload_safe(devserver_run: DevServerRun) -> None:
    """Twenty reloads leave no thread, callback, task, route, setting or class behind."""
    devserver_run.assert_reload_safe("greeter_app", times=20)
