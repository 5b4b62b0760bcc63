"""The README's two set-up commands stay true: CI runs the test command verbatim."""

from __future__ import annotations

import re

import pytest

from bot.paths import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
CI_SCRIPT = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _shell_blocks() -> list[str]:
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", README, flags=re.S)]


def test_quick_start_has_a_main_job_command_and_a_test_command() -> None:
    blocks = _shell_blocks()
    assert len(blocks) >= 2, "the README's quick start must show two shell commands"
    main_job, test_command = blocks[0], blocks[1]
    assert "factdesk ask" in main_job
    assert "pytest" in test_command


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_command = _shell_blocks()[1]
    ci_lines = [line.strip() for line in CI_SCRIPT.splitlines()]
    assert test_command in ci_lines, f"{test_command!r} is not a line of .ci/run"


def test_ci_does_not_mask_failures() -> None:
    assert "set -euo pipefail" in CI_SCRIPT
    assert "|| true" not in CI_SCRIPT


def test_the_sample_answer_is_what_factdesk_ask_prints(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    sample = re.search(r"```text\n\$ \.venv/bin/factdesk ask \"(.*?)\"\n(.*?)```", README, re.S)
    assert sample, "the README shows a sample `factdesk ask` answer"
    question, shown = sample.group(1), sample.group(2)
    assert main(["ask", question]) == 0
    printed = capsys.readouterr().out.splitlines()
    # Every line shown (elisions aside) is printed, in the same order.
    position = 0
    for line in shown.splitlines():
        if line.strip() in ("", "[...]") or line.endswith("[...]"):
            continue
        assert line in printed[position:], f"README line not printed (in order): {line!r}"
        position = printed.index(line, position) + 1
