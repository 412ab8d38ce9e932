"""Per-device rate limits and quotas (pure logic, clock passed in)."""

from __future__ import annotations

from cloud.config import DeviceLimits, LimitSettings
from cloud.limits import DeviceLimiter


def test_rate_limit_allows_a_burst_then_the_sustained_rate() -> None:
    lim = DeviceLimiter(LimitSettings(default=DeviceLimits(rate_per_s=2, burst=3)))
    assert [lim.admit("a", now=0.0) for _ in range(3)] == [None, None, None]
    refused = lim.admit("a", now=0.0)
    assert refused is not None and refused.startswith("rate limited") and "retry in 0.5 s" in refused
    assert lim.admit("b", now=0.0) is None, "devices have separate buckets"
    assert lim.admit("a", now=0.5) is None  # one token refilled
    assert lim.admit("a", now=0.5) is not None


def test_quotas_on_tasks_and_tokens_reset_with_the_window() -> None:
    settings = LimitSettings(devices={"small": DeviceLimits(quota_tasks=2, quota_window_s=60),
                                      "tokens": DeviceLimits(quota_tokens=100, quota_window_s=60)})
    lim = DeviceLimiter(settings)
    assert lim.admit("small", now=0) is None and lim.admit("small", now=1) is None
    assert "2/2 tasks" in (lim.admit("small", now=2) or "")
    assert lim.admit("small", now=60) is None, "a new window"
    assert lim.admit("tokens", now=0) is None
    lim.spend("tokens", 120)
    assert "120/100 tokens" in (lim.admit("tokens", now=1) or "")
    assert lim.admit("anyone", now=0) is None, "no default limits"


def test_no_limits_configured_is_inactive() -> None:
    assert not DeviceLimiter(LimitSettings()).active
    assert DeviceLimiter(LimitSettings(devices={"x": DeviceLimits(quota_tasks=1)})).active
