"""Runs in every process: the one exception hierarchy of the dev server, and the CLI's exit codes.

::

    DevServerError
    ├── ConfigError          bad input: a PATH, an option, a config file (exit 2)
    │   └── NoExtensionError a PATH that holds no extension
    ├── StartupError         the server could not start: port in use, worker died at once (exit 3)
    ├── ServerNotFound       the CLI found no running dev server to talk to (exit 4)
    ├── ApiError             the dev server answered a CLI request with an error (exit 5)
    ├── ReloadFailed         new code failed to load; the old code keeps serving (exit 6)
    └── ReloadUnsafe         `devserver doctor` found what old versions leave behind (exit 7)
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of the ``devserver`` command, named so scripts can rely on them."""

    OK = 0
    FAILURE = 1
    CONFIG_ERROR = 2
    STARTUP_FAILURE = 3
    SERVER_NOT_FOUND = 4
    API_ERROR = 5
    RELOAD_FAILED = 6
    RELOAD_UNSAFE = 7
    #: The worker's own: ``--app`` names no ExtensionApp. The supervisor ends ``devserver run``
    #: with CONFIG_ERROR then, where any other refusal (an invalid spec) waits for a fixing save.
    NO_SUCH_APP = 8


class DevServerError(Exception):
    """Base of every error the dev server raises on purpose."""

    exit_code = ExitCode.FAILURE


class ConfigError(DevServerError):
    """Bad input from the user; the message names the file or option and what to do."""

    exit_code = ExitCode.CONFIG_ERROR


class NoSuchApp(ConfigError):
    """``--app NAME`` names no loaded ExtensionApp; the message lists those found."""

    exit_code = ExitCode.NO_SUCH_APP


class NoExtensionError(ConfigError):
    """A PATH given to ``devserver run`` holds no Jupyter Server extension."""


class StartupError(DevServerError):
    """The server could not be started."""

    exit_code = ExitCode.STARTUP_FAILURE


class ServerNotFound(DevServerError):
    """No running dev server could be found or reached."""

    exit_code = ExitCode.SERVER_NOT_FOUND


class ApiError(DevServerError):
    """The dev server's API answered with an error."""

    exit_code = ExitCode.API_ERROR


class ReloadFailed(DevServerError):
    """A hot reload failed: the previous handlers keep serving."""

    exit_code = ExitCode.RELOAD_FAILED


class ReloadUnsafe(DevServerError):
    """The reload-safety audit found threads, callbacks, classes... that outlive a reload."""

    exit_code = ExitCode.RELOAD_UNSAFE
