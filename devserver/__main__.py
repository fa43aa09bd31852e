"""Runs in the CLI process: ``python -m devserver`` is the ``devserver`` command."""

from devserver.cli import main

main()
