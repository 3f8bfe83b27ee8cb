"""The metric of a figure: the noun phrase of what the number measures.

- the topic before a predicate (``数字经济规模达到…`` → ``数字经济规模``);
- a growth metric (``较上年增长…`` → previous metric + ``较上年增长额``);
- ``Y占X的…`` → ``Y占X比重`` (the topic Y included, ``的比重`` written ``比重``);
- ``新增X`` → ``新增X数``: a count of additions, not the level;
- for a count, the verb and the counted noun (``…嘉宾参会`` → ``参会嘉宾数``,
  ``会员数`` in a membership frame);
- for a duration, ``连续举办年数``, ``诞生年数`` or the verb phrase of the next
  clause (``十年来，X推动…`` → ``推动…的年数``);
- a clause without a figure may set up the metric of the next figures
  (``制定…的国家数量持续增加`` → ``制定…的国家数``);
- the words a reader expects, not the sentence's modifiers: a clause ending in 的
  says what the counted did (``出席开幕式的1500多位嘉宾…`` → ``出席开幕式嘉宾数``), a
  figure closing a modifier has no verb phrase of its own (``可容纳3000人的…`` →
  ``可容纳人数``), gathering at an event is attending it (``齐聚`` → ``参会``),
  listed nouns are joined by 和, a noun phrase naming a count is the metric
  (``连接数超过3.9亿户``);
- places counted before exhibitors or entries are their origin
  (``参展企业来源国家和地区数``); countries take part in a meeting themselves;
- the activity before a duration or an anniversary (``生活工作年数``,
  ``接入国际互联网周年数``), a share of what follows it (``覆盖95%的县区`` → ``覆盖县区比例``).

Every word written into a metric or read in one is data: ``metric_words`` and
the other sections of ``rules/claims.yaml`` (via :class:`ClaimRules`), the
particles of ``rules/lexicon.yaml``.
"""

from __future__ import annotations

import re

from kb.extract.claims.context import group_subject
from kb.extract.claims.rules import ClaimRules, MetricWords
from kb.extract.claims.sanity import clean_metric, sane_metric
from kb.extract.claims.text import (CLAUSE_BREAK, Article, Sentence, clause_end, skip_front, strip_end,
                                   strip_words)
from kb.extract.orgs.rules import org_rules
from kb.normalise.numbers import Quantity, counted_before

_PARENTHESIS = re.compile(r"[（(][^（）()]*[）)]")
_LIST_COMMA = "、"
_MAX_POSSESSED = 8  # longer, the words after 的 are a clause of their own, not a noun


def _noun_of(q: Quantity, rules: ClaimRules) -> str:
    """What a count counts as written in it (9个非洲国家 → 非洲国家), else its unit."""
    rest = rules.number_part.sub("", q.text)
    return rest if rest.endswith(q.unit) else q.unit


def _verb_phrase(art: Article, start: int, end: int) -> str:
    """The verb phrase in ``[start, end)`` without adverbs, ignore frames and 了."""
    text = art.text[start:end]
    for s, e in art.ignored_starting_in(start, end):
        text = text.replace(art.text[s:min(e, end)], "")
    text = strip_words(text, art.rules.adverbs, front=True).replace(art.rules.perfective, "")
    return text.strip("“”\"")


