"""The flood fault against a real service process (socket, MQTT and HTTP faces, real Mosquitto): every
request gets exactly one reply (answers, "busy", "rate limited", errors for hostile input), a probe from
another caller is answered within 2 s, and the service's memory stays flat."""

from __future__ import annotations

from pathlib import Path

from harness.chaos.flood import Flood, FloodReport
from tandem.broker import BrokerProcess


def test_a_flood_on_every_face_leaves_nothing_unanswered(tmp_path: Path, mosquitto: BrokerProcess) -> None:
    report = Flood(tmp_path / "flood", mosquitto.url, socket_requests=400, mqtt_requests=400, http_requests=120).run()
    assert report.unanswered_requests == 0 and report.answered_twice == 0, report
    assert report.sent == {"socket": 403, "mqtt": 403, "http": 120} and report.replies == report.sent, report
    kinds = report.outcomes
    assert kinds.get("ok", 0) > 0 and kinds.get("rate_limited", 0) > 0 and kinds.get("busy", 0) > 0, kinds
    assert kinds.get("error", 0) >= 6  # deep JSON, invalid UTF-8, garbage, bad reply_to: each told so
    assert kinds.get("http_429", 0) + kinds.get("http_503", 0) > 0  # refused over HTTP with its status codes
    assert report.probes > 0 and report.p99_probe_ms < 2000 and report.max_rss_growth_mb < 50
    assert report.ok


def test_the_report_fails_on_an_unanswered_request_or_a_slow_probe() -> None:
    good = FloodReport(probes=5, p99_probe_ms=100.0, max_rss_growth_mb=3.0)
    assert good.ok
    for change in ({"unanswered_requests": 1}, {"answered_twice": 1}, {"p99_probe_ms": 2500.0},
                   {"max_rss_growth_mb": 80.0}, {"probes": 0}):
        assert not FloodReport(**{**vars(good), **change}).ok
