"""jupyter-devserver: a hot-reloading, introspectable dev server for Jupyter Server extensions.

One folder per process role (see docs/architecture.md):

- ``devserver.cli``: the command line (talks to a server over HTTP);
- ``devserver.supervisor``: ``devserver run``, the supervisor process;
- ``devserver.agent``: the reload agent, inside the worker (a jupyter_server ``ServerApp``);
- ``dashboard`` (top-level package): the introspection extension, inside the worker;
- ``devserver.specs`` (a pure library) and ``devserver.check`` (static analysis);
- the modules at the top (``protocol``, ``apijson``, ``errors``, ``masking``, ...): what more than
  one process shares; pure, they import nothing of the folders (``tests/test_boundaries.py``).
"""

__version__ = "0.1.0"
