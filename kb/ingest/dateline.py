"""News datelines and an article's publication date.

A dateline opens a plain-text article: ``中新網烏鎮11月11日電(張煜歡)``,
``新华社北京2023年11月20日电（记者 X）`` — agency, place, [year], month, day,
``电/電/讯/訊``, and an optional author in full- or half-width parentheses.
Pinyin readings after characters (``網(wǎng)``) and full-width digits are
tolerated (the real cleaning steps remove them first).

Date (``date_how``): front matter ``date`` (datetime, date or string) →
``front_matter``; an HTML page's date in its markup → ``html_meta``
(:mod:`kb.ingest.html`); a dateline with a year → ``dateline``; a dateline without a
year → ``dateline_year_from_text`` using :func:`infer_year`; else the first
full date in the first lines of the body → ``text``; else ``unknown``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Literal

from pydantic import BaseModel, ConfigDict

from kb.clean.pinyin import remove_pinyin
from kb.clean.script import to_halfwidth
from kb.clean.offsets import Mapped, chain

# How an article's publication date was obtained.
DateHow = Literal["front_matter", "html_meta", "dateline", "dateline_year_from_text", "text", "unknown"]


class Dateline(BaseModel):
    """A news dateline found in a body; ``span`` is relative to the searched text."""

    model_config = ConfigDict(frozen=True)

    agency: str
    place: str | None
    year: int | None
    month: int
    day: int
    author: str | None
    span: tuple[int, int]


_AGENCIES = sorted(
    "新华社 新華社 中新社 中新网 中新網 中国新闻网 中國新聞網 人民网 人民網 新华网 新華網 央视网 央視網 央视新闻 "
    "央視新聞 央广网 央廣網 光明网 光明網 中国日报网 中國日報網 中青网 中青網 环球网 環球網 国际在线 國際在線 "
    "澎湃新闻 澎湃新聞 香港中通社 中通社 人民日报 人民日報 经济日报 經濟日報 科技日报 科技日報 本报 本報".split(),
    key=len, reverse=True,
)
_DATELINE = re.compile(
    r"^[ \t\u3000>*]*"
    rf"(?P<agency>{'|'.join(_AGENCIES)}|[\u4e00-\u9fff]{{1,6}}?(?:通讯社|通訊社|社|网|網|报|報|新闻|新聞))"
    r"(?P<place>[\u4e00-\u9fff·]{0,10}?)"
    r"(?:(?P<year>\d{4})年)?(?P<month>\d{1,2})月(?P<day>\d{1,2})日(?:[电電讯訊](?![话話视視脑腦子力影商梯池器])|消息)"
    r"(?:[ \t\u3000]*[(（][ \t\u3000]*(?:记者|記者)?[ \t\u3000]*(?P<author>[^()（）\n]{1,40}?)[ \t\u3000]*[)）])?",
    re.M,
)
_FULL_DATE = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})年")
_DATE_STRING = re.compile(r"\s*(\d{4})(?:\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2}))?)?(?!\d)")
_LEAD_LINES, _LEAD_CHARS, SEARCH_CHARS = 3, 1000, 3000
_MAX_GAP = dt.timedelta(days=45)


def iso_date(year: int, month: int | None = None, day: int | None = None) -> str | None:
    """``"2023-11-11"``, ``"2023-11"`` or ``"2023"``; None if no such date exists."""
    try:
        dt.date(year, 1 if month is None else month, 1 if day is None else day)  # 0月0日 is no date
    except ValueError:
        return None
    parts = [f"{year:04d}"] + [f"{n:02d}" for n in (month, day) if n is not None]
    return "-".join(parts[: 3 if month is not None else 1])


def front_matter_date(value: object) -> str | None:
    """A front matter ``date`` as an ISO string: datetimes keep their own day."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10]
    if isinstance(value, int):
        return iso_date(value) if 1000 <= value <= 9999 else None
    match = _DATE_STRING.match(str(value)) if isinstance(value, str) else None
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    return iso_date(year, month, day)


def clean_for_dates(text: str) -> Mapped:
    """``text`` without pinyin readings and with half-width digits, mapped back to ``text``."""
    return chain(text, [remove_pinyin, to_halfwidth])


def find_dateline(text: str) -> Dateline | None:
    """The first valid dateline at the start of a line of ``text`` (readings tolerated)."""
    clean = clean_for_dates(text)
    for match in _DATELINE.finditer(clean.text):
        year = int(match["year"]) if match["year"] else None
        month, day = int(match["month"]), int(match["day"])
        if iso_date(year or 2000, month, day) is None:  # 2000: a leap year admits 2月29日
            continue
        return Dateline(
            agency=match["agency"], place=match["place"] or None, year=year, month=month, day=day,
            author=(match["author"] or "").strip() or None,
            span=clean.span(match.start("agency"), match.end()),
        )
    return None


def infer_year(lead: str, month: int, day: int, *, not_after: int | None = None) -> int | None:
    """The year of a dateline's month/day from the years its lead paragraphs mention.

    1. A full date (``Y年M月D日``, ``Y-M-D``) within 45 days of month/day (in year Y-1, Y or
       Y+1) fixes the year: leads report events of the last few days.
    2. Else the most frequent ``YYYY年`` (ties: the earliest mentioned), such as
       ``2023年世界互聯網大會烏鎮峰會`` in a lead dated 11月11日; years after
       ``not_after`` (e.g. the year the page was fetched) are ignored.
    Historical years repeated in the lead more often than the current one
    can mislead step 2; the ``date_how`` value says the year was inferred.
    """
    for match in _FULL_DATE.finditer(lead):  # 2023年11月10日, 2023-11-10, 2023/11/10
        year, event = int(match[1]), iso_date(*map(int, match.groups()))
        for guess in (year, year - 1, year + 1):
            published = iso_date(guess, month, day)
            if event and published and abs(dt.date.fromisoformat(published) - dt.date.fromisoformat(event)) <= _MAX_GAP:
                return guess
    years = [int(y) for y in _YEAR.findall(lead) if not_after is None or int(y) <= not_after]
    if not years:
        return None
    counts = Counter(years)
    return max(counts, key=lambda y: (counts[y], -years.index(y)))


def _lead(text: str) -> str:
    """The first few non-empty lines of ``text``, capped in length."""
    lines = [line for line in text[:_LEAD_CHARS].splitlines() if line.strip()]
    return "\n".join(lines[:_LEAD_LINES])


def find_date(meta: dict, body: str, dateline: Dateline | None) -> tuple[str | None, DateHow]:
    """The publication date and how it was found (see the module docstring)."""
    if (date := front_matter_date(meta.get("date"))) is not None:
        return date, "front_matter"
    clean = clean_for_dates(body[:SEARCH_CHARS]).text
    if dateline is not None:
        if dateline.year is not None:
            return iso_date(dateline.year, dateline.month, dateline.day), "dateline"
        fetched = front_matter_date(meta.get("fetch_date"))
        # The lines above a dateline (a page's timestamp line) belong to the lead too.
        above = _lead(clean_for_dates(body[: dateline.span[0]]).text)
        lead = above + "\n" + _lead(clean_for_dates(body[dateline.span[0]:dateline.span[0] + SEARCH_CHARS]).text)
        year = infer_year(lead, dateline.month, dateline.day, not_after=int(fetched[:4]) if fetched else None)
        if year is not None and (date := iso_date(year, dateline.month, dateline.day)):
            return date, "dateline_year_from_text"
        return None, "unknown"
    for match in _FULL_DATE.finditer(_lead(clean)):
        if (date := iso_date(*map(int, match.groups()))) is not None:
            return date, "text"
    return None, "unknown"
