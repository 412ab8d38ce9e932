"""The service core on the tiny model: replies, refusals, per-request vaults, stats, logs without PII."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from pathlib import Path

import pytest

from device.service import AskRequest, Backend, ServiceStats
from tests.device.service.support import tiny_service

PII = "Remind Anna Keller (anna.keller@example.com, +41 79 555 12 34) about Friday."


def test_answers_and_logs_no_request_text(tiny_model: Path, caplog: pytest.LogCaptureFixture) -> None:
    service = tiny_service(tiny_model)
    caplog.set_level(logging.DEBUG)

    async def go() -> None:
        _, reply = await service.handle_raw(AskRequest(text=PII, id="r-1").model_dump_json())
        assert reply.ok and reply.id == "r-1" and reply.route == "local" and reply.answer is not None
        assert reply.parts and "<PERSON_1>" in reply.parts[0]["redacted_text"]
        assert service.stats.last_route == "local" and service.stats.state == "idle"
        # each request is its own conversation: no value stays in the agent's vault
        assert len(service.backend.agent.vault) == 0

    asyncio.run(go())
    logged = "\n".join(r.getMessage() for r in caplog.records)
    # the client's id is logged as a keyed hash, never as sent (issue 16)
    assert re.search(r"answered req=1 id=#[0-9a-f]{8} route=local", logged) and "r-1" not in logged
    for value in ("Anna", "Keller", "anna.keller@example.com", "555 12 34", "Friday", "Remind"):
        assert value not in logged  # neither values nor any of the request's words


def test_bad_requests_get_an_error_reply_naming_fields_not_values(tiny_model: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    service = tiny_service(tiny_model)
    caplog.set_level(logging.DEBUG)

    async def go() -> None:
        _, r1 = await service.handle_raw(b"not json at all")
        _, r2 = await service.handle_raw(b'{"id": "x-2", "txt": "secret anna.keller@example.com"}')
        _, r3 = await service.handle_raw(b'{"text": "hi there", "force": "sideways", "id": "x-3"}')
        assert not r1.ok and r1.id is None
        assert not r2.ok and r2.id == "x-2" and "text" in (r2.error or "") and "txt" in (r2.error or "")
        assert "anna" not in (r2.error or "")
        assert not r3.ok and "force" in (r3.error or "")
        # nested 100k deep: one error reply, never an exception (RecursionError) and a caller left waiting
        _, r4 = await service.handle_raw(b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
        assert not r4.ok and r4.id is None and "invalid request" in (r4.error or "")

    asyncio.run(go())
    assert "anna" not in "\n".join(r.getMessage() for r in caplog.records)


def test_cloud_calls_today_start_over_on_a_new_day() -> None:
    stats = ServiceStats(day=dt.date(2026, 1, 1))
    stats.count_cloud(2, today=dt.date(2026, 1, 1))
    stats.count_cloud(1, today=dt.date(2026, 1, 1))
    assert stats.cloud_calls_today == 3
    stats.count_cloud(1, today=dt.date(2026, 1, 2))
    assert stats.cloud_calls_today == 1


def test_swap_waits_for_the_request_in_flight_and_closes_the_old_backend(tiny_model: Path) -> None:
    service = tiny_service(tiny_model)
    old = service.backend
    closed: list[Backend] = []

    class Closing(Backend):
        async def close(self) -> None:
            closed.append(self)

    service.backend = Closing(old.agent, profile="x86-dev")
    changes: list[str] = []
    service.listeners.append(lambda: changes.append(service.stats.state))

    async def go() -> None:
        ask = asyncio.create_task(service.ask(AskRequest(text="hello there, how are you")))
        await asyncio.sleep(0)  # the request holds the service first

        async def build() -> Backend:
            return Backend(old.agent, profile="raspberry-pi-4")

        await service.swap(build)
        assert ask.done()  # the swap waited for it
        assert service.backend.profile == "raspberry-pi-4" and len(closed) == 1

    asyncio.run(go())
    assert changes[:2] == ["answering", "idle"]
