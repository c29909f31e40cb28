"""The fact layer: how a fact travels from a host to a check module.

- ``wire``: the one nonce-framed format of a host's round trip (many commands, each
  result kept apart, bounded by time and size);
- ``output``: ``Output``, the one result type of a command or a section, and ``json_value``,
  the JSON a section printed, apart from the warnings merged into it;
- ``script``: a fact script made of named sections (command, timeout, private or not);
- ``host``: ``RemoteHost`` (fetch, record, check; the per-host cache and the memo of
  derived facts) and ``Fleet``; ``fact_command`` registers a command for each host's
  one batched round trip;
- ``standard_input``: how a secret reaches a command on a host without a command line.

Check modules import what they need from here: ``from golive.facts import RemoteHost``.
"""

from golive.facts.host import Fleet, RemoteHost, fact_command, session_fact_command
from golive.facts.output import Output, json_value
from golive.facts.script import Section, parse, quote, run, script, withheld

__all__ = [
    "Fleet",
    "Output",
    "RemoteHost",
    "Section",
    "fact_command",
    "json_value",
    "parse",
    "quote",
    "run",
    "script",
    "session_fact_command",
    "withheld",
]
