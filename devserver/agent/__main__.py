"""``python -m devserver.agent``, started by the supervisor."""

from devserver.agent.lifeline import die_with_supervisor, supervisor_pid

# Before jupyter_server is imported: a supervisor killed while the worker starts (or waits as a
# standby for its spec) ends it too.
die_with_supervisor(supervisor_pid())

from devserver.agent.worker import main  # noqa: E402 - after the lifeline, on purpose

main()
