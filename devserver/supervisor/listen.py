"""The listening socket every worker serves on, owned by the supervisor so that a restart
refuses no connection."""

from __future__ import annotations

import errno
import socket

from devserver.errors import ConfigError, StartupError


def bind(ip: str, port: int) -> socket.socket:
    """The listening socket every worker serves on; a clear error when it cannot be had: a bad
    ``--ip`` is bad input (``ConfigError``), a taken port a ``StartupError``."""
    try:
        socket.getaddrinfo(ip or None, port, type=socket.SOCK_STREAM)
        sock = socket.create_server((ip, port), backlog=512)
    except socket.gaierror as exc:
        raise ConfigError(
            f"--ip {ip}: not an IP address or a host name this machine knows ({exc.strerror}). "
            "Use 127.0.0.1 (this machine only) or 0.0.0.0 (every network interface)."
        ) from exc
    except OSError as exc:
        if exc.errno == errno.EADDRNOTAVAIL:
            raise ConfigError(
                f"--ip {ip}: not an address of this machine. Use 127.0.0.1 or 0.0.0.0."
            ) from exc
        hint = "Another server may be using the port: stop it, or pick another with --port."
        raise StartupError(
            f"cannot listen on {ip}:{port}: {exc.strerror}."
            + (f" {hint}" if exc.errno == errno.EADDRINUSE else "")
        ) from exc
    sock.set_inheritable(True)
    return sock
