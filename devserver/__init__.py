"""jupyter-devserver: a hot-reloading, introspectable dev server for Jupyter Server extensions.

Process roles, one per module (see docs/architecture.md):

- ``devserver.cli`` and ``devserver.run``: the command line and the supervisor process;
- ``devserver.agent``: the reload agent, inside the worker (a jupyter_server ``ServerApp``);
- ``dashboard``: the introspection extension, inside the worker.
"""

__version__ = "0.1.0"
