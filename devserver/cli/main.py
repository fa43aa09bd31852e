"""The ``devserver`` command and its subcommands.

Each subcommand is a traitlets Application (true ``--help`` from its traits); errors of the
hierarchy in ``devserver.errors`` end the command with their named exit code.
"""

from __future__ import annotations

import sys

from traitlets.config import Application

from devserver import __version__
from devserver.errors import DevServerError, ExitCode

SUBCOMMANDS = {
    "run": (
        "devserver.supervisor.runapp.RunApp",
        "Supervise a ServerApp and hot-reload extensions.",
    ),
    "reload": (
        "devserver.cli.apicli.ReloadApp",
        "Hot-reload one extension now; print what changed.",
    ),
    "status": ("devserver.cli.apicli.StatusApp", "Versions and counts of a running dev server."),
    "extensions": ("devserver.cli.apicli.ExtensionsApp", "The loaded extensions, as a table."),
    "routes": ("devserver.cli.apicli.RoutesApp", "Every route and the extension that owns it."),
    "errors": (
        "devserver.cli.apicli.ErrorsApp",
        "Load, reload and runtime errors with file and line.",
    ),
    "requests": (
        "devserver.cli.requestscli.RequestsApp",
        "Requests the server answered: status, time, owner, route (--follow).",
    ),
    "logs": ("devserver.cli.requestscli.LogsApp", "Log records of one extension (--follow)."),
    "doctor": ("devserver.cli.doctor.DoctorApp", "Reload an extension N times; list what leaks."),
    "check": ("devserver.check.cliapp.CheckApp", "Check an extension against the packaging guide."),
}


class DevServerApp(Application):
    """jupyter-devserver: a hot-reloading, introspectable dev server for Jupyter Server
    extensions. Run `devserver <command> --help` for the options of a command."""

    name = "devserver"
    version = __version__
    description = __doc__ or ""
    subcommands = SUBCOMMANDS

    def start(self) -> None:
        if self.subapp is None:
            commands = ", ".join(self.subcommands)
            if self.extra_args:
                print(
                    f"devserver: unknown command {self.extra_args[0]!r}; the commands are "
                    f"{commands} (devserver --help)",
                    file=sys.stderr,
                )
            else:
                self.print_help()
                print(f"\nA command is needed: {commands}", file=sys.stderr)
            self.exit(ExitCode.CONFIG_ERROR)
        super().start()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``devserver`` console script."""
    try:
        DevServerApp.launch_instance(argv)
    except DevServerError as exc:
        print(f"devserver: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
