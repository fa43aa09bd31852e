"""The CLI process: the ``devserver`` command, its subcommands, and how they find a server.

Reaches a dev server only over HTTP (its JSON API), and the Docker engine to discover one in a
container; ``devserver run`` itself is the supervisor (``devserver.supervisor``), loaded only when
that command is given.
"""

from .main import DevServerApp, main

__all__ = ["DevServerApp", "main"]
