"""The reload agent (extension manager, route ownership, hot swaps,
the registry the dashboard reads, and the control channel to the supervisor)."""
