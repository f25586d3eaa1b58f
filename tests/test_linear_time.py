"""The JS tokenizer and the secret scanner stay linear on pathological lines.

No absolute timing of normal input: each case is a line that was quadratic (48 KB of `(/[`
took 14 s, 32k spaces before `#` 3.3 s) and must now finish far under a generous bound, and
doubling the input four times must cost about 16x, not 256x (measured in the same test).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgespark_tasks.checks.credentials import looks_like_credential, real_credential
from edgespark_tasks.checks.jstokens import tokenize
from edgespark_tasks.checks.secret_scan import assignment_lines, token_lines

BOUND_S = 2.0  # generous on 2 busy cores; the quadratic versions took 3-14 s
UNITS = ["(/[", "/[", '"\\', "'\\", "`${", "eyJ-", " ", "#", "a=/", "sk-", "-----BEGIN ",
         "[", "\\", "x = ", "'", '"', "/*[", "${`", "=/", "eyJa.", "AKIA"]


def _scan_everything(text: str) -> None:
    tokenize(text)
    token_lines(text)
    assignment_lines(text)
    assignment_lines(text, real_credential)
    looks_like_credential(text, "API_KEY")


def _seconds(fn: Callable[[str], object], text: str, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("text", [
    "(/[" * 16_000,  # 48 KB: the regex-literal scan restarted at every `/`
    "x: a" + " " * 32_000 + "#",  # the old `NAME = value` pattern backtracked per space
    " " * 32_000 + "#",
    '"\\' * 24_000,  # an unterminated string restarted at every quote
    "eyJ-" * 12_000,  # JWT-shaped starts inside one long word
    "-----BEGIN " + "A " * 20_000,
])
def test_known_pathological_lines_finish_quickly(text: str) -> None:
    assert _seconds(_scan_everything, text) < BOUND_S


@pytest.mark.parametrize("unit", ["(/[", '"\\', "eyJ-", "a" + " " * 7 + "#"])
def test_cost_grows_linearly(unit: str) -> None:
    small = unit * (4_096 // len(unit))
    large = small * 16
    t_small = _seconds(_scan_everything, small, repeat=3)
    t_large = _seconds(_scan_everything, large)
    # Linear: ~16x. Quadratic would be ~256x. Slack for a busy machine and tiny t_small.
    assert t_large < 64 * t_small + 0.25, (t_small, t_large)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(UNITS), min_size=1, max_size=4))
def test_any_repeated_mix_of_hard_pieces_is_fast(units: list[str]) -> None:
    unit = "".join(units)
    text = unit * (48_000 // len(unit) + 1)
    assert _seconds(_scan_everything, text) < BOUND_S
