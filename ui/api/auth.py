"""Who may use the API: the bearer key (constant-time compare) and a throttle on failed attempts.

Failed authentications are counted per client address, for the API key and the browser UI's
password alike: past `limit` failures within `window` seconds the address gets 429 with
`Retry-After` — even with the right key — until the window has passed.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections import deque
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.errors import NewsqaError
from ui.api.errors import error_of

LOGIN_PATH = "/login"  # the mounted Gradio UI's password form posts here


class FailedLogins:
    """Recent failed authentications by client address (bounded memory: old entries are dropped)."""

    def __init__(self, limit: int = 10, window: float = 60.0, max_clients: int = 10_000) -> None:
        self.limit, self.window, self.max_clients = limit, window, max_clients
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._failures.get(client, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def check(self, client: str) -> None:
        """Raise a 429 while `client` has used up its failures."""
        now = time.monotonic()
        with self._lock:
            failures = self._recent(client, now)
            if len(failures) >= self.limit:
                wait = int(failures[0] + self.window - now) + 1
                raise NewsqaError(
                    f"认证失败次数过多，请 {wait} 秒后再试",
                    f"too many failed authentications: retry in {wait} s",
                    status=429,
                    retry_after=wait,
                )

    def failed(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._failures) >= self.max_clients:
                self._failures = {c: f for c, f in self._failures.items() if self._recent(c, now)}
            failures = self._recent(client, now)
            failures.append(now)
            self._failures[client] = failures


def client_of(scope_or_request: Scope | Request) -> str:
    client = scope_or_request.get("client") if isinstance(scope_or_request, dict) else scope_or_request.client
    return str(client[0]) if client else "unknown"


def key_matches(given: str, key: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "replace"), key.encode("utf-8"))


bearer = HTTPBearer(auto_error=False, description="Needed when the server has NEWSQA_API_KEY.")


async def authorize(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> None:
    """With an API key configured, require `Authorization: Bearer <key>`; throttle failed attempts."""
    service = request.app.state.service
    key = service.settings.api_key
    if not key:
        return
    client = client_of(request)
    service.logins.check(client)
    if not (credentials and key_matches(credentials.credentials, key)):
        service.logins.failed(client)
        raise NewsqaError(
            "需要有效的 API 密钥（Authorization: Bearer <key>）",
            "a valid API key is required (Authorization: Bearer <key>)",
            status=401,
        )


class LoginThrottle:
    """The same throttle for the browser UI's password form: a failed POST /login counts, and a
    client past its limit gets 429 before its password is even checked."""

    def __init__(self, app: ASGIApp, logins: FailedLogins) -> None:
        self.app = app
        self.logins = logins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != LOGIN_PATH or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        client = client_of(scope)
        try:
            self.logins.check(client)
        except NewsqaError as error:
            await error_of(error)(scope, receive, send)
            return

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] >= 400:
                self.logins.failed(client)
            await send(message)

        await self.app(scope, receive, watch)
