"""The service's HTTP face: the OpenAI chat-completions API and Ollama's chat API, for the tools people
already run (Home Assistant's Ollama integration, Open WebUI, simonw/llm, LangChain, any OpenAI client).

    GET  /v1/models             the models: `tandem` (the agent decides), `tandem-local` (never leaves the
                                device), `tandem-cloud` (redacted parts escalate)
    POST /v1/chat/completions   OpenAI chat completions, streamed as server-sent events with `"stream": true`
    GET  /api/tags, /api/version, POST /api/chat     the same in Ollama's dialect (NDJSON streaming)

Behind it is the same agent as every face (tools, redaction, routing, escalation). The client keeps the
conversation and sends it whole with each request, as these APIs do: the earlier messages become the
turns the request follows up on (the cloud still gets only what a follow-up needs, redacted), and each
exchange is also kept on the device under a conversation id derived from the caller and the
conversation's first message (`tandem logs`). Tools a client offers (`tools`) are not called: tandem acts
on the home itself, with its own tools, and answers in words.

Who may ask: on a loopback address anyone on the machine, unless a token is set; on any other address a
bearer token is required (`Authorization: Bearer <token>`), and the face refuses to start without one.
Bodies are limited to `MAX_BODY` bytes; a bad body gets the API's own error shape and status, never a
dropped connection.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from device.errors import ServiceError
from device.personal.values import Turn
from device.service.callers import Caller
from device.service.core import AskService
from device.service.messages import AskReply, AskRequest

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20
MODELS: dict[str, Literal["local", "cloud"] | None] = {"tandem": None, "tandem-local": "local",
                                                       "tandem-cloud": "cloud"}
"""Model name -> the route it forces (None: the agent's own routing)."""
VERSION = "0.6.0"
"""What `/api/version` reports: an Ollama version whose API this face speaks (clients check it)."""


class HttpFaceError(ServiceError):
    """The HTTP face cannot start as configured (a public address without a token, a bad address)."""


# -- request bodies ----------------------------------------------------------------------------------

class _Part(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow", hide_input_in_errors=True)

    role: str
    content: str | list[_Part] | None = None

    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(p.text for p in self.content if p.type == "text" and p.text)


class ChatBody(BaseModel):
    """What both dialects send; fields this face does not use (temperature, tools, keep_alive, ...) are
    accepted and ignored."""

    model_config = ConfigDict(extra="allow", hide_input_in_errors=True)

    model: str = "tandem"
    messages: list[ChatMessage] = Field(min_length=1, max_length=512)
    stream: bool | None = None
    stream_options: dict[str, Any] | None = None


@dataclass(frozen=True)
class Conversation:
    """A request body read as tandem's conversation: the system prompt, the turns before, the request."""

    text: str
    system: str | None
    history: list[Turn]
    first: str


class BadChat(ValueError):
    """A chat body tandem cannot answer: the message says what to change."""


def read_chat(body: ChatBody) -> Conversation:
    """The last user message is the request; earlier user/assistant messages pair up into turns; system
    (and "developer") messages make the system prompt; tool messages are left out."""
    system: list[str] = []
    turns: list[Turn] = []
    pending: list[str] = []  # user messages not yet answered
    for message in body.messages:
        text = message.text().strip()
        if message.role in ("system", "developer"):
            if text:
                system.append(text)
        elif message.role == "user":
            pending.append(text)
        elif message.role == "assistant":
            if pending:
                turns.append(Turn(user="\n".join(pending), answer=text, route="client"))
                pending = []
            elif turns:  # two answers in a row: one turn
                last = turns[-1]
                turns[-1] = Turn(user=last.user, answer=f"{last.answer}\n{text}".strip(), route="client")
    if body.messages[-1].role != "user" or not pending or not "\n".join(pending).strip():
        raise BadChat("the last message must be the user's, with text: tandem answers the user's request")
    first = next((m.text() for m in body.messages if m.role == "user"), "")
    return Conversation("\n".join(pending).strip(), "\n\n".join(system) or None, turns, first)


# -- the face ---------------------------------------------------------------------------------------

def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class HttpFace:
    """`tandem serve --http HOST:PORT`. `count_tokens(text)`: the usage counts (the device tokenizer)."""

    def __init__(self, service: AskService, host: str, port: int, *, token: str | None = None,
                 count_tokens: Callable[[str], int] | None = None) -> None:
        if not is_loopback(host) and not token:
            raise HttpFaceError(f"--http {host}:{port} is not a loopback address: set a bearer token "
                                "(--http-token or TANDEM_HTTP_TOKEN) so that only your clients can ask")
        self.service = service
        self.host, self.port = host, port
        self._token = token.encode() if token else None
        self._count = count_tokens or (lambda text: len(text.split()))
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_BODY, middlewares=[self._guard])
        app.add_routes([
            web.get("/v1/models", self._models),
            web.get("/v1/models/{name}", self._model),
            web.post("/v1/chat/completions", self._openai_chat),
            web.get("/api/tags", self._ollama_tags),
            web.get("/api/version", self._ollama_version),
            web.post("/api/chat", self._ollama_chat),
            web.get("/", self._root),  # HEAD too (what `ollama` clients probe)
        ])
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host.strip("[]"), self.port)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            raise HttpFaceError(f"cannot listen on {self.host}:{self.port} ({exc.strerror}): choose another port "
                                "or stop what holds it") from exc
        port = self.port
        server = getattr(site, "_server", None)
        if port == 0 and server is not None and server.sockets:
            port = server.sockets[0].getsockname()[1]
        self.port = port
        self.url = f"http://{self.host}:{port}"
        log.info("http face listening host=%s port=%d token=%s", self.host, port, "set" if self._token else "none")

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- guard -------------------------------------------------------------------------------------

    @web.middleware
    async def _guard(self, request: web.Request,
                     handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
        if self._token is not None and request.path != "/":
            given = request.headers.get("Authorization", "")
            scheme, _, value = given.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), self._token):
                log.info("http refused reason=bad token path=%s", request.path)
                return _error(request, 401, "a bearer token is required: send `Authorization: Bearer <token>` "
                              "(the token tandem serve was started with)", "invalid_api_key",
                              headers={"WWW-Authenticate": "Bearer"})
        try:
            return await handler(request)
        except web.HTTPException as exc:
            if exc.status == 413:
                return _error(request, 413, f"the request body is over {MAX_BODY} bytes", "request_too_large")
            if exc.status in (404, 405):
                return _error(request, exc.status, f"{request.method} {request.path} is not part of this API",
                              "not_found")
            raise

    def _caller(self, request: web.Request) -> Caller:
        # the token vouches for the caller; without one, anyone on this machine (loopback only)
        return Caller("http", "token" if self._token else "loopback", verified=True)

    # -- OpenAI -------------------------------------------------------------------------------------

    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [_model_card(name) for name in MODELS]})

    async def _model(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in MODELS:
            return _error(request, 404, f"no model {name!r}: the models are {', '.join(MODELS)}", "model_not_found")
        return web.json_response(_model_card(name))

    async def _openai_chat(self, request: web.Request) -> web.StreamResponse:
        parsed = await self._read(request)
        if isinstance(parsed, web.Response):
            return parsed
        body, chat, force = parsed
        cid = f"chatcmpl-{uuid.uuid4().hex}"
        created = int(time.time())
        model = body.model
        if not body.stream:
            reply = await self._ask(request, chat, force)
            if not reply.ok:
                return _failed(request, reply)
            answer = reply.answer or ""
            return web.json_response({
                "id": cid, "object": "chat.completion", "created": created, "model": model,
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": answer}}],
                "usage": self._usage(chat, answer), "tandem": _trace(reply)})

        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            doc = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            return f"data: {json.dumps(doc, ensure_ascii=False)}\n\n".encode()

        async def opening(response: web.StreamResponse) -> None:
            await response.write(chunk({"role": "assistant", "content": ""}))

        async def delta(response: web.StreamResponse, text: str) -> None:
            await response.write(chunk({"content": text}))

        async def closing(response: web.StreamResponse, reply: AskReply) -> None:
            if not reply.ok:
                error = {"error": {"message": reply.error, "type": "tandem_error", "code": None, "param": None}}
                await response.write(f"data: {json.dumps(error, ensure_ascii=False)}\n\n".encode())
            else:
                await response.write(chunk({}, "stop"))
                if (body.stream_options or {}).get("include_usage"):
                    usage = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                             "choices": [], "usage": self._usage(chat, reply.answer or "")}
                    await response.write(f"data: {json.dumps(usage)}\n\n".encode())
            await response.write(b"data: [DONE]\n\n")

        return await self._stream(request, chat, force, "text/event-stream", opening, delta, closing)

    # -- Ollama -------------------------------------------------------------------------------------

    async def _root(self, request: web.Request) -> web.Response:
        return web.Response(text="Ollama is running (tandem)")

    async def _ollama_version(self, request: web.Request) -> web.Response:
        return web.json_response({"version": VERSION})

    async def _ollama_tags(self, request: web.Request) -> web.Response:
        modified = datetime.now(timezone.utc).isoformat()
        models = [{"name": f"{name}:latest", "model": f"{name}:latest", "modified_at": modified, "size": 0,
                   "digest": hashlib.sha256(name.encode()).hexdigest(),
                   "details": {"format": "onnx", "family": "tandem", "families": ["tandem"],
                               "parameter_size": "", "quantization_level": ""}} for name in MODELS]
        return web.json_response({"models": models})

    async def _ollama_chat(self, request: web.Request) -> web.StreamResponse:
        parsed = await self._read(request, ollama=True)
        if isinstance(parsed, web.Response):
            return parsed
        body, chat, force = parsed
        started = time.perf_counter_ns()

        def line(doc: dict[str, Any]) -> bytes:
            return (json.dumps({"model": body.model, "created_at": datetime.now(timezone.utc).isoformat(), **doc},
                               ensure_ascii=False) + "\n").encode()

        def final(reply: AskReply) -> dict[str, Any]:
            usage = self._usage(chat, reply.answer or "")
            return {"done": True, "done_reason": "stop", "total_duration": time.perf_counter_ns() - started,
                    "prompt_eval_count": usage["prompt_tokens"], "eval_count": usage["completion_tokens"]}

        if body.stream is False:  # Ollama streams unless told not to
            reply = await self._ask(request, chat, force)
            if not reply.ok:
                return _failed(request, reply, ollama=True)
            return web.Response(body=line({"message": {"role": "assistant", "content": reply.answer or ""},
                                           **final(reply)}), content_type="application/json")

        async def opening(response: web.StreamResponse) -> None:
            return None

        async def delta(response: web.StreamResponse, text: str) -> None:
            await response.write(line({"message": {"role": "assistant", "content": text}, "done": False}))

        async def closing(response: web.StreamResponse, reply: AskReply) -> None:
            if not reply.ok:
                await response.write((json.dumps({"error": reply.error}) + "\n").encode())
                return
            await response.write(line({"message": {"role": "assistant", "content": ""}, **final(reply)}))

        return await self._stream(request, chat, force, "application/x-ndjson", opening, delta, closing)

    # -- shared --------------------------------------------------------------------------------------

    async def _read(self, request: web.Request, *, ollama: bool = False
                    ) -> web.Response | tuple[ChatBody, Conversation, Literal["local", "cloud"] | None]:
        try:
            raw = await request.read()
            body = ChatBody.model_validate_json(raw)
        except web.HTTPRequestEntityTooLarge:
            return _error(request, 413, f"the request body is over {MAX_BODY} bytes", "request_too_large",
                          ollama=ollama)
        except ValidationError as exc:
            fields = sorted({".".join(str(p) for p in e["loc"]) or "body" for e in exc.errors()})
            return _error(request, 400, f"invalid request ({', '.join(fields)}): send JSON like "
                          '{"model": "tandem", "messages": [{"role": "user", "content": "..."}]}',
                          "invalid_request_error", ollama=ollama)
        model = body.model.removesuffix(":latest")
        if model not in MODELS:
            return _error(request, 404, f"no model {body.model!r}: the models are {', '.join(MODELS)}",
                          "model_not_found", ollama=ollama)
        try:
            chat = read_chat(body)
        except BadChat as exc:
            return _error(request, 400, str(exc), "invalid_request_error", ollama=ollama)
        return body, chat, MODELS[model]

    def _request(self, request: web.Request, chat: Conversation, force: Literal["local", "cloud"] | None
                 ) -> tuple[AskRequest, Caller]:
        caller = self._caller(request)
        # the same caller and first message: the same conversation on the device (`tandem logs`)
        seed = f"{caller.key}\n{chat.system or ''}\n{chat.first}".encode()
        keeps = self.service.backend.agent.vaults is not None  # an agent that stores no conversations keeps none
        conversation = "http-" + hashlib.sha256(seed).hexdigest()[:16] if keeps else None
        return AskRequest(text=chat.text[:32_000], system=(chat.system or None) and chat.system[:32_000],
                          force=force, conversation=conversation), caller

    async def _ask(self, request: web.Request, chat: Conversation, force: Literal["local", "cloud"] | None,
                   on_token: Callable[[int, str], None] | None = None) -> AskReply:
        ask, caller = self._request(request, chat, force)
        return await self.service.ask(ask, caller, history=chat.history, on_token=on_token)

    async def _stream(self, request: web.Request, chat: Conversation, force: Literal["local", "cloud"] | None,
                      content_type: str,
                      opening: Callable[[web.StreamResponse], Awaitable[None]],
                      delta: Callable[[web.StreamResponse, str], Awaitable[None]],
                      closing: Callable[[web.StreamResponse, AskReply], Awaitable[None]]) -> web.StreamResponse:
        """Stream the first part's text as the device makes it, then whatever the final answer adds (the
        other parts, notes): what the client joins is the answer every other face shows."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | None] = asyncio.Queue()

        def on_token(part: int, text: str) -> None:  # from the engine's thread
            if part == 0 and text:
                loop.call_soon_threadsafe(queue.put_nowait, text)

        task = asyncio.ensure_future(self._ask(request, chat, force, on_token))
        task.add_done_callback(lambda _: loop.call_soon_threadsafe(queue.put_nowait, None))
        first = await queue.get()  # the first text, or the end: a request refused at once gets a plain error
        if first is None and not task.result().ok:
            return _failed(request, task.result(), ollama=content_type != "text/event-stream")
        response = web.StreamResponse(headers={"Content-Type": content_type, "Cache-Control": "no-cache"})
        sent: list[str] = []
        try:
            await response.prepare(request)
            await opening(response)
            text = first
            while text is not None:
                sent.append(text)
                await delta(response, text)
                text = await queue.get()
            reply = await task
            if reply.ok:
                rest = _rest(reply.answer or "", "".join(sent))
                if rest:
                    await delta(response, rest)
            await closing(response, reply)
            await response.write_eof()
        except (ConnectionResetError, asyncio.CancelledError):
            log.info("http client went away mid-stream; the request still completes")
            await asyncio.shield(task)  # the answer is kept (conversation log) even if nobody reads it
            raise
        return response

    def _usage(self, chat: Conversation, answer: str) -> dict[str, int]:
        prompt = sum(self._count(t.user) + self._count(t.answer) for t in chat.history) + self._count(chat.text)
        if chat.system:
            prompt += self._count(chat.system)
        completion = self._count(answer)
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _failed(request: web.Request, reply: AskReply, *, ollama: bool = False) -> web.Response:
    """A refused or failed request: 429 rate limited, 503 busy or failed, with Retry-After when it may be
    tried again."""
    status = 429 if reply.code == "rate_limited" else 503
    headers = {"Retry-After": str(max(1, round(reply.retry_after_s)))} if reply.retry_after_s is not None else None
    return _error(request, status, reply.error or "the request failed", reply.code or "tandem_error", ollama=ollama,
                  headers=headers)


def _rest(answer: str, streamed: str) -> str:
    """What the client still needs after `streamed` to hold `answer`. The fused answer normally starts with
    the streamed first part; where fusion changed that part, the rest follows on a new paragraph."""
    if answer.startswith(streamed):
        return answer[len(streamed):]
    core = streamed.strip()  # the answer is trimmed where the stream was not
    if answer.startswith(core):
        rest = answer[len(core):]
        return rest.lstrip() if streamed[-1:].isspace() else rest
    log.warning("http stream differs from the fused answer streamed_chars=%d", len(streamed))
    return "\n\n" + answer


def _model_card(name: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": 0, "owned_by": "tandem"}


def _trace(reply: AskReply) -> dict[str, Any]:
    """tandem's own extension of a completion: how it was answered and exactly what left the device (the
    sub-tasks as sealed: placeholders, never values)."""
    return {"route": reply.route, "parts": [{"route": p.get("route"), "reason": p.get("reason")} for p in reply.parts],
            "sent": reply.sent, "notices": reply.notices, "conversation": reply.conversation}


def _error(request: web.Request, status: int, message: str, code: str, *, ollama: bool = False,
           headers: dict[str, str] | None = None) -> web.Response:
    if ollama or request.path.startswith("/api/"):
        return web.json_response({"error": message}, status=status, headers=headers)
    kind = "invalid_request_error" if status < 500 else "server_error"
    return web.json_response({"error": {"message": message, "type": kind, "param": None, "code": code}},
                             status=status, headers=headers)
