"""A real OpenAI-compatible chat-completions server on 127.0.0.1 with scripted replies, for tests."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class Reply:
    """One scripted HTTP answer: a chat completion with `content`, or an error `status` with `body`."""

    content: str | None = None
    status: int = 200
    body: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    prompt_tokens: int = 100
    completion_tokens: int = 20
    finish_reason: str = "stop"


Responder = Callable[[dict], Reply]


def completion(content: str, model: str, prompt_tokens: int, completion_tokens: int,
               finish_reason: str = "stop") -> dict:
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "finish_reason": finish_reason,
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens}}


class FakeLLM:
    """Serves scripted replies in order; when the script is empty, asks `responder` (or answers 500)."""

    def __init__(self, responder: Responder | None = None):
        self.script: list[Reply] = []
        self.responder = responder
        self.requests: list[dict] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                req = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    fake.requests.append(req)
                    fake.headers.append(dict(self.headers))
                    reply = fake.script.pop(0) if fake.script else None
                if reply is None:
                    reply = fake.responder(req) if fake.responder else Reply(status=500, body={"error": {
                        "message": "script exhausted", "type": "server_error"}})
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.status == 200 and reply.body is None:
                    body = completion(reply.content or "", req.get("model", ""), reply.prompt_tokens,
                                      reply.completion_tokens, reply.finish_reason)
                else:
                    body = reply.body or {"error": {"message": f"HTTP {reply.status}", "type": "error"}}
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def add(self, *replies: Reply | str) -> "FakeLLM":
        with self._lock:
            self.script.extend(Reply(content=r) if isinstance(r, str) else r for r in replies)
        return self

    def __enter__(self) -> "FakeLLM":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @staticmethod
    def user_text(req: dict) -> str:
        return "\n".join(m["content"] for m in req["messages"] if m["role"] == "user")

    @staticmethod
    def document(req: dict) -> str:
        """The text between <document> and </document> of the first user message."""
        first = next(m["content"] for m in req["messages"] if m["role"] == "user")
        return first.split("<document>\n", 1)[1].rsplit("\n</document>", 1)[0]
