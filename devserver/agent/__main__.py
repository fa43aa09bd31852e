"""``python -m devserver.agent``, started by the supervisor."""

from devserver.agent.worker import main

main()
