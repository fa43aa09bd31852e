"""``python -m devserver.agent``, started by the supervisor."""

from devserver.agent.lifeline import die_with_supervisor
from devserver.protocol import WorkerSpec

# Before jupyter_server is imported: a supervisor killed while the worker starts ends it too.
die_with_supervisor(WorkerSpec.from_env().supervisor_pid)

from devserver.agent.worker import main  # noqa: E402 - after the lifeline, on purpose

main()
