"""Date expressions in clean simplified text: find them, resolve them to ISO 8601.

Pure functions over strings. A date is only as precise as the text states:
``2014年`` → ``2014``, ``2014年11月`` → ``2014-11``, ``2022年7月12日`` →
``2022-07-12``. Ranges keep both ends (``11月19日至22日``), periods of years
are ISO intervals (``2016年—2022年`` → ``2016/2022``). Relative expressions
are resolved against the article's date (``今年``, ``去年``, ``十年前``, a
bare ``11月20日``); ``同年`` and a bare month take the year last stated in
the same sentence. Editions (``首届``, ``第十一届``) are ordinals, never
dates: :func:`find_editions` reads them, and their characters are masked
before dates are searched.

With ``days=True`` two more forms are read, as news reports use them: a
day-only date (``16日``, ``从20日持续至22日``) takes the month last stated in
the sentence, else the article's month; ``当天``/``当日``/``同日`` is the full date
just stated (in this sentence or one before), else the article's date (the
dateline's day). A day-only date followed by
``内``/``以内``/``之内`` is a duration, not a date. Relative days are read too:
``今天``/``昨天``/``昨日``/``前天``/``明天`` move the article's day (only a
day-precise article date resolves them; else they are left out), ``近日`` is the
article's month.

An undated article (GUIDELINES "Settled points") keeps relative times null, but
a bare month or day takes the year and month last stated in its paragraph
(``2023年3月，…。3月17日，…`` → ``2023-03-17``): the text states them.

Not supported: weekdays, seasons (``春季``), ``上旬``/``下旬``, lunar dates,
times of day, two-digit years (``'24``).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from kb.nlp.text import SENTENCE_ENDS

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "〇零一二三四五六七八九十两"
_NUM = rf"(?:\d{{1,2}}|[{_CN}]{{1,3}})"
_YEAR = rf"(?:\d{{4}}|[{_CN}]{{4}})"
_DASH = r"(?:至|到|—{1,2}|–|-|~|～)"

# Relative year words and their offset from the article's year.
RELATIVE_YEARS = {"今年": 0, "本年": 0, "去年": -1, "前年": -2, "明年": 1, "后年": 2}
CONTEXT_YEARS = ("同年", "当年")  # the year last stated in the sentence
SAME_DAY = ("当天", "当日", "同日", "同一天")  # the day just stated, else the article's day (days=True)
SINCE_AFTER = ("起", "以来", "开始", "至今")  # "2021年起": the start of a period
# Relative day words (days=True) and their offset from the article's day. 今日/明日 are left
# out: they open names (今日头条, 明日之星) more often than they date a report.
RELATIVE_DAYS = {"今天": 0, "昨天": -1, "昨日": -1, "前天": -2, "明天": 1}
RECENT_DAYS = ("近日",)  # "recently": the article's month, no more precise
_NOT_RECENT = "接靠将"  # 接近日本, 靠近日…: 近 belongs to the word before

EDITION_RE = re.compile(rf"(首|第(?:\d{{1,3}}|[{_CN}]{{1,4}}))届")
_REL_WORDS = "|".join([*RELATIVE_YEARS, *CONTEXT_YEARS])
DATE_RE = re.compile(
    rf"(?<![\d{_CN}])"
    rf"(?:(?P<py1>{_YEAR}){_DASH}(?P<py2>{_YEAR})年"
    rf"|(?P<ago>{_NUM})年(?P<dir>前|后)"
    rf"|(?:(?P<year>{_YEAR})年|(?P<rel>{_REL_WORDS}))"
    rf"(?:(?P<month>{_NUM})月(?:(?P<day>{_NUM})[日号])?)?"
    rf"|(?P<bmonth>{_NUM})月(?:(?P<bday>{_NUM})[日号])?"
    rf"|(?P<dday>\d{{1,2}})[日号](?!内|以内|之内)"
    rf"|(?P<same>{'|'.join(SAME_DAY)})"
    rf"|(?P<rday>{'|'.join(RELATIVE_DAYS)}|(?<![{_NOT_RECENT}])(?:{'|'.join(RECENT_DAYS)})))"
    rf"(?:{_DASH}(?:(?P<y2>{_YEAR})年)?(?:(?P<m2>{_NUM})月)?(?:(?P<d2>{_NUM})[日号])?)?"
)
_SENTENCE_END = re.compile(f"[{re.escape(SENTENCE_ENDS)}]")
_UNTIL_BEFORE = re.compile(r"(?:至|到)$")


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date expression at ``text[start:end]``; ``value``/``end_value`` are ISO or None."""

    start: int
    end: int
    text: str
    value: str | None
    end_value: str | None = None
    relative: bool = False
    since: bool = False  # followed by 起/以来/开始: a period starts here

    @property
    def iso(self) -> str | None:
        """One ISO string: a date, or ``start/end`` for a range or period."""
        if self.value is None:
            return None
        return f"{self.value}/{self.end_value}" if self.end_value else self.value

    @property
    def year(self) -> int | None:
        return int(self.value[:4]) if self.value else None


