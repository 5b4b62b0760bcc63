"""The digest scheduler: local times in several zones, DST days, restarts and the late limit."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.schedule import (
    DigestConfig,
    ScheduleError,
    due_digests,
    matching_timezones,
    parse_post_time,
    parse_timezone,
    scheduled_instant,
    timezone_names,
)

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
PARIS, TOKYO, NEW_YORK = 1, 2, 3


def config(
    guild_id: int,
    zone: str,
    at: time = time(9, 0),
    *,
    enabled: bool = True,
    channel_id: int | None = 100,
    active_since: datetime = LONG_AGO,
) -> DigestConfig:
    return DigestConfig(guild_id, channel_id, at, zone, enabled, active_since)


THREE = [
    config(PARIS, "Europe/Paris"),
    config(TOKYO, "Asia/Tokyo"),
    config(NEW_YORK, "America/New_York"),
]


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def due_guilds(configs: list[DigestConfig], taken: set, now: datetime) -> set[int]:
    return {d.guild_id for d in due_digests(configs, taken, now).due}


# --- three servers in three timezones ---------------------------------------------------------


def simulate(
    configs: list[DigestConfig], start: datetime, end: datetime, step: timedelta
) -> list[tuple[int, date, datetime, bool]]:
    """Tick like the loop does, marking each due slot taken; return what was posted when."""
    taken: set[tuple[int, date]] = set()
    posted = []
    now = start
    while now <= end:
        for due in due_digests(configs, taken, now).due:
            taken.add((due.guild_id, due.local_date))
            posted.append((due.guild_id, due.local_date, now, due.late))
        now += step
    return posted


def test_each_server_is_due_at_its_own_local_time() -> None:
    # 2026-06-15: Tokyo UTC+9 (09:00 = 00:00 UTC), Paris UTC+2 (07:00 UTC), NY UTC-4 (13:00).
    assert due_guilds(THREE, set(), utc(2026, 6, 14, 23, 59)) == set()
    assert due_guilds(THREE, set(), utc(2026, 6, 15, 0, 0)) == {TOKYO}
    assert due_guilds(THREE, set(), utc(2026, 6, 15, 5, 59)) == {TOKYO}
    assert due_guilds(THREE, set(), utc(2026, 6, 15, 7, 0)) == {PARIS}  # Tokyo: past 6 h
    posted = simulate(THREE, utc(2026, 6, 14, 23, 0), utc(2026, 6, 16, 23, 0), timedelta(minutes=1))
    assert [(g, d.isoformat(), at.strftime("%d %H:%M"), late) for g, d, at, late in posted] == [
        (TOKYO, "2026-06-15", "15 00:00", False),
        (PARIS, "2026-06-15", "15 07:00", False),
        (NEW_YORK, "2026-06-15", "15 13:00", False),
        (TOKYO, "2026-06-16", "16 00:00", False),
        (PARIS, "2026-06-16", "16 07:00", False),
        (NEW_YORK, "2026-06-16", "16 13:00", False),
    ]


def test_a_whole_year_posts_exactly_once_per_local_day_in_each_zone() -> None:
    configs = [*THREE, config(4, "Australia/Lord_Howe", time(2, 15))]
    start, end = utc(2026, 1, 1, 0, 0), utc(2026, 12, 31, 0, 0)
    posted = simulate(configs, start, end, timedelta(minutes=15))
    for guild in (PARIS, TOKYO, NEW_YORK, 4):
        days = [d for g, d, _, _ in posted if g == guild]
        assert len(days) == len(set(days))
        assert len(days) >= 363
    assert not any(late for *_, late in posted)


def test_a_taken_slot_is_never_due_again_that_local_day() -> None:
    now = utc(2026, 6, 15, 13, 0)
    decision = due_digests(THREE, set(), now)
    taken = {(d.guild_id, d.local_date) for d in decision.due}
    assert {d.local_date for d in decision.due} == {date(2026, 6, 15)}
    for later in (now, now + timedelta(hours=3), utc(2026, 6, 15, 23, 59)):
        assert due_guilds(THREE, taken, later) == set()
    # Tokyo's next local day starts at 15:00 UTC; its 09:00 is at 00:00 UTC on the 16th.
    assert due_guilds(THREE, taken, utc(2026, 6, 16, 0, 0)) == {TOKYO}


def test_on_time_digests_are_not_late() -> None:
    decision = due_digests(THREE, set(), utc(2026, 6, 15, 7, 2))
    assert {(d.guild_id, d.late) for d in decision.due} == {(PARIS, False)}
    assert due_digests(THREE, set(), utc(2026, 6, 15, 7, 6)).due[0].late
    paris = decision.due[0]
    assert paris.scheduled_at == utc(2026, 6, 15, 7, 0)
    assert paris.local_date == date(2026, 6, 15)


def test_disabled_or_channel_less_servers_are_never_due() -> None:
    configs = [config(1, "UTC", enabled=False), config(2, "UTC", channel_id=None)]
    assert due_digests(configs, set(), utc(2026, 6, 15, 9, 0)).due == ()


# --- daylight saving ---------------------------------------------------------------------------


def test_spring_forward_gap_posts_at_the_first_valid_instant_after() -> None:
    # New York, 2026-03-08: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist.
    zone = ZoneInfo("America/New_York")
    at = scheduled_instant(date(2026, 3, 8), time(2, 30), zone)
    assert at == utc(2026, 3, 8, 7, 0)
    assert at.astimezone(zone).replace(tzinfo=None) == datetime(2026, 3, 8, 3, 0)
    configs = [config(NEW_YORK, "America/New_York", time(2, 30))]
    assert due_guilds(configs, set(), utc(2026, 3, 8, 6, 59, 59)) == set()
    decision = due_digests(configs, set(), utc(2026, 3, 8, 7, 0))
    assert [(d.local_date, d.late) for d in decision.due] == [(date(2026, 3, 8), False)]


def test_spring_forward_in_europe() -> None:
    # Paris, 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00 UTC).
    at = scheduled_instant(date(2026, 3, 29), time(2, 15), ZoneInfo("Europe/Paris"))
    assert at == utc(2026, 3, 29, 1, 0)


def test_fall_back_ambiguous_time_posts_once_at_its_first_occurrence() -> None:
    # New York, 2026-11-01: 02:00 EDT falls back to 01:00 EST; 01:30 happens twice.
    zone = ZoneInfo("America/New_York")
    first = scheduled_instant(date(2026, 11, 1), time(1, 30), zone)
    assert first == utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    configs = [config(NEW_YORK, "America/New_York", time(1, 30))]
    decision = due_digests(configs, set(), first)
    assert [d.local_date for d in decision.due] == [date(2026, 11, 1)]
    taken = {(NEW_YORK, date(2026, 11, 1))}
    second_occurrence = utc(2026, 11, 1, 6, 30)  # 01:30 EST
    assert due_digests(configs, taken, second_occurrence).due == ()


def test_posting_times_around_a_dst_change_stay_at_local_time() -> None:
    zone = ZoneInfo("Europe/Paris")
    before = scheduled_instant(date(2026, 10, 24), time(9, 0), zone)
    after = scheduled_instant(date(2026, 10, 25), time(9, 0), zone)
    assert before == utc(2026, 10, 24, 7, 0)
    assert after == utc(2026, 10, 25, 8, 0)
    assert after - before == timedelta(hours=25)


@given(
    day=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    zone=st.sampled_from(
        ["America/New_York", "Europe/Paris", "Australia/Lord_Howe", "Asia/Tokyo", "UTC"]
    ),
)
def test_scheduled_instant_is_on_its_local_date_and_never_before_its_wall_time(
    day: date, hour: int, minute: int, zone: str
) -> None:
    tz = ZoneInfo(zone)
    at = scheduled_instant(day, time(hour, minute), tz)
    wall = at.astimezone(tz).replace(tzinfo=None)
    assert wall.date() == day
    assert wall >= datetime.combine(day, time(hour, minute))
    # Only a DST gap moves it, and never by more than the gap (at most an hour here).
    assert wall - datetime.combine(day, time(hour, minute)) <= timedelta(hours=1)


# --- restarts and the late limit --------------------------------------------------------------


def test_restart_just_before_the_time_posts_on_time() -> None:
    configs = [config(PARIS, "Europe/Paris")]
    assert due_digests(configs, set(), utc(2026, 6, 15, 6, 59)).due == ()
    decision = due_digests(configs, set(), utc(2026, 6, 15, 7, 0, 30))
    assert [(d.guild_id, d.late) for d in decision.due] == [(PARIS, False)]


def test_restart_just_after_a_posted_digest_does_not_post_again() -> None:
    configs = [config(PARIS, "Europe/Paris")]
    taken = {(PARIS, date(2026, 6, 15))}
    assert due_digests(configs, taken, utc(2026, 6, 15, 7, 1)).due == ()


def test_missed_digest_is_posted_late_within_the_limit() -> None:
    configs = [config(PARIS, "Europe/Paris")]
    decision = due_digests(configs, set(), utc(2026, 6, 15, 12, 59))
    assert [(d.local_date, d.late) for d in decision.due] == [(date(2026, 6, 15), True)]
    assert decision.skipped == ()


def test_missed_digest_past_the_limit_is_skipped_not_posted() -> None:
    configs = [config(PARIS, "Europe/Paris")]
    decision = due_digests(configs, set(), utc(2026, 6, 15, 13, 1))
    assert decision.due == ()
    assert [(s.guild_id, s.local_date) for s in decision.skipped] == [(PARIS, date(2026, 6, 15))]
    assert decision.skipped[0].missed_by == timedelta(hours=6, minutes=1)
    # A custom limit moves the line.
    longer = due_digests(configs, set(), utc(2026, 6, 15, 13, 1), late_limit=timedelta(hours=8))
    assert [d.late for d in longer.due] == [True]


def test_yesterdays_missed_digest_is_late_just_after_local_midnight() -> None:
    configs = [config(TOKYO, "Asia/Tokyo", time(22, 0))]
    # 22:00 JST on the 15th is 13:00 UTC; at 01:00 JST on the 16th it is 3 hours late.
    decision = due_digests(configs, set(), utc(2026, 6, 15, 16, 0))
    assert [(d.local_date, d.late) for d in decision.due] == [(date(2026, 6, 15), True)]


def test_slots_before_the_digest_was_set_up_are_not_missed() -> None:
    configs = [config(PARIS, "Europe/Paris", active_since=utc(2026, 6, 15, 8, 0))]
    decision = due_digests(configs, set(), utc(2026, 6, 15, 8, 5))
    assert decision.due == ()
    assert decision.skipped == ()
    assert due_guilds(configs, set(), utc(2026, 6, 16, 7, 0)) == {PARIS}


def test_naive_clock_and_oversized_late_limit_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        due_digests(THREE, set(), datetime(2026, 6, 15, 9, 0))
    with pytest.raises(ValueError, match="late_limit"):
        due_digests(THREE, set(), utc(2026, 6, 15), late_limit=timedelta(days=1))


# --- parsing what moderators type --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00", time(9, 0)),
        ("9:05", time(9, 5)),
        (" 23:59 ", time(23, 59)),
        ("18.30", time(18, 30)),
    ],
)
def test_post_times_parse(text: str, expected: time) -> None:
    assert parse_post_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "9", "09:60", "nine", "", "9:5", "-1:00", "09:00:00"])
def test_bad_post_times_are_refused(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_post_time(text)


def test_timezones_parse_only_known_names() -> None:
    assert parse_timezone("Europe/Paris").key == "Europe/Paris"
    for bad in ["Mars/Olympus", "../../etc/passwd", "", "europe/paris"]:
        with pytest.raises(ScheduleError):
            parse_timezone(bad)


def test_timezone_autocomplete_prefers_prefixes_and_stays_within_25() -> None:
    assert len(timezone_names()) > 300
    assert matching_timezones("Europe/Pa", 25) == ["Europe/Paris"]
    assert matching_timezones("new york", 25)[0] == "America/New_York"
    assert matching_timezones("tokyo", 25) == ["Asia/Tokyo"]
    assert len(matching_timezones("", 25)) == 25
    assert len(matching_timezones("a", 25)) == 25
    assert matching_timezones("zzzz", 25) == []
