"""The shared layer's contracts: custom_ids in one module that never overlap, cogs that never
import each other, member text that renders as text, and the Post-in-channel limiter."""

from __future__ import annotations

import ast
import re

import pytest

from bot.discord_ui import custom_ids, limits
from bot.paths import PROJECT_ROOT
from cogs.factcheck import PostLimiter

COGS = PROJECT_ROOT / "cogs"
LONG_CLAIM = "a" + "b-" * 39 + "c"  # 80 characters, the longest claim id
BIG = custom_ids.SNOWFLAKE_MAX
KEY = b"k" * 32

# Every builder, with the longest values its fields can take.
BUILT = {
    "open": [custom_ids.open_id(LONG_CLAIM), "fd:dg:" + LONG_CLAIM],
    "follow_up": [custom_ids.follow_up_id(LONG_CLAIM, 19)],
    "page": [
        custom_ids.sources_id(LONG_CLAIM, 9999, "e"),
        custom_ids.analysis_id(LONG_CLAIM, 0),
    ],
    "request_asked": [custom_ids.request_asked_id(BIG), "fd:req:ask"],
    "request_follow_up": [custom_ids.request_follow_up_id(LONG_CLAIM, 19)],
    "post": [custom_ids.post_id(KEY, BIG, BIG, "moon-cheese")],
    "flag": [custom_ids.flag_id(LONG_CLAIM)],
    "mod": [custom_ids.mod_id(action, BIG) for action in ("up", "dis", "close")],
    "flag_form": [
        custom_ids.flag_form_id(LONG_CLAIM, BIG),
        custom_ids.flag_form_id("moon", BIG),
        custom_ids.flag_form_id("moon", None),
    ],
    "note_form": [custom_ids.note_form_id("close", BIG)],
    "legacy_form": ["fd:flag:form:1577928053848277029", "fd:mod:form:1577928053848277029"],
    "vote": [custom_ids.vote_id(LONG_CLAIM, True), custom_ids.vote_id(LONG_CLAIM, False)],
    "vote_why": [custom_ids.vote_why_id(LONG_CLAIM)],
    "vote_form": [custom_ids.vote_form_id(LONG_CLAIM)],
}


def owners(custom_id: str) -> list[str]:
    return [name for name, t in custom_ids.TEMPLATES.items() if t.fullmatch(custom_id)]


def test_every_template_has_built_examples() -> None:
    assert set(BUILT) == set(custom_ids.TEMPLATES)


@pytest.mark.parametrize(("kind", "built"), [(k, i) for k, ids in BUILT.items() for i in ids])
def test_each_built_id_fits_and_is_owned_by_exactly_its_template(kind: str, built: str) -> None:
    assert len(built) <= limits.CUSTOM_ID, built
    assert owners(built) == [kind]


@pytest.mark.parametrize(
    "tricky",
    [
        "fd:req:ask:5",  # "ask" is a valid claim id: must not be both kinds
        "fd:flag:form:123",
        "fd:flag:form",
        "fd:mod:form:up:1",
        "fd:mod:up:1",
        "fd:hv:form:y",
        "fd:hvw:y",
    ],
)
def test_ids_near_two_templates_are_owned_by_at_most_one(tricky: str) -> None:
    assert len(owners(tricky)) <= 1, (tricky, owners(tricky))


def test_a_long_claim_id_drops_the_flag_forms_message_rather_than_overflowing() -> None:
    built = custom_ids.flag_form_id(LONG_CLAIM, BIG)
    assert built.endswith(":0")
    match = custom_ids.FLAG_FORM.fullmatch(built)
    assert match is not None
    assert custom_ids.snowflake(match["message"]) is None


def test_snowflakes_out_of_range_parse_to_none() -> None:
    assert custom_ids.snowflake(str(BIG)) == BIG
    assert custom_ids.snowflake(str(BIG + 1)) is None
    assert custom_ids.snowflake("0") is None
    assert custom_ids.snowflake(None) is None


def test_no_cog_imports_another_cog() -> None:
    """Shared pieces are services in bot/, not cogs (house style: seams between cogs)."""
    found: list[str] = []
    for path in sorted(COGS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            found += [f"{path.name}: {n}" for n in names if n == "cogs" or n.startswith("cogs.")]
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "get_cog":
                args = [a.value for a in node.args if isinstance(a, ast.Constant)]
                found += [f"{path.name}: get_cog({a!r})" for a in args]
    assert found == []
    assert len(list(COGS.glob("*.py"))) >= 5  # the walk saw the cogs


def test_the_biggest_cog_stays_under_600_lines() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in COGS.glob("*.py")}
    assert max(sizes.values()) < 600, sizes


def test_handlers_do_not_wrap_themselves() -> None:
    """The tree and the item/form bases own an interaction's life (bot/interactions.py)."""
    pattern = re.compile(r"interaction_scope|report_error\(")
    offenders = [p.name for p in COGS.glob("*.py") if pattern.search(p.read_text("utf-8"))]
    assert offenders == []


@pytest.mark.parametrize(
    ("written", "must_not_contain", "must_contain"),
    [
        (
            "[Claim your free Nitro here](https://evil.example/login)",
            "[Claim your free Nitro here](",
            "\\[Claim your free Nitro here\\]",
        ),
        ("# Heading", None, "\\# Heading"),
        ("```open code block", "```", "\\`\\`\\`"),
        ("**bold** __under__ ~~gone~~ ||spoiler||", "**bold**", "\\*\\*bold\\*\\*"),
        ("1. a list", None, "1\\. a list"),
        ("> quoted", None, "\\> quoted"),
        ("@everyone <@123456789012345678>", "@everyone", "@\u200beveryone"),
    ],
)
def test_member_text_renders_as_the_text_written(
    written: str, must_not_contain: str | None, must_contain: str
) -> None:
    shown = limits.member_text(written, 200)
    if must_not_contain is not None:
        assert must_not_contain not in shown
    assert must_contain in shown
    assert "\n" not in limits.member_text("two\nlines", 200)
    assert len(limits.member_text("x" * 500, 100)) <= 100


def test_the_post_limiter_allows_one_post_per_cooldown_per_member_and_server() -> None:
    limiter = PostLimiter(cooldown=30)
    assert limiter.retry_after(1, 7, now=100.0) == 0
    assert limiter.retry_after(1, 7, now=110.0) == pytest.approx(20)
    assert limiter.retry_after(1, 8, now=110.0) == 0  # another member
    assert limiter.retry_after(2, 7, now=110.0) == 0  # another server
    assert limiter.retry_after(1, 7, now=130.5) == 0


def test_the_core_modules_are_not_in_the_cogs_package() -> None:
    # bot/modlog.py and bot/review.py are services that cogs call; they import no cog.
    for name in ("modlog.py", "review.py", "interactions.py", "checks.py"):
        text = (PROJECT_ROOT / "bot" / name).read_text(encoding="utf-8")
        assert "from cogs" not in text
        assert "import cogs" not in text
