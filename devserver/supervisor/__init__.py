"""The supervisor process (``devserver run``): the main loop, the worker it spawns, file watching,
the planner, editable installs.

Never imports jupyter_server, tornado's web app, the worker (``devserver.agent``) or the dashboard:
it talks to the worker over the control channel of ``devserver.protocol`` only. A test keeps this
true (tests/test_boundaries.py).
"""