def _count_metric(art: Article, sent: Sentence, q: Quantity, np: str, vp: str, np_start: int) -> str | None:
    rules, w = art.rules, art.rules.words
    if np and len(np) <= 3:  # a verb before the figure: 已发布超110个…项目, 联合15家单位…
        # 可容纳3000人的会场: the figure closes a modifier of the noun after 的, no verb phrase of its own
        vp = "" if vp.startswith(rules.possessive) and not np.startswith(tuple(w.prepositions)) else vp
        return _verb_count_metric(art, sent, q, np.rstrip(rules.perfective), vp, np_start)
    if vp and (q.text.endswith(q.unit) or not sent.metric):
        noun = _qualified_noun(art, sent, q, _noun_of(q, rules))
        return f"{vp}{noun}{w.count}" if len(vp) <= 2 else f"{vp}{rules.possessive}{noun}{w.count}"
    if np and np.endswith((*w.count_ends, *rules.heads)) and np not in (*w.count_ends, *rules.heads):
        return np.replace(w.quantity, w.count)  # 连接数超过3.9亿户, 服务企业数量超过5万家: it names the count
    if np and not vp and counted_before(q):  # 处置账号13.4亿个, 下架应用程序、小程序2160余款: the phrase before it
        return f"{np.replace(_LIST_COMMA, w.joiner)}{w.count}"
    if np and not vp and not sent.metric and np.endswith((*rules.heads, w.quantity, q.unit)):
        return np.replace(w.quantity, w.count)  # 网民规模近11亿人: a noun phrase of size before the figure
    # 拥有超过1000名研发人员, 等20场分论坛: the counted noun as written
    return sent.metric or (f"{_noun_of(q, rules)}{w.count}" if q.text.endswith(q.unit) else None)


def _modified_noun(art: Article, q: Quantity, core: str, np: str) -> str | None:
    """出席开幕式的1500多位嘉宾…, 各国申报的210余项案例: a clause ending in 的 right before the figure
    says what the counted noun did; with the noun written in the figure it is the metric (出席开幕式嘉宾数)."""
    noun = _noun_of(q, art.rules)
    np = np.split(art.rules.words.coming_from)[0]  # 收录来自中外机构的30个案例: where they come from is no deed
    if not core.endswith(art.rules.possessive) or len(np) < 2 or art.rules.possessive in np:
        return None
    if not q.text.endswith(noun) or noun == q.unit and len(noun) < 2:
        return None
    return f"{np}{noun}{art.rules.words.count}"


def _verb_count_metric(art: Article, sent: Sentence, q: Quantity, verb: str, vp: str, np_start: int) -> str:
    """已发布超110个…的领先科技成果项目 → 发布领先科技成果项目数; 联合15家单位提交提案 → 联合提交提案单位数;
    这份报告抽取了43个国家（…）的数据 → 报告抽取数据的国家数."""
    agent, de, count = _agent(art, sent.start, np_start), art.rules.possessive, art.rules.words.count
    if not q.text.endswith(q.unit):  # the counted noun follows the figure: 超110个…项目
        counted = art.text[q.end:q.end + 30].split("，")[0]
        counted = counted[: counted.find(q.unit) + len(q.unit)] if q.unit in counted else q.unit
        return f"{agent}{verb}{counted.rsplit(de, 1)[-1]}{count}"
    noun = _qualified_noun(art, sent, q, q.unit)
    possessed = _possessed_noun(art, q, sent.end)
    return f"{agent}{verb}{possessed}{de}{noun}{count}" if possessed else f"{agent}{verb}{vp}{noun}{count}"


def _agent(art: Article, start: int, verb_start: int) -> str:
    """这份报告抽取了… → 报告: a document referred back to right before the verb is its agent."""
    m = next(reversed(list(art.rules.anaphor.finditer(art.text, start, verb_start))), None)
    if not m or strip_words(art.text[m.end():verb_start], art.rules.adverbs, front=True):
        return ""
    return art.words(m.start(), m.end())[-1]


def _possessed_noun(art: Article, q: Quantity, sentence_end: int) -> str | None:
    """抽取了43个国家（…）的数据显示 → 数据: the noun the counted noun is the possessor of, when the
    figure (and a parenthesis after it) is followed by 的 and a noun phrase, not by another figure."""
    paren = _PARENTHESIS.match(art.text, q.end)
    pos = paren.end() if paren else q.end
    if not art.text.startswith(art.rules.possessive, pos):
        return None
    pos += len(art.rules.possessive)
    end = clause_end(art.text, pos, sentence_end)
    if art.quantities_starting_in(pos, end):
        return None  # 20个国家的80家机构: the figure after it is the count
    noun = strip_words("".join(art.words(pos, end)), art.rules.report_verbs, front=False)
    return noun if 0 < len(noun) <= _MAX_POSSESSED else None


