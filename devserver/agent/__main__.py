"""``python -m devserver.agent``, started by the supervisor."""

from devserver.agent import gcpause

# First of all: the start's imports are long-lived objects, not garbage (gcpause.py).
gcpause.pause()

from devserver.agent.lifeline import die_with_supervisor, supervisor_pid  # noqa: E402

# Before jupyter_server is imported: a supervisor killed while the worker starts (or waits as a
# standby for its spec) ends it too.
die_with_supervisor(supervisor_pid())

from devserver.agent.worker import main  # noqa: E402 - after the lifeline, on purpose

main()
