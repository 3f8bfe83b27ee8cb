"""Documents: named documents issued, published, released or proposed (GUIDELINES.md).

:func:`find_documents` reads ``《…》`` titles that stand in an issuing context
(``X发布了《…》``, ``《…》白皮书发布``, ``《…》报告认为``) or whose title head
names a document kind (``…倡议``, ``…契约``), and unquoted ones: a quoted name
before a head (``“互联网+”行动计划``), ``提出…倡议``, and the known titles
of ``rules/documents.yaml`` (``政府工作报告``). Titles of periodicals,
columns and articles (``《中国信息安全》杂志``) are not documents, nor is a
title that is a head word alone (``《报告》显示``): it refers back to the
document named earlier.

Titles in a row (``发布《A》和《B》蓝皮书``, ``《A》《B》等报告``) share the verb
before the first and the kind word after the last. Attributes: the kind from
the title's head or the word after ``》`` or a specific one right before ``《``
(a title the article also gives one specific kind, ``《…报告》蓝皮书``,
``蓝皮书《…报告》``, keeps that kind everywhere); the issuer, the last
organisation (an ORG span of the ``kb_rules`` component, named as its record in
``orgs``) or country before the issuing verb in the sentence, not a partner
after ``联合``; the date, the last
date before the title in the sentence (``21日``, ``当天`` included), resolved
against the article's date, preferring one outside an event's name; the
event, the one mentioned before the title with ``上``/``期间``, the one that
issues it (``…会议发表了《…》``), else the article's event for a bare
``在大会上``. A title whose clause starts ``会上``/``当天``/``同日`` takes the
date of the sentence before (when its own has none) and the last event of the
few sentences before. A title released at the article's event (``峰会期间``, ``大会上``,
``开幕式上``) takes that event, and the paragraph's last day (or, for ``开幕式上``, the
event's start; else the paragraph's month or year). A title the article's event puts out
(``作为大会重要成果``, ``将在大会期间发布``) or released on its eve (``大会前夕``): see
:mod:`kb.extract.documents.released`.

Every word and pattern this reads is data: ``rules/documents.yaml`` (and the
shared lexicons), built by :mod:`kb.extract.documents.rules`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from spacy.tokens import Doc

from kb.nlp.text import CLAUSE_ENDS, SENTENCE_ENDS
from kb.extract.candidates import rule_matches
from kb.nlp.pipeline import clean_span
from kb.extract.context import Context, anaphor_host, during_noun, host_event
from kb.extract.documents.released import eve_of, outcome_of, time_of
from kb.extract.documents.rules import DocumentRules, HeadRule, IssuedRule, load_document_rules
from kb.extract.ranges import Sorted
from kb.records.models import Document, Event, Organization, Provenance, merge_all

__all__ = ["document_mentions", "find_documents", "load_document_rules"]



@dataclass
class _Title:
    start: int  # of the mention (《 included)
    end: int
    title: str
    kind: str
    rule: str
    verb_at: int | None  # where an issuing verb before the title starts
    specific: bool = False  # the kind comes from a specific word after 》 (蓝皮书)


def document_mentions(doc: Doc, ctx: Context | None = None) -> list[_Title]:
    """Every document title of ``doc`` with its kind and rule, in text order: what the rule
    matcher (``kb_rules``) writes as DOCUMENT spans. ``ctx``: as for
    :func:`kb.extract.events.finder.event_mentions`."""
    rules, ctx = load_document_rules(), ctx or Context.of(doc)
    found = [*_titled(ctx, rules), *_unquoted(ctx, rules)]
    return sorted(_one_kind_per_title([*found, *_listed_after(ctx, rules, found)]), key=lambda t: t.start)


def find_documents(doc: Doc, orgs: list[Organization] = (), events: list[Event] = ()) -> list[Document]:
    """Every document named in ``doc``; ``orgs`` and ``events`` give issuers and release events."""
    rules = load_document_rules()
    ctx = Context.of(doc)
    issuers = Sorted(_issuer_mentions(doc, ctx.text, orgs, rules))
    spans = _event_spans(doc, events)
    found = [m.value for m in rule_matches(doc, "DOCUMENT")]  # document_mentions, by the kb_rules component
    article_date = getattr(doc._.article, "date", None)
    records: list[Document] = []
    for t in sorted(found, key=lambda t: t.start):
        sentence = _sentence_start(ctx.text, t.start)
        event = _event(ctx, rules, t, sentence, spans, events)
        future = False
        if event is None:  # 作为大会重要成果, 》将在大会期间发布: the article's event puts it out
            event, future = outcome_of(ctx.text, rules, t.end, sentence, events)
        date = _date(ctx, rules, t, sentence, spans, events) or (
            None if future else time_of(event, events, article_date)) or eve_of(ctx.text, rules, t.start, sentence, events)
        before = records[-1] if records and _goes_on(ctx.text, rules, t, records[-1]) else None
        if event is None and before is not None:  # 发布《…》 going on from the last release: its event
            event, date = before.event, date or before.date
        event = event or _known_event(rules, t, events)  # no date from it: the text states none
        records.append(Document(
            title=t.title, kind=t.kind, issuer=_issuer(ctx.text, t, sentence, issuers, rules.words["partners"]),
            date=date, event=event,
            evidence=ctx.clause_text(t.start, t.end),
            provenance=[Provenance(**ctx.provenance(t.start, t.end, t.rule))],
        ))
    return merge_all(records)


def _released_at_after(text: str, rules: DocumentRules, t: _Title, spans: list[tuple[int, int, str]]) -> str | None:
    """The event named after the title in its sentence with 上/期间 and a release verb right
    after (``《…》蓝皮书在第四届世界互联网大会上发布``)."""
    sentence_end = min((i for i in (text.find(c, t.end) for c in SENTENCE_ENDS) if i >= 0), default=len(text))
    for start, end, name in spans:
        if t.end <= start and end <= sentence_end:
            during = next((w for w in rules.at_event["during"] if text.startswith(w, end)), None)
            if during and text.startswith(rules.verbs_after, end + len(during)):
                return name
    return None


def _known_event(rules: DocumentRules, t: _Title, events) -> str | None:
    """The event a known title belongs to (党的二十大报告: 党的二十大), when the article has it."""
    known = next((k for k in rules.known if t.rule == f"documents.known:{k.id}"), None)
    return known.event if known and known.event and any(e.name == known.event for e in events) else None


def _one_kind_per_title(found: list[_Title]) -> list[_Title]:
    """A title whose kind only comes from its own head (《…报告》) takes the specific kind the
    article gives it elsewhere (《…报告》蓝皮书), when it gives exactly one."""
    specific: dict[str, set[str]] = {}
    for t in found:
        if t.specific:
            specific.setdefault(t.title, set()).add(t.kind)
    out = []
    for t in found:
        kinds = specific.get(t.title, set())
        if not t.specific and len(kinds) == 1:
            t = replace(t, kind=next(iter(kinds)))
        out.append(t)
    return out


def _sentence_start(text: str, pos: int) -> int:
    i = pos - 1
    while i >= 0 and text[i] not in SENTENCE_ENDS:
        i -= 1
    return i + 1


# ---------------------------------------------------------------- titles


def _title_groups(ctx: Context, joiners: tuple[str, ...]) -> list[list[tuple[int, int]]]:
    """Titles in a row share the words around them: 发布《A》和《B》蓝皮书, 《A》《B》等报告."""
    groups: list[list[tuple[int, int]]] = []
    for start, end in ctx.titles:
        gap = ctx.text[groups[-1][-1][1]:start] if groups else None
        if gap == "" or gap in joiners:  # adjacent titles (《A》《B》) or a joiner between
            groups[-1].append((start, end))
        else:
            groups.append([(start, end)])
    return groups


def _titled(ctx: Context, rules: DocumentRules) -> list[_Title]:
    out = []
    text = ctx.text
    for group in _title_groups(ctx, rules.words["title_joiners"]):
        first, last = group[0][0], group[-1][1]
        before = text[max(0, first - 6):first]
        after = _without_count(_without_prefix(text[last:last + 12], rules.shared["etc"]), rules)
        follow = rules.head_of(after, at_start=True)  # checked first: 》报告 is no 》报
        if not follow and any(after.startswith(w) for w in rules.not_after):
            continue
        if any(before.endswith(w) for w in rules.not_before):
            continue
        if any(before.endswith(tuple(b.before)) and after.startswith(tuple(b.after)) for b in rules.not_between):
            continue  # 在《人民日报》上发表
        # 编写的蓝皮书《…》: a specific kind word right before the title names its kind too
        lead = None if follow else next((h for h in rules.heads if h.specific and before.endswith(h.head)), None)
        verb_at = _verb_before(text, first - len(lead.head) if lead else first, rules)
        rest = after[len(follow.head):] if follow else after
        issued = verb_at is not None or any(rest.startswith(v) for v in rules.verbs_after)
        named = follow or lead
        for start, end in group:
            found = _titled_one(text[start + 1:end - 1].strip(), rules, named, issued)
            if found:
                kind, rule_id = found
                mention_end = last + len(text[last:last + 12]) - len(after) + len(follow.head) if follow else end
                out.append(_Title(start, mention_end if end == last else end, text[start + 1:end - 1].strip(), kind,
                                  f"documents.title:{rule_id}", verb_at,
                                  bool(named and kind == named.kind and named.specific)))
    return out


def _titled_one(title: str, rules: DocumentRules, follow: HeadRule | None, issued: bool) -> tuple[str, str] | None:
    """The kind of one title and the id of the head rule that gave it, or None: no document.
    A title that is a head word alone (《报告》, 《白皮书》) refers back to a document named before it."""
    if any(title == h.head for h in rules.heads):
        return None
    head = rules.head_of(rules.trailer.sub("", rules.trailer.sub("", title)))
    kind = _kind(head, follow, rules.issued)
    if kind is None or not (issued or (head and not head.context_needed) or follow):
        return None
    rule = head or follow
    return kind, (rule or rules.issued).id  # no head word: a title issued by a verb


def _kind(head: HeadRule | None, follow: HeadRule | None, issued: IssuedRule) -> str | None:
    if follow and (follow.specific or head is None):
        return follow.kind
    return head.kind if head else (issued.kind if follow is None else follow.kind)


def _without_count(text: str, rules: DocumentRules) -> str:
    """``text`` without a leading count of titles (三份报告 → 报告, 3部白皮书 → 白皮书)."""
    digits = len(text) - len(text.lstrip("0123456789" + "".join(rules.shared["digits"])))
    if digits and text[digits:].startswith(rules.words["count_classifiers"]):
        return text[digits + 1:]
    return text


def _without_prefix(text: str, prefixes: tuple[str, ...]) -> str:
    """``text`` without the first of ``prefixes`` it starts with."""
    return next((text[len(p):] for p in prefixes if text.startswith(p)), text)


def _goes_on(text: str, rules: DocumentRules, t: _Title, last: Document) -> bool:
    """The title's clause opens with its issuing verb (``。发布《…》``: no subject of its own) and
    the last document, in the same paragraph, was released at an event: the list of a
    summit's outcomes goes on."""
    if t.verb_at is None or last.event is None:
        return False
    clause = max(text.rfind(c, 0, t.verb_at) for c in CLAUSE_ENDS.replace("：", "").replace(":", "")) + 1
    paragraph = text.rfind("\n", 0, t.start)
    last_at = text.rfind("《" + last.title, 0, t.start)
    return not text[clause:t.verb_at].strip() and last_at > paragraph