def _qualified_noun(art: Article, sent: Sentence, q: Quantity, noun: str) -> str:
    """等13项案例最终入选, after the “…精品案例”发布展示活动 was named → 精品案例: a bare counted noun takes
    the modifier word it has in the name of an event or document named before it in the sentence."""
    if noun != q.unit or len(noun) < 2:
        return noun
    for m in reversed(art.mentions_in(sent.start, q.start, topical=False)):
        words = art.words(m.start, m.end) if m.kind in ("event", "document") else []
        modifiers = [w for w, nxt in zip(words, words[1:]) if nxt == noun and len(w) >= 2]
        if modifiers:
            return modifiers[-1] + noun
    return noun


def _modifier_free(art: Article, start: int, vp: str) -> str:
    """推动构建和平、安全、有序的网络空间 → 推动构建网络空间: a verb phrase without the
    modifiers of its object (from the word before the first 、 or 的 up to 的)."""
    de = art.rules.possessive
    if de not in vp:
        return vp
    cut = min(i for i in (vp.find("、"), vp.find(de)) if i >= 0)
    words = art.words(start, start + cut)
    keep = "".join(words[:-1]) if len(words) > 1 else ""
    return keep + vp.rsplit(de, 1)[-1] if keep else vp


def _duration_metric(art: Article, q: Quantity, np_start: int, subject: str | None, clause_end: int,
                     sentence_end: int) -> str | None:
    """连续七年举办 → 连续举办年数; 世界互联网诞生已有五十余载 → 诞生年数; an event's → 举办年数;
    十年间,中国持续推动构建…的网络空间 → 推动构建网络空间的年数."""
    text, rules, w = art.text, art.rules, art.rules.words
    raw = text[np_start:q.start]
    if q.unit != rules.year_unit and raw.rstrip().endswith(rules.duration_nouns):  # 会期3天, 论坛为期两周
        return f"{w.session}{q.unit}{w.count}"
    kept = next((k for k in rules.duration_kept if raw.endswith(k)), None)
    if kept:
        after = art.words(q.end, clause_end)
        return f"{kept}{after[0]}{w.years}" if after else None
    core, _ = strip_end(raw, rules.adverbs)
    predicate = next((p for p, _ in rules.predicates if core.endswith(p)), None)
    if predicate and len(core) > len(predicate):
        words = art.words(np_start, np_start + len(core) - len(predicate))
        return f"{words[-1]}{w.years}" if len(words) > 1 else None
    # The years of an event series are years of holding it; a name that is also an organisation's counts
    # years of its development (十年来，世界互联网大会… names the conference and its organisation).
    written = rules.number_part.sub("", q.text)
    if written != q.unit and written.endswith(q.unit):  # 接入国际互联网30周年 → 接入国际互联网周年数
        return _years_of_activity(art, np_start, q, f"{written}{w.count}")
    if subject and subject.endswith(rules.event_heads):
        if q.unit != rules.year_unit:  # 三天时间里 about an event: its session, never years of holding it
            return f"{w.session}{q.unit}{w.count}"
        known = subject in art.org_names or subject in org_rules().entries  # a body's name, said or known
        return w.developed_years if known else w.held_years
    if strip_words(raw, rules.duration_dropped, front=True):
        return _years_of_activity(art, np_start, q, w.years)
    return _next_clause_metric(art, q, sentence_end)


