"""Runs in the worker process: ``python -m devserver.agent``, started by the supervisor."""

from devserver.agent.worker import main

main()