def _verb_before(text: str, pos: int, rules: DocumentRules) -> int | None:
    """Start of an issuing verb right before ``pos`` (``发布《``, ``发布了《``, ``发布的《``)."""
    before = text[max(0, pos - 8):pos]
    for tail in rules.words["verb_tails"]:
        for verb in rules.verbs_before:
            if before.endswith(verb + tail):
                return pos - len(verb + tail)
    return None


_QUOTED_HEAD = re.compile(r"“([^“”]{1,20})”")  # “互联网+”行动计划


def _unquoted(ctx: Context, rules: DocumentRules) -> list[_Title]:
    out = []
    text = ctx.text
    for known in rules.known:
        for m in re.finditer(re.escape(known.title), text):
            if known.context_needed and not _issued_in_clause(ctx, rules, m.start()):
                continue
            if not ctx.inside_title(m.start()):
                out.append(_Title(m.start(), m.end(), known.title, known.kind, f"documents.known:{known.id}", None))
    for m in _QUOTED_HEAD.finditer(text):
        head = rules.head_of(text[m.end():m.end() + 6], at_start=True)
        if head and head.bare and not ctx.inside_title(m.start()):
            end = m.end() + len(head.head)
            out.append(_Title(m.start(), end, text[m.start():end], head.kind, f"documents.quoted:{head.id}",
                              _verb_before(text, m.start(), rules)))
    out.extend(_after_verb(ctx, rules))
    return out