def _years_of_activity(art: Article, start: int, q: Quantity, years: str) -> str | None:
    """在这里生活工作十多年 → 生活工作年数: the verb phrase right before a duration (after the last
    predicate, without frames, adverbs and fillers) is the activity it measures; a reference (这) is none."""
    rules = art.rules
    if art.text.startswith(rules.open_period_ends, q.end):  # 展示了1年来…的新进展: a period up to now
        return None
    pos = begin = start
    for word in art.words(start, q.start):  # after the last predicate word (今年也是…周年)
        pos = art.text.find(word, pos) + len(word)
        begin = pos if word in dict(rules.predicates) else begin
    rest = art.text[begin:q.start]
    begin = skip_front(art, begin + len(rest) - len(rest.lstrip(_LIST_COMMA)), q.start)  # past 、, names, adverbs
    vp = _without_fillers(_verb_phrase(art, begin, q.start), rules.fillers)
    if vp in rules.duration_dropped or len(strip_words(vp, rules.duration_dropped, front=True)) < 2:
        return None  # 未来三年, 过去十年: a time, no activity
    if vp.startswith(rules.references) or vp.endswith(rules.possessive):
        return None
    return f"{vp}{years}"


def _next_clause_metric(art: Article, q: Quantity, sentence_end: int) -> str | None:
    """N年来/N年间, <subject> <verb phrase>: the verb phrase of the next clause that is not a frame."""
    text = art.text
    start = clause_end(text, q.end, sentence_end) + 1
    while start < sentence_end:
        end = clause_end(text, start, sentence_end)
        framed = art.ignored_covers(start, end)
        for m in art.mentions_in(start, end, topical=False):
            start = m.end if m.start == start else start
        vp = strip_words(_verb_phrase(art, start, end), art.rules.adverbs, front=True)
        if vp and not framed:
            vp = _modifier_free(art, end - len(vp), vp)
            return f"{vp}{art.rules.possessive}{art.rules.words.years}"
        start = end + 1
    return None


def claim_metric(art: Article, sent: Sentence, q: Quantity, clause: tuple[int, int], subject: str | None) -> str | None:
    """What the figure measures (see the module docstring), checked by :func:`sane_metric`."""
    return sane_metric(_metric(art, sent, q, clause, subject), q, _noun_of(q, art.rules), art.rules)


def _comparative(core: str, rules: ClaimRules) -> tuple[str, str]:
    """(core, comparison at its end): 较上年, 同比, or a dated one (较2023年12月)."""
    core, comparative = strip_end(core, rules.comparatives)
    dated = None if comparative else rules.dated_comparison.search(core)
    if dated and len(dated.group()) > 1:
        return core[:dated.start()], dated.group()
    return core, comparative


def _frame_metric(art: Article, sent: Sentence, q: Quantity) -> str | None:
    """The metric a frame of the sentence gives a count: a membership (会员数, 会员来源国家数), a list
    going on (展出大模型数 → 展出人形机器人数) or a participation verb after it (参会嘉宾数)."""
    rules, w = art.rules, art.rules.words
    if sent.in_membership_frame(art, q.start):
        if q.unit in rules.origin_units:
            return f"{w.member_origin}{q.unit}{w.count}"
        if q.kind == "count":
            return w.members
    if q.kind == "count" and (listed := _listed_metric(art, sent, q)):
        return listed
    verb = sent.participation_after(art, q.end)
    if verb in w.origin_verbs and q.kind == "count" and q.unit in rules.origin_units:
        if origin := _origin_metric(art, q, verb):
            return origin
    return f"{verb}{q.unit}{w.count}" if verb and q.kind == "count" else None


def _origin_metric(art: Article, q: Quantity, verb: str) -> str | None:
    """来自40个国家和地区的400余家企业参展 → 参展企业来源国家和地区数: places counted right before the
    count of exhibitors or entries (…的 between them, or nothing) are where those come from."""
    after = art.quantity_from(q.end)
    if after is None or after.kind != "count" or art.text[q.end:after.start] not in ("", art.rules.possessive):
        return None
    noun = _noun_of(after, art.rules)
    if not after.text.endswith(noun) or len(noun) < 2:
        return None
    return f"{verb}{noun}{art.rules.words.origin}{q.unit}{art.rules.words.count}"