@dataclass(frozen=True, slots=True)
class EditionMention:
    """``首届`` / ``第N届`` at ``text[start:end]``."""

    start: int
    end: int
    text: str
    number: int


def chinese_number(text: str) -> int | None:
    """``11`` / ``十一`` / ``二〇二四`` / ``一百零三`` → int; None when not a number."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in _CN_DIGITS and c not in "十百" for c in text):
        return None
    if "十" not in text and "百" not in text:  # digit by digit: 二〇二四
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    total, digit = 0, 0
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        else:
            unit = 100 if char == "百" else 10
            total += (digit or 1) * unit
            digit = 0
    return total + digit


def find_editions(text: str) -> list[EditionMention]:
    """Every ``首届`` (1) and ``第N届`` in ``text``."""
    out = []
    for m in EDITION_RE.finditer(text):
        number = 1 if m.group(1) == "首" else chinese_number(m.group(1)[1:])
        if number:
            out.append(EditionMention(m.start(), m.end(), m.group(0), number))
    return out


def year_of(article_date: str | None) -> int | None:
    return int(article_date[:4]) if article_date and article_date[:4].isdigit() else None


def find_dates(text: str, article_date: str | None = None, *, days: bool = False) -> list[DateMention]:
    """Every date expression in ``text``, in order, resolved against ``article_date``;
    ``days``: day-only dates and ``当天`` too (see the module docstring)."""
    masked = EDITION_RE.sub(lambda m: "□" * len(m.group(0)), text)
    out: list[DateMention] = []
    sentence_year: int | None = None
    sentence_month = last_day = None
    # An undated article: the year and month last stated in the paragraph stand in for the
    # article's (a bare 3月17日 after 2023年3月，…。); a dated one keeps its own.
    line_year: int | None = None
    line_month: str | None = None
    last_end = 0
    for m in DATE_RE.finditer(masked):
        if _SENTENCE_END.search(masked, last_end, m.start()):
            sentence_year = sentence_month = None
        if "\n" in masked[last_end:m.start()]:
            line_year = line_month = None
        last_end = m.end()
        if m.group("dday") or m.group("same"):
            mention = _day_mention(m, text, sentence_month or _month_of(article_date) or line_month,
                                   last_day or _day_of(article_date)) if days else None
        elif m.group("rday"):
            mention = _relative_day(m, text, article_date) if days else None
        else:
            mention = _mention(m, text, year_of(article_date), sentence_year, line_year)
        if mention is None or (mention.value is None and (m.group("dday") or m.group("rday"))):
            continue
        out.append(mention)
        if mention.value:
            sentence_year = mention.year
            sentence_month = mention.value[:7] if len(mention.value) >= 7 else sentence_month
            if article_date is None:
                line_year = mention.year
                line_month = mention.value[:7] if len(mention.value) >= 7 else line_month
            # 至/到 (and a line's newline) right before: a window of 2, not a search from the text's start
            if len(mention.value) == 10 and not _UNTIL_BEFORE.search(masked, max(0, m.start() - 2), m.start()):
                last_day = mention.value  # 持续至10日 ends a period: 当天 is not that day
    return out


def _month_of(date: str | None) -> str | None:
    return date[:7] if date and len(date) >= 7 else None


def _day_of(date: str | None) -> str | None:
    return date if date and len(date) == 10 else None


def _relative_day(m: re.Match[str], text: str, article_date: str | None) -> DateMention:
    """``昨天`` is the article's day minus one (None unless the article's date is a day);
    ``近日`` is the article's month."""
    word = m.group("rday")
    value = _month_of(article_date) if word in RECENT_DAYS else add_days(_day_of(article_date), RELATIVE_DAYS[word])
    return DateMention(m.start(), m.end("rday"), word, value, None, True)