def _issued_in_clause(ctx: Context, rules: DocumentRules, pos: int) -> bool:
    """An issuing verb between the start of the clause and ``pos`` (``中方提出的…``), not a topic
    (``围绕全球发展倡议…``)."""
    before = ctx.text[ctx.clause_start(pos):pos]
    return any(v in before for v in rules.verbs_before)


def _after_verb(ctx: Context, rules: DocumentRules) -> list[_Title]:
    """``提出全球发展倡议``: an unquoted name after an issuing verb, ending in a bare head."""
    out = []
    for m in rules.patterns.after_verb.finditer(ctx.text):
        title = m.group("title")
        if any(w in title for w in rules.words["not_in_unquoted"]) or ctx.inside_title(m.start("title")):
            continue
        head = rules.head_of(title)
        out.append(_Title(m.start("title"), m.end(), title, head.kind, f"documents.after-verb:{head.id}", m.start(1)))
    return out


def _listed_after(ctx: Context, rules: DocumentRules, found: list[_Title]) -> list[_Title]:
    """``发布了《A》，B报告，“C”联合倡议``: unquoted items that go on a list after an issued
    title and end in a document head share its verb."""
    out = []
    for t in (t for t in found if t.verb_at is not None):
        pos = t.end
        while (m := rules.patterns.list_item.match(ctx.text, pos)) is not None:
            item = m.group("item")
            head = rules.head_of(item)
            if head is None or head.context_needed or any(w in item for w in rules.words["not_in_item"]):
                break
            out.append(_Title(m.start("item"), m.end(), item, head.kind, f"documents.listed:{head.id}", t.verb_at))
            pos = m.end()
    return out