def _metric(art: Article, sent: Sentence, q: Quantity, clause: tuple[int, int], subject: str | None) -> str | None:
    text, rules, w = art.text, art.rules, art.rules.words
    if framed := _frame_metric(art, sent, q):
        return framed
    floor = max([p.end for p, _ in art.claims if clause[0] <= p.end <= q.start], default=clause[0])
    np_start = skip_front(art, floor, q.start)
    if q.kind == "duration":
        return _duration_metric(art, q, np_start, subject, clause[1], sent.end)
    np_start = _past_modified_name(art, np_start, q.start)
    group = group_subject(art, clause[0], q.start)  # 中美两国贸易额: the group is the subject, not the metric
    np_start = max(np_start, group.end()) if group else np_start
    core, _ = strip_end(text[np_start:q.start].lstrip(_LIST_COMMA), rules.adverbs)
    predicate = next((p for p in rules.predicates if core.endswith(p[0])), None)
    if predicate:
        core, _ = strip_end(core[: -len(predicate[0])], rules.adverbs)
    core, comparative = _comparative(core, rules)
    np = _without_fillers(clean_metric(core.strip(rules.possessive), rules), (*rules.fillers, w.coming_from))
    np = _without_fillers(rules.leading_time.sub("", np), rules.fillers)
    if np.startswith(w.share_verb) or np.endswith(w.share_verb):  # 占GDP比重达到34.8%, 外宾约占四成: who holds it
        np = _share_owner(art, sent, q, np, subject)
        if np.endswith(w.bare_share):
            return np
    if q.kind == "share" and not predicate and (following := _share_of_following(art, sent, q, core, np)):
        return following
    if np in rules.relative and sent.metric:  # 比重同比提升: the share named before
        np = sent.metric if sent.metric.endswith(np) else strip_end(sent.metric, rules.heads)[0] + np
    if q.kind == "amount" and np in rules.spending_verbs:  # 我们将投入不少于20亿元 → 投入金额
        return f"{np}{w.spent}"
    if q.kind == "count" and not predicate and np.startswith(rules.increments) and np not in rules.increments:
        return np if np.endswith(tuple(w.counted)) else f"{np}{w.count}"  # 新增网民2480万人 → 新增网民数
    next_q = min([p.start for p in _quantities_after(art, q)] + [clause[1]])
    vp = _verb_phrase(art, q.end, min(next_q, clause[1]))
    # 51个国家、130多家企业, 连接设备超100万台、服务企业数量…: a list goes on, no verb phrase
    vp = "" if vp in rules.list_joiners or vp.startswith(_LIST_COMMA) else vp
    if predicate and predicate[1]:
        suffix = w.point_growth if q.unit == rules.point_unit else w.growth.get(q.kind, w.count)
        return f"{np or _growth_topic(sent.metric, w)}{comparative}{predicate[0].rstrip(rules.perfective)}{suffix}"
    if not predicate and w.doubled in q.text:  # 规模翻了一番: a doubling of the topic
        return f"{np or sent.metric or ''}{w.doubling}"
    if not predicate and (share := rules.share_of.search(np)):
        return _share_metric(rules, np, share)
    if q.kind == "count" and not predicate and (modified := _modified_noun(art, q, core, np)):
        return modified
    if q.kind == "count" and (not predicate or not np):  # 仍有约26亿人尚未接入互联网: the verb phrase after
        return _count_metric(art, sent, q, np, vp, np_start)
    if q.kind == "count" and np and not np.endswith((*w.count_ends, *rules.heads, *w.share_nouns)):
        return f"{np}{w.count}"  # 会员已增至近130家: the counted noun before the predicate
    return _share_noun(np.replace(w.quantity, w.count), rules) if np else _topic_of(sent.metric, w)


def _share_metric(rules: ClaimRules, np: str, share: re.Match) -> str:
    """数字经济占GDP的比重 → 数字经济占GDP比重; 该市占全国 → 占全国比重 (a reference is no topic)."""
    w = rules.words
    owner = strip_end(np[:share.start()], rules.adverbs)[0]
    owner = "" if owner.startswith(rules.references) else owner
    share_of = share.group(1)
    noun = "" if share_of.endswith(tuple(w.share_nouns)) else w.share
    return _share_noun(f"{owner}{w.share_verb}{share_of}{noun}", rules)


