"""Events: named, dated happenings — the rules (:mod:`.rules`) and the finder (:mod:`.finder`)."""

from kb.extract.events.finder import find_events
from kb.extract.events.rules import load_event_rules

__all__ = ["find_events", "load_event_rules"]
