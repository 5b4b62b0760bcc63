"""Renderers of fact-check answers: every message they build fits Discord's limits."""

from __future__ import annotations

from datetime import date
from typing import Any

import discord
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.models import FactCheck, FollowUp, Section, Source
from bot.discord_ui import custom_ids, embeds, limits, strings, views


def make_fact_check(**overrides: Any) -> FactCheck:
    fields: dict[str, Any] = {
        "id": "us-aid-to-cartels",
        "question": "Did the US help the cartels in Mexico in any way?",
        "checked_on": date(2025, 11, 11),
        "updated_on": date(2025, 11, 20),
        "verdict": "Partly true",
        "summary": "A short summary citing [1] and [2].",
        "sections": (Section(heading="Fast and Furious", body="Guns walked [1]."),),
        "sources": (
            Source(number=1, title="A report", publisher="Agency", url="https://example.org/1"),
            Source(number=2, title="A book without a link", published=date(2012, 10, 4)),
        ),
        "follow_ups": (
            FollowUp(question="How did drug policy shape cartel power?", claim="drug-policy"),
            FollowUp(question="What happened in the Fast and Furious operation?"),
        ),
    }
    fields.update(overrides)
    return FactCheck(**fields)


def huge_fact_check(text: str = "") -> FactCheck:
    """A 10,000-character summary, 40 sources with long titles, long sections and follow-ups."""
    sentence = (text or "This sentence is part of a very long executive summary") + " [1]. "
    summary = (sentence * (10_000 // len(sentence) + 1))[:10_000]
    sources = tuple(
        Source(
            number=n,
            title=f"Source {n}: " + "a rather long report title " * 8,
            publisher="A publisher with a long name " * 2,
            published=date(2020, 1, 1),
            url=f"https://example.org/reports/{n}/" + "x" * 120,
        )
        for n in range(1, 41)
    )
    sections = tuple(
        Section(heading=f"Section heading {i} " * 20, body="Body text [2]. " * 700)
        for i in range(12)
    )
    follow_ups = tuple(FollowUp(question=f"Follow-up question number {i} " * 10) for i in range(30))
    return make_fact_check(
        question="Q" * 400,
        summary=summary,
        sources=sources,
        sections=sections,
        follow_ups=follow_ups,
    )


def assert_message_fits(embed_list: list[discord.Embed], specs: list[views.ButtonSpec]) -> None:
    assert limits.message_embed_problems([e.to_dict() for e in embed_list]) == []
    assert len(specs) <= limits.ACTION_ROWS * limits.BUTTONS_PER_ROW
    ids = [s.custom_id for s in specs]
    assert len(ids) == len(set(ids)), "custom_ids must be unique within a message"
    for spec in specs:
        assert 1 <= len(spec.label) <= limits.BUTTON_LABEL
        assert limits.fits_custom_id(spec.custom_id)
        owners = [n for n, t in custom_ids.TEMPLATES.items() if t.fullmatch(spec.custom_id)]
        assert len(owners) == 1, (spec.custom_id, owners)
    rows: dict[int | None, int] = {}
    for spec in specs:
        rows[spec.row] = rows.get(spec.row, 0) + 1
    assert all(count <= limits.BUTTONS_PER_ROW for row, count in rows.items() if row is not None)
    # The view discord.py builds from the specs must lay out too (it raises otherwise).
    views.build_view(specs)


def test_answer_shows_question_verdict_date_sources_and_disclaimer() -> None:
    fc = make_fact_check()
    embed = embeds.answer_embed(fc)
    assert embed.title == fc.question
    assert embed.description is not None
    assert embed.description.startswith("**Verdict:** Partly true")
    assert fc.summary in embed.description
    fields = {f.name: f.value for f in embed.fields}
    assert fields[strings.CHECKED_ON_FIELD] == "2025-11-11 (updated 2025-11-20)"
    assert fields[strings.SOURCES_FIELD] == (
        "**[1]** [A report](https://example.org/1) - Agency\n"
        "**[2]** A book without a link - 2012-10-04"
    )
    assert embed.footer.text is not None
    assert "verify important information" in embed.footer.text.lower()


def test_answer_buttons_open_follow_ups_sources_and_analysis() -> None:
    fc = make_fact_check()
    specs = views.answer_buttons(fc)
    assert [(s.label, s.custom_id) for s in specs] == [
        ("Sources", "fd:src:us-aid-to-cartels:0:n"),
        ("Full analysis", "fd:full:us-aid-to-cartels:0:n"),
        ("How did drug policy shape cartel power?", "fd:fu:us-aid-to-cartels:0"),
        ("What happened in the Fast and Furious operation?", "fd:fu:us-aid-to-cartels:1"),
    ]
    assert_message_fits([embeds.answer_embed(fc)], specs)


KEY = b"k" * 32


def post_id(fc: FactCheck, message_id: int = 112233445566778899) -> str:
    return custom_ids.post_id(KEY, 42, message_id, fc.id)


def test_post_button_carries_the_message_id_signed_for_the_member() -> None:
    fc = make_fact_check()
    specs = views.answer_buttons(fc, post_id=post_id(fc))
    (posted,) = [s.custom_id for s in specs if s.custom_id.startswith("fd:post:")]
    assert posted.startswith("fd:post:112233445566778899:us-aid-to-cartels:")
    match = custom_ids.POST.fullmatch(posted)
    assert match is not None
    signature = match["signature"]
    assert custom_ids.post_allowed(KEY, 42, 112233445566778899, fc.id, signature)
    assert not custom_ids.post_allowed(KEY, 43, 112233445566778899, fc.id, signature)
    assert not custom_ids.post_allowed(KEY, 42, 112233445566778898, fc.id, signature)


def test_answer_in_a_server_ends_with_flag_as_disputed_after_the_follow_ups() -> None:
    fc = make_fact_check()
    specs = views.answer_buttons(fc, flag=True)
    assert (specs[-1].label, specs[-1].custom_id) == (
        strings.MOD_FLAG_BUTTON,
        "fd:flag:us-aid-to-cartels",
    )
    assert specs[-1].row == 2
    assert_message_fits([embeds.answer_embed(fc)], specs)


def test_post_button_is_left_out_when_the_claim_id_leaves_no_room() -> None:
    fc = make_fact_check(id="x" * 80)
    specs = views.answer_buttons(fc, post_id=post_id(fc))
    assert not any(s.custom_id.startswith("fd:post:") for s in specs)
    assert_message_fits([embeds.answer_embed(fc)], specs)


def test_huge_entry_fits_every_limit() -> None:
    fc = huge_fact_check()
    answer = embeds.answer_embed(fc)
    assert answer.description is not None
    assert answer.description.endswith(strings.SUMMARY_CONTINUES)
    assert "press Sources" in answer.fields[1].value
    assert_message_fits([answer], views.answer_buttons(fc, post_id=post_id(fc, 1 << 62), flag=True))

    for pages, make_id in (
        (embeds.source_pages(fc), custom_ids.sources_id),
        (embeds.analysis_pages(fc), custom_ids.analysis_id),
    ):
        assert len(pages) > 1
        for number in range(len(pages)):
            assert_message_fits(
                [embeds.page_embed(pages, number)],
                views.page_buttons(make_id, fc.id, number, len(pages)),
            )


def test_every_source_appears_on_some_page() -> None:
    fc = huge_fact_check()
    text = "\n".join(page.body for page in embeds.source_pages(fc))
    assert all(f"**[{n}]**" in text for n in range(1, 41))


def test_analysis_pages_hold_the_whole_summary_and_numbered_sections() -> None:
    fc = huge_fact_check()
    pages = embeds.analysis_pages(fc)
    summary_text = " ".join(p.body for p in pages if p.title.startswith("Summary"))
    assert summary_text.split() == fc.summary.split()
    titles = [p.title for p in pages]
    assert any(t.startswith("1. Section heading 0") for t in titles)
    assert any(t.startswith("12. Section heading 11") for t in titles)


def test_page_buttons_step_between_pages() -> None:
    specs = views.page_buttons(custom_ids.analysis_id, "c", 0, 3)
    assert [(s.custom_id, s.disabled) for s in specs] == [
        ("fd:full:c:0:e", True),
        ("fd:full:c:1:e", False),
    ]
    specs = views.page_buttons(custom_ids.analysis_id, "c", 2, 3)
    assert [(s.custom_id, s.disabled) for s in specs] == [
        ("fd:full:c:1:e", False),
        ("fd:full:c:2:e", True),
    ]
    assert views.page_buttons(custom_ids.analysis_id, "c", 0, 1) == []


def test_everyone_in_a_claim_is_neutralised_everywhere() -> None:
    fc = make_fact_check(
        question="@everyone is this true?",
        summary="Ping @here and <@&123456789012345678> [1].",
        follow_ups=(FollowUp(question="@everyone again?"),),
    )
    rendered = str(embeds.answer_embed(fc).to_dict()) + "".join(
        p.title + p.body for p in embeds.analysis_pages(fc)
    )
    assert "@everyone" not in rendered
    assert "@here" not in rendered
    assert "<@&1" not in rendered


def test_no_match_lists_nearest_with_similarity_and_a_request_button() -> None:
    embed = embeds.no_match_embed(
        "Is the moon made of cheese?", [("Is the moon hollow?", 0.62), ("Moon landing?", 41.0)]
    )
    assert embed.title == strings.NO_MATCH_TITLE
    assert "> Is the moon made of cheese?" in (embed.description or "")
    assert (
        embed.fields[0].value
        == "1. Is the moon hollow? (62% similar)\n2. Moon landing? (41% similar)"
    )
    specs = views.no_match_buttons([("moon-hollow", "Is the moon hollow?")], 77)
    assert [s.custom_id for s in specs] == ["fd:open:moon-hollow", "fd:rq:77"]
    # A question that could not be recorded gets no Request button (it would not know it).
    assert [s.custom_id for s in views.no_match_buttons([], None)] == []


text_strategy = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=3000
).filter(lambda t: t.strip())


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(question=text_strategy, summary=text_strategy, follow_up=text_strategy)
def test_arbitrary_text_always_fits(question: str, summary: str, follow_up: str) -> None:
    fc = make_fact_check(
        question=question,
        summary=summary.replace("[", "("),
        sections=(Section(heading=question, body=summary.replace("[", "(")),),
        follow_ups=(FollowUp(question=follow_up),) * 3,
    )
    assert_message_fits(
        [embeds.answer_embed(fc)], views.answer_buttons(fc, post_id=post_id(fc, 7), flag=True)
    )
    for pages in (embeds.analysis_pages(fc), embeds.source_pages(fc)):
        for number in range(len(pages)):
            assert_message_fits([embeds.page_embed(pages, number)], [])
    no_match = embeds.no_match_embed(question, [(question, 0.5)] * 3)
    assert_message_fits(
        [no_match], views.no_match_buttons([("a", question), ("b", question)], 1 << 62)
    )
