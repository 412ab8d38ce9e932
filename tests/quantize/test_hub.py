"""Hub ids: parsed strictly, and with no reachable hub the build stops at once with the way forward."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from quantize import hub
from quantize.build import build_model
from quantize.errors import HubError, HubUnreachable, SourceError
from quantize.hub import HubId, parse_hub_id
from quantize.local_sources import resolve_source


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback endpoints are reached directly, whatever proxy the environment names."""
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once the socket is closed


@pytest.fixture
def answering_endpoint() -> Iterator[str]:
    """A loopback HTTP server that answers every request with 404: an endpoint that is up."""

    class NotFound(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _fake_checkpoint(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text(json.dumps({"model_type": "llama"}))
    (path / "tokenizer.json").write_text("{}")
    (path / "model.safetensors").write_bytes(b"\x00" * 64)


def test_hub_id_parsing() -> None:
    got = parse_hub_id("hf:Qwen/Qwen2.5-Coder-0.5B-Instruct@v1.0")
    assert got == HubId("Qwen", "Qwen2.5-Coder-0.5B-Instruct", "v1.0")
    assert got.repo_id == "Qwen/Qwen2.5-Coder-0.5B-Instruct"
    assert str(got) == "hf:Qwen/Qwen2.5-Coder-0.5B-Instruct@v1.0"
    assert parse_hub_id("hf:org/name").revision == "main"
    assert parse_hub_id("hf:org/name@refs/pr/3").cache_dirname == "org--name@refs--pr--3"
    assert not hub.is_hub_id("org/name")  # a bare ORG/NAME is a path
    for bad in ("hf:name", "hf:a/b/c", "hf:/x", "hf:org/name@", "hf:org/na me", "org/name"):
        with pytest.raises(HubError, match="hf:ORG/NAME"):
            parse_hub_id(bad)


def test_closed_endpoint_fails_fast_with_the_way_forward(
    closed_port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port}")
    with pytest.raises(HubUnreachable) as info:
        build_model("hf:SomeOrg/Tiny-Model@v2", tmp_path, progress=False)
    message = str(info.value)
    # the refused connection itself is the reason: the probe did not sit out its timeout
    assert "Connection refused" in message and "did not answer within" not in message
    assert message.startswith("no model hub is reachable from this machine")
    assert f"127.0.0.1:{closed_port}" in message
    assert "huggingface-cli download SomeOrg/Tiny-Model --revision v2 --local-dir Tiny-Model" in message
    assert "tandem model build ./Tiny-Model" in message
    assert isinstance(info.value, SourceError)
    assert not any(tmp_path.iterdir())  # nothing downloaded, nothing built


def test_offline_flag_fails_without_probing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(hub, "_probe", lambda *a: pytest.fail("probed the endpoint although offline"))
    with pytest.raises(HubUnreachable, match=r"\(HF_HUB_OFFLINE is set\).*huggingface-cli download org/m "):
        build_model("hf:org/m", tmp_path, progress=False)


def test_a_complete_earlier_download_is_used_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    snapshot = tmp_path / hub.HUB_DIRNAME / "org--Some.Model@main"
    _fake_checkpoint(snapshot)
    with pytest.raises(HubUnreachable):  # an interrupted download (no completion mark) is not used
        resolve_source("hf:org/Some.Model", tmp_path, progress=False)
    (snapshot / hub.COMPLETE_FILE).write_text("hf:org/Some.Model@main\n")
    src = resolve_source("hf:org/Some.Model", tmp_path, progress=False)
    assert (src.name, src.hf_dir) == ("some.model", snapshot)
    assert src.record["hub"] == "org/Some.Model" and src.record["revision"] == "main"


def test_reachable_hub_downloads_into_the_cache(
    answering_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the endpoint answers, snapshot_download fills <cache>/_hub/<org>--<name>@<rev>/."""
    import huggingface_hub

    calls = []

    def fake_snapshot_download(repo_id: str, **kwargs: object) -> str:
        calls.append((repo_id, kwargs))
        _fake_checkpoint(Path(str(kwargs["local_dir"])))
        return str(kwargs["local_dir"])

    monkeypatch.setenv("HF_ENDPOINT", answering_endpoint)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot_download)
    src = resolve_source("hf:org/name@abc123", tmp_path, name="mine", progress=False)
    target = tmp_path / "_hub" / "org--name@abc123"
    assert calls == [("org/name", {"revision": "abc123", "local_dir": str(target),
                                   "allow_patterns": list(hub.ALLOW_PATTERNS), "endpoint": answering_endpoint})]
    assert (target / hub.COMPLETE_FILE).exists() and src.hf_dir == target and src.name == "mine"