def _day_mention(m: re.Match[str], text: str, month: str | None, day: str | None) -> DateMention | None:
    """``16日`` (``20日至22日``) in ``month``; ``当天`` is ``day``."""
    if m.group("same"):
        return DateMention(m.start(), m.end("same"), m.group("same"), day, None, True)
    year, number = (int(month[:4]), month[5:]) if month else (None, None)
    start_value = _iso(year, number, m.group("dday"))
    if start_value == "":
        return None
    end_value = _iso(year, m.group("m2") or number, m.group("d2")) if m.group("d2") and not m.group("y2") else None
    end = m.end() if end_value else _first_part_end(m)
    return DateMention(m.start(), end, text[m.start():end], start_value, end_value or None, True)


def _mention(m: re.Match[str], text: str, article_year: int | None, sentence_year: int | None,
             line_year: int | None = None) -> DateMention | None:
    g = m.groupdict()
    relative = not (g["year"] or g["py1"])
    if g["py1"]:  # 2023—2025年
        first, last = chinese_number(g["py1"]), chinese_number(g["py2"])
        return DateMention(m.start(), m.end(), m.group(0), f"{first:04d}", f"{last:04d}") if first <= last else None
    if g["ago"]:
        n = chinese_number(g["ago"])
        year = article_year - n if article_year and n and g["dir"] == "前" else (
            article_year + n if article_year and n else None)
        month = day = None
    else:
        year = _year(g, article_year, sentence_year, line_year)
        month, day = (g["month"], g["day"]) if g["month"] else (g["bmonth"], g["bday"])
    start_value = _iso(year, month, day)
    if start_value == "":
        return None  # not a date at all: 13月, 32日
    end_value = _range_end(g, year, month)
    if end_value == "":  # a dash that does not start a date
        end_value = None
    end = m.end() if end_value else _first_part_end(m)
    since = text.startswith(SINCE_AFTER, end) and not end_value
    return DateMention(m.start(), end, text[m.start():end], start_value, end_value, relative, since)


def _first_part_end(m: re.Match[str]) -> int:
    ends = [m.end(k) for k in ("ago", "dir", "year", "rel", "month", "day", "bmonth", "bday", "dday") if m.group(k)]
    end = max(ends)
    text = m.string
    return end + 1 if end < len(text) and text[end] in "年月日号" else end


def _year(g: dict, article_year: int | None, sentence_year: int | None, line_year: int | None) -> int | None:
    if g["year"]:
        return chinese_number(g["year"])
    if g["rel"] in RELATIVE_YEARS:
        return article_year + RELATIVE_YEARS[g["rel"]] if article_year else None
    if g["rel"] in CONTEXT_YEARS:
        return sentence_year
    # a bare month: this sentence's year, else the article's (an undated one's: its paragraph's)
    return sentence_year or article_year or line_year


def _iso(year: int | None, month: str | None, day: str | None) -> str | None:
    """ISO date as precise as given; None when the year is unknown; "" when impossible."""
    m = chinese_number(month) if month else None
    d = chinese_number(day) if day else None
    if (month and not (m and 1 <= m <= 12)) or (day and not (d and 1 <= d <= 31)):
        return ""
    if year is None:
        return None
    if m is None:
        return f"{year:04d}"
    return f"{year:04d}-{m:02d}" if d is None else f"{year:04d}-{m:02d}-{d:02d}"


def _range_end(g: dict, year: int | None, month: str | None) -> str | None:
    """The end of ``…至22日`` / ``…—2022年``: missing parts come from the start."""
    if not (g["y2"] or g["m2"] or g["d2"]):
        return None
    if g["y2"]:
        end_year = chinese_number(g["y2"])
        return _iso(end_year, g["m2"], g["d2"]) if year is not None else None
    if g["d2"] and not g["m2"] and not (g["day"] or g["bday"]):
        return ""  # 2014年11月—22日 makes no sense
    if g["m2"] is None and not month:
        return ""
    return _iso(year, g["m2"] or month, g["d2"])


# 为期三天, 会期两天, 为期3天: how many days an event lasts.
_DURATION_RE = re.compile(rf"(?:为期|会期|历时)({_NUM})天")


def duration_days(text: str) -> int | None:
    """The days of the first ``为期N天``/``会期N天`` in ``text``; None when there is none."""
    found = _DURATION_RE.search(text)
    return chinese_number(found.group(1)) if found else None


def add_days(day: str | None, days: int) -> str | None:
    """``day`` (``YYYY-MM-DD``) plus ``days``; None when ``day`` is not day-precise."""
    if day is None or len(day) != 10:
        return None
    return (datetime.date.fromisoformat(day) + datetime.timedelta(days=days)).isoformat()