def _noun_after(art: Article, pos: int, end: int) -> str | None:
    """覆盖95%的县区和35%的乡镇 at the first 的 → 县区: the noun after 的, up to a list joiner, a figure or
    the clause's end; None when no 的 follows or the words run on into a clause."""
    if not art.text.startswith(art.rules.possessive, pos):
        return None
    pos += len(art.rules.possessive)
    nxt = art.quantity_from(pos)
    end = min(clause_end(art.text, pos, end), nxt.start if nxt else end)
    words = art.words(pos, end)
    cut = next((i for i, word in enumerate(words) if word in art.rules.list_joiners), len(words))
    noun = "".join(words[:cut])
    return noun if 0 < len(noun) <= _MAX_POSSESSED and art.rules.possessive not in noun else None


def _share_of_following(art: Article, sent: Sentence, q: Quantity, core: str, np: str) -> str | None:
    """覆盖全国所有地级市、95%以上的县区和35%的乡镇 → 覆盖县区比例, 覆盖乡镇比例: a share followed by 的 and a
    noun is the share of those things the verb before it reaches (the verb opens a list of objects: its
    first word; a place before the figure is the subject's scope). The next share of the list keeps the verb."""
    rules, w = art.rules, art.rules.words
    noun = _noun_after(art, q.end, sent.end)
    if not noun or noun.endswith(tuple(p for p, growth in rules.predicates if growth)):
        return None  # 保持9.7%的高位增长: a rate, no share of things
    prev = next(((p, c) for p, c in art.claims_back_to(sent.start) if p.end <= q.start), None)
    before = _noun_after(art, prev[0].end, q.start) if prev and prev[0].kind == "share" and prev[1].metric else None
    if before and art.text[prev[0].end:q.start].rstrip("".join(rules.list_joiners)).endswith(before):
        old = f"{before}{w.proportion}"  # 95%以上的县区和35%的乡镇: the list of shares goes on
        return prev[1].metric.replace(old, f"{noun}{w.proportion}") if prev[1].metric.endswith(old) else None
    if not np or w.share_verb in np or rules.possessive in np:
        return None
    places = tuple(p for p, _ in rules.places)
    first = np.split(_LIST_COMMA)[0]  # 覆盖全国所有地级市、95%…: the verb phrase opens the list's first item
    at = min((i for i in (first.find(p) for p in places) if i > 0), default=-1)
    if _LIST_COMMA in np:
        verb = first[:at] if at > 0 else (art.words(q.start - len(core), q.start) or [""])[0]
    else:
        verb = strip_end(np, places)[0]
    return f"{verb}{noun}{w.proportion}" if len(verb) >= 2 else None


def _listed_metric(art: Article, sent: Sentence, q: Quantity) -> str | None:
    """展出50余款大模型和20余款人形机器人 → the metric of the figure before with this figure's counted noun
    (展出大模型数 → 展出人形机器人数): a count joined to the count before it by 、/和/以及 is a list item."""
    prev = next(((p, c) for p, c in art.claims_back_to(sent.start) if p.end <= q.start), None)
    if not prev or prev[0].kind != "count" or art.text[prev[0].end:q.start] not in art.rules.list_joiners:
        return None
    old, new, count = _noun_of(prev[0], art.rules), _noun_of(q, art.rules), art.rules.words.count
    metric = prev[1].metric or ""
    if not (q.text.endswith(new) and metric.endswith(f"{old}{count}") and len(old) > 1 and len(new) > 1):
        return None
    return f"{metric[: -len(old) - len(count)]}{new}{count}"


