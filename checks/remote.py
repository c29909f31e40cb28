"""The fact layer's hosts under the name criteria import them by (``golive.facts``)."""

from golive.facts import Fleet, RemoteHost, fact_command, session_fact_command

__all__ = ["Fleet", "RemoteHost", "fact_command", "session_fact_command"]
