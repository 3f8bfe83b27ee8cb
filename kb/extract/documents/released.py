"""When and at which event a document came out, from the event it is released at.

:func:`time_of` dates a title released at an event as precisely as the event's days allow
(GUIDELINES: a document released at an event takes the event's date as precise as stated);
:func:`outcome_of` finds the article's event named as the one that puts a title out
(``作为大会重要理论成果，《…》``, ``《…》将在大会期间发布``: still to come, so no date);
:func:`eve_of` dates a title released on the eve of the article's event (``大会前夕``) by that
event's year. The words are rules: section ``at_event`` of ``rules/documents.yaml``.
"""

from __future__ import annotations

from kb.nlp.text import SENTENCE_ENDS
from kb.extract.context import anaphor_host
from kb.extract.documents.rules import DocumentRules



def time_of(name: str | None, events, article_date: str | None = None) -> str | None:
    """When a document released at the event ``name`` came out, as precise as the event's dates
    say: what its first and last day share (the day of a one-day event, else the month), the
    day the article is dated when the event opened that day (it was released by then), else
    the month of the one day known, else its year."""
    event = next((e for e in events if e.name == name), None)
    if event is None:
        return None
    days = [d.split("-") for d in (event.start_date, event.end_date) if d]
    if len(days) == 2:
        shared = next((i for i, (a, b) in enumerate(zip(*days)) if a != b), min(map(len, days)))
        return "-".join(days[0][:shared]) or None
    if event.start_date and event.start_date == article_date:
        return article_date
    if days:
        return "-".join(days[0][:2])
    return str(event.year) if event.year else None


def outcome_of(text: str, rules: DocumentRules, title_end: int, sentence: int, events) -> tuple[str | None, bool]:
    """The article's event named in the title's sentence as the one that puts it out (``作为大会
    重要理论成果，《…》``; ``《…》将在大会期间发布``) and whether the release is still to come."""
    end = min((i for i in (text.find(c, title_end) for c in SENTENCE_ENDS) if i >= 0), default=len(text))
    outcome = rules.patterns.outcome.search(text, sentence, end)
    released = rules.patterns.released_after.search(text, title_end, end)
    found = outcome or released
    host = anaphor_host(list(events), found.group("noun")) if found else None
    if host is None:
        return None, False
    return host.name, bool(released and released.group("future"))


def eve_of(text: str, rules: DocumentRules, title_start: int, sentence: int, events) -> str | None:
    """``大会前夕，…发布了《…》``: released on the eve of the article's event, in its year."""
    found = rules.patterns.eve.search(text, sentence, title_start)
    host = anaphor_host(list(events), found.group("noun")) if found else None
    return str(host.year) if host is not None and host.year else None