# ---------------------------------------------------------------- attributes


def _issuer_mentions(doc: Doc, text: str, orgs, rules: DocumentRules) -> list[tuple[int, int, str]]:
    """Non-overlapping mentions of organisations and countries: the ORG spans the ``kb_rules``
    component wrote (named as the record that holds their name), then, outside them, the forms of
    the records no span covers (the outlet of the front matter or masthead, an alias such as
    ``世界互联网大会`` for its organisation, which the spans leave to events), then countries
    (中国, 中方 → 中国)."""
    record = {form: org.name for org in orgs for form in (org.name, *org.aliases)}
    found, taken = [], bytearray(len(text))  # taken[i]: character i is in a mention found already
    for m in sorted(rule_matches(doc, "ORG"), key=lambda m: (m.start - m.end, m.start)):  # longest first
        if not any(taken[m.start:m.end]):
            found.append((m.start, m.end, record.get(m.name, m.name)))
            taken[m.start:m.end] = b"\x01" * (m.end - m.start)
    forms = {c: c for c in rules.countries} | dict(rules.sides) | record
    for form in sorted(filter(None, forms), key=len, reverse=True):
        for m in re.finditer(re.escape(form), text):
            if not any(taken[m.start():m.end()]):
                found.append((m.start(), m.end(), forms[form]))
                taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    return sorted(found)


def _issuer(text: str, t: _Title, sentence: int, issuers, partner_words: tuple[str, ...]) -> str | None:
    """The last organisation or country before the issuing verb in the sentence; for a title
    without 《》 (中国的政府工作报告), the last one before the title. Partners after
    ``联合``/``携手`` (``A联合B等单位共同发起``) are not the issuer: A is."""
    if t.verb_at is None and not t.rule.startswith(("documents.known", "documents.quoted")):
        return None
    limit = t.start if t.verb_at is None else t.verb_at
    partners = max((text.rfind(w, sentence, limit) for w in partner_words), default=-1)
    if partners > sentence and issuers.within(sentence, partners):
        limit = partners
    before = issuers.within(sentence, limit)
    return before[-1][2] if before else None


def _date(ctx: Context, rules: DocumentRules, t: _Title, sentence: int, spans: list[tuple[int, int, str]],
          events) -> str | None:
    """The last date before the title in its sentence; one inside an event's name (the 2024年
    of 11月20日，在2024年…峰会上发布) only when there is no other (今年的乌镇峰会上). Released at
    the article's event (``峰会期间``, ``开幕式上``): the paragraph's last day before, else the
    event's start for ``开幕式上``, else the paragraph's last month or year."""
    found = _last_date(ctx, sentence, t.start, spans)
    if found is None and _refers_back(ctx.text, rules, t, sentence) and sentence > 0:
        found = _last_date(ctx, _sentence_start(ctx.text, sentence - 1), sentence, spans)  # 会上发布了《…》
    setting = _at_event(ctx.text, rules, t, sentence)
    host = anaphor_host(list(events), setting.group("noun") or rules.own_event) if setting and found is None else None
    if host is None:
        return found
    para = ctx.text.rfind("\n", 0, sentence) + 1
    dates = [d for d in ctx.dates if para <= d.start and d.end <= sentence and d.value and d.year == host.year
             and not d.end_value and not ctx.inside_title(d.start)]
    days = [d for d in dates if len(d.value) == 10]
    if days:
        return days[-1].value
    # 开幕式上 (only spaces after it, as the setting's end is read)
    if setting.group("setting") in rules.at_event["opening"] and not setting.group("trail").strip(" ") \
            and host.start_date:
        return host.start_date
    return dates[-1].value if dates else None


