"""When each server's daily digest is due: pure code that takes the clock as an argument.

A server posts at most one digest per *local* day, at its chosen wall-clock time in its IANA
timezone. :func:`due_digests` looks at every server's configuration, the slots already taken
(posted, claimed, skipped or failed, keyed by ``(guild_id, local_date)``) and the current
instant, and says which digests to post now and which missed ones to give up on.

Daylight-saving rules:

* a wall time that does not exist on a spring-forward day (02:30 in New York on the second
  Sunday of March) is posted at the first valid instant after it (the moment the clocks jump,
  03:00 local);
* a wall time that happens twice on a fall-back day is posted at its first occurrence, and
  the slot key (the local date) makes sure the second occurrence posts nothing.

A digest missed while the bot was down is posted once, marked late, when the bot comes back
within ``late_limit`` of the scheduled instant; past the limit it is skipped (the caller
records and logs the skip so it is reported once).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

QuietDay = Literal["note", "skip"]
QUIET_DAY_CHOICES: tuple[QuietDay, ...] = ("note", "skip")

DEFAULT_POST_TIME = time(9, 0)
DEFAULT_TIMEZONE = "UTC"
# A digest posted this long after its time (a slow loop tick, a short reconnect) is not late.
ON_TIME_GRACE = timedelta(minutes=5)
# A digest missed for longer than this (the bot was down) is skipped rather than posted late:
# a "daily" digest arriving in the evening is more confusing than useful.
DEFAULT_LATE_LIMIT = timedelta(hours=6)

_POST_TIME = re.compile(r"^\s*(?P<hour>\d{1,2})[:.h](?P<minute>\d{2})\s*$")


class ScheduleError(ValueError):
    """A digest time or timezone a moderator typed that cannot be used."""


def parse_post_time(text: str) -> time:
    """``"9:05"``, ``"09:05"`` or ``"21.30"`` as a :class:`datetime.time` (24-hour clock)."""
    matched = _POST_TIME.match(text)
    if matched is None:
        raise ScheduleError(f"not a 24-hour HH:MM time: {text!r}")
    hour, minute = int(matched["hour"]), int(matched["minute"])
    if hour > 23 or minute > 59:
        raise ScheduleError(f"not a time of day: {text!r}")
    return time(hour, minute)


@cache
def timezone_names() -> frozenset[str]:
    """Every IANA timezone name zoneinfo knows (from the system or the tzdata package)."""
    return frozenset(available_timezones())


def parse_timezone(name: str) -> ZoneInfo:
    """The zone called ``name`` (exact IANA spelling, e.g. ``Europe/Paris``)."""
    name = name.strip()
    # Only known names: ZoneInfo would also try arbitrary relative paths on disk.
    if name not in timezone_names():
        raise ScheduleError(f"unknown timezone: {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ScheduleError(f"unknown timezone: {name!r}") from error


def matching_timezones(typed: str, limit: int) -> list[str]:
    """Timezone names for autocomplete: names starting with ``typed`` first, then containing it.

    Matching ignores case and treats spaces as underscores ("new york" finds New_York).
    """
    needle = typed.strip().casefold().replace(" ", "_")
    names = sorted(timezone_names())
    if not needle:
        return names[:limit]
    starts = [n for n in names if n.casefold().startswith(needle)]
    city_starts = [
        n for n in names if n not in starts and n.casefold().rsplit("/", 1)[-1].startswith(needle)
    ]
    chosen = set(starts) | set(city_starts)
    contains = [n for n in names if n not in chosen and needle in n.casefold()]
    return (starts + city_starts + contains)[:limit]


@dataclass(frozen=True)
class DigestConfig:
    """One server's digest settings, as the scheduler needs them."""

    guild_id: int
    channel_id: int | None
    post_time: time
    timezone: str
    enabled: bool
    # Slots scheduled before this instant never count as missed: the digest did not exist yet
    # (or had another time) then.
    active_since: datetime
    quiet_day: QuietDay = "note"


@dataclass(frozen=True)
class DueDigest:
    """A digest to post now."""

    guild_id: int
    local_date: date
    scheduled_at: datetime  # UTC
    late: bool


@dataclass(frozen=True)
class SkippedDigest:
    """A digest missed by more than the late limit: recorded and logged, never posted."""

    guild_id: int
    local_date: date
    scheduled_at: datetime  # UTC
    missed_by: timedelta


@dataclass(frozen=True)
class ScheduleDecision:
    due: tuple[DueDigest, ...]
    skipped: tuple[SkippedDigest, ...]


SlotKey = tuple[int, date]


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    """The naive local wall-clock time of an aware ``moment`` in ``zone``."""
    return moment.astimezone(zone).replace(tzinfo=None)


def scheduled_instant(local_date: date, post_time: time, zone: ZoneInfo) -> datetime:
    """The UTC instant a digest for ``local_date`` at ``post_time`` in ``zone`` is due.

    Normal times map one to one. An ambiguous time (fall-back) gives its first occurrence.
    A nonexistent time (spring-forward gap) gives the first instant after the gap.
    """
    wall = datetime.combine(local_date, post_time)
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _wall(first, zone) == wall:
        return first  # exists (fold=0 is the earlier of two occurrences when ambiguous)
    # In a gap, fold=1 reads the wall time with the offset from before the jump and lands
    # before the transition; fold=0 lands after it. The transition lies between them: find
    # the first whole second whose local wall time is past the requested one.
    second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = min(first, second), max(first, second)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle <= low:
            break
        if _wall(middle, zone) >= wall:
            high = middle
        else:
            low = middle
    return high


def _candidate_dates(now: datetime, zone: ZoneInfo) -> list[date]:
    today = now.astimezone(zone).date()
    # Yesterday's slot can still be due (late) just after local midnight.
    return [today - timedelta(days=1), today]


def due_digests(
    configs: Iterable[DigestConfig],
    taken: Collection[SlotKey],
    now: datetime,
    *,
    late_limit: timedelta = DEFAULT_LATE_LIMIT,
    on_time_grace: timedelta = ON_TIME_GRACE,
) -> ScheduleDecision:
    """Which digests to post at ``now``, and which missed ones to skip.

    ``taken`` holds every ``(guild_id, local_date)`` slot already handled in any way
    (claimed, posted, skipped, failed); those are never due again. ``now`` must be aware.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if not timedelta(0) <= late_limit < timedelta(days=1):
        # With a day or more, yesterday's and today's digests could both be due at once.
        raise ValueError("late_limit must be between 0 and 24 hours")
    due: list[DueDigest] = []
    skipped: list[SkippedDigest] = []
    for config in configs:
        if not config.enabled or config.channel_id is None:
            continue
        zone = ZoneInfo(config.timezone)
        yesterday, today = _candidate_dates(now, zone)
        for local_date in (yesterday, today):
            if (config.guild_id, local_date) in taken:
                continue
            at = scheduled_instant(local_date, config.post_time, zone)
            if at > now or at < config.active_since:
                continue
            missed_by = now - at
            if missed_by <= late_limit:
                due.append(DueDigest(config.guild_id, local_date, at, missed_by > on_time_grace))
            elif local_date == today:
                # Only today's miss is reported: yesterday's was reported yesterday, or the
                # bot was down across two days and one skip line says enough.
                skipped.append(SkippedDigest(config.guild_id, local_date, at, missed_by))
    return ScheduleDecision(tuple(due), tuple(skipped))


def digest_window(
    scheduled_at: datetime, length: timedelta = timedelta(days=1)
) -> tuple[datetime, datetime]:
    """The span a digest covers: the ``length`` before its scheduled instant."""
    return scheduled_at - length, scheduled_at