def _past_modified_name(art: Article, start: int, end: int) -> int:
    """与大会同期举办的“互联网之光”博览会展览面积 → 展览面积: a name modified by a clause (…的 before it)
    is the subject; the metric is what follows it."""
    named = [m for m in art.mentions_in(start, end, topical=False)
             if m.kind in ("event", "org", "document") and m.end < end
             and art.text[start:m.start].rstrip("“”\"《").endswith(art.rules.possessive)]
    if not named:
        return start
    after = named[-1].end
    return after + 1 if art.text[after:after + 1] in ("”", "》") else after


def _share_owner(art: Article, sent: Sentence, q: Quantity, np: str, subject: str | None) -> str:
    """占GDP比重 after 数字经济规模达到…: the topic of the figure before holds the share (数字经济占GDP比重);
    after a count (拥有1000名研发人员，约占…) the counted noun does, unless it is the claim's subject
    (43个国家（约占全球经济总量的3/4）). 外宾约占 → 外宾占比."""
    w = art.rules.words
    owner, rest = np.split(w.share_verb, 1) if np.endswith(w.share_verb) else ("", np[len(w.share_verb):])
    owner = strip_end(owner, art.rules.adverbs)[0]
    if not owner:
        prev = next((p for p, _ in art.claims_back_to(sent.start) if p.start < q.start), None)
        if prev and prev.kind == "count" and prev.text.endswith(prev.unit) and len(_noun_of(prev, art.rules)) > 1:
            owner = _noun_of(prev, art.rules)
        elif sent.metric:
            owner = strip_end(sent.metric, art.rules.heads)[0]
        owner = "" if subject and owner and owner in subject else owner
    return f"{owner}{w.share_verb}{rest}" if rest else f"{owner}{w.bare_share}"


def _growth_topic(metric: str | None, w: MetricWords) -> str:
    """参展企业数 → 参展企业: the topic a growth of the figure before is about (参展企业较上届增加数)."""
    if not metric:
        return ""
    end = next((e for e in (w.total, w.quantity, w.count) if metric.endswith(e)), "")
    return metric[: len(metric) - len(end)]


def _share_noun(np: str, rules: ClaimRules) -> str:
    """数字经济占GDP的比重 → 数字经济占GDP比重: one form for a share, with or without 的."""
    share = rules.share_with_de.fullmatch(np)
    return f"{share.group(1)}{share.group(2)}" if share else np


def _topic_of(metric: str | None, w: MetricWords) -> str | None:
    """规模翻了一番，达到50万亿元: a figure after a derived metric measures its topic."""
    return metric[: -len(w.doubling)] if metric and metric.endswith(w.doubling) else metric


def _without_fillers(np: str, fillers: tuple[str, ...]) -> str:
    """我们将投入 → 投入, 仍 → "": pronouns, modal verbs and adverbs are no part of a metric."""
    np = strip_words(np, fillers, front=True)
    return "" if np in fillers else np


def _quantities_after(art: Article, q: Quantity) -> list[Quantity]:
    after = art.quantity_from(q.end)
    return [after] if after is not None else []


def _topic(art: Article, start: int, end: int) -> str | None:
    """The metric a clause without a figure sets up: 制定…的国家数量持续增加 → 制定…的国家数."""
    core, _ = strip_end(art.text[skip_front(art, start, end):end].rstrip(), art.rules.adverbs)
    predicate = next((p for p, _ in art.rules.predicates if core.endswith(p)), None)
    if not predicate:
        return None
    core, _ = strip_end(core[: -len(predicate)], art.rules.adverbs)
    return core.replace(art.rules.words.quantity, art.rules.words.count) or None


def read_topics(art: Article, sent: Sentence, upto: int) -> None:
    """Clauses between the last figure and ``upto`` may set up the metric (a topic clause)."""
    pos = max(sent.read_to, sent.start)
    for m in CLAUSE_BREAK.finditer(art.text, pos, upto):
        topic = _topic(art, pos, m.start())
        if topic and not art.quantities_starting_in(pos, m.start()):
            sent.metric = topic
        pos = m.end()
    sent.read_to = max(sent.read_to, upto)