def _at_event(text: str, rules: DocumentRules, t: _Title, sentence: int) -> re.Match[str] | None:
    """The ``峰会期间``-like setting of the title's clause (a document released at the article's
    event), when it has one: after the event's noun, or a setting that stands alone (``会上``,
    ``开幕式上``) with nothing but spaces and ``在`` before it."""
    limit = t.start if t.verb_at is None else t.verb_at
    found = rules.patterns.at_event.search(text, sentence, limit)
    if found is None or found.group("noun"):
        return found
    alone = found.group("setting") in rules.at_event["alone"] + rules.at_event["opening"]
    return found if alone and not found.group("this") and not found.group("lead").strip(" ") else None


def _last_date(ctx: Context, start: int, end: int, spans: list[tuple[int, int, str]]) -> str | None:
    dates = [d for d in ctx.dates if start <= d.start and d.end <= end and d.value and not ctx.inside_title(d.start)]
    outside = [d for d in dates if not any(s <= d.start < e for s, e, _ in spans)]
    return (outside or dates)[-1].iso if dates else None


BACK_REFERENCE_REACH = 3  # sentences before a 会上/当天 title that may name its event


def _refers_back(text: str, rules: DocumentRules, t: _Title, sentence: int) -> bool:
    """``会上/当天/同日 发布《…》``: the title's clause refers to the sentence before."""
    limit = t.start if t.verb_at is None else t.verb_at
    return bool(rules.patterns.back_reference.search(text[sentence:limit].strip()))


def _event_spans(doc: Doc, events) -> list[tuple[int, int, str]]:
    """Clean-text ``[start, end)`` of every event mention, with the event's name."""
    article_id = getattr(doc._.article, "id", "")
    spans = ((clean_span(doc, p.start, p.end), e.name) for e in events for p in e.provenance if p.doc == article_id)
    return sorted((*span, name) for span, name in spans if span is not None)


def _event(ctx: Context, rules: DocumentRules, t: _Title, sentence: int, spans: list[tuple[int, int, str]],
           events) -> str | None:
    """The event mentioned before the title with 上/期间 (``在…峰会上发布``), the event that
    issues it (``…会议发表了《…》``), the article's event a bare ``在大会上`` names, else,
    for ``会上/当天/同日 发布``, the last event of the sentence before."""
    text = ctx.text
    for _, end, name in sorted((s for s in spans if sentence < s[1] <= t.start), key=lambda s: -s[1]):
        if text.startswith(rules.at_event["during"], end) or end == t.verb_at:
            return name
    released = _released_at_after(text, rules, t, spans)
    if released is not None:
        return released
    noun = during_noun(text, sentence, t.verb_at if t.verb_at is not None else t.start)
    host = host_event(list(events), noun) if noun else None
    setting = _at_event(text, rules, t, sentence) if host is None else None
    if setting is not None and not setting.group("noun") and setting.group("setting") in rules.at_event["opening"]:
        host = anaphor_host(list(events), rules.own_event)  # 开幕式上: the article's event opens
    issuing = rules.patterns.event_issues.search(text, sentence, t.verb_at) \
        if host is None and t.verb_at is not None else None
    if issuing is not None:
        host = anaphor_host(list(events), issuing.group("noun") or rules.own_event)
    if host is not None:
        return host.name
    if _refers_back(text, rules, t, sentence):
        before, reached = sentence, 0
        while before > 0 and reached < BACK_REFERENCE_REACH:
            end, before = before, _sentence_start(text, before - 1)
            reached += bool(text[before:end - 1].strip())  # blank lines are no sentences
        named = [s for s in spans if before <= s[0] and s[1] <= sentence]
        return named[-1][2] if named else None
    return None
