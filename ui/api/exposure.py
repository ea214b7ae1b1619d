"""Who may reach the server: beyond this machine only with an API key (or an explicit --insecure).

Kept apart from the app so that `serve`, `demo` and `ui` refuse at once, before loading anything.
"""

from __future__ import annotations

import ipaddress

from rag.errors import NewsqaError


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, api_key: str | None, insecure: bool) -> None:
    """Refuse to serve beyond this machine without an API key, unless the operator says --insecure."""
    if is_loopback(host) or api_key or insecure:
        return
    raise NewsqaError(
        f"拒绝在非本机地址 {host} 上无密钥提供服务：请设置 NEWSQA_API_KEY，或明确加上 --insecure",
        f"refusing to serve on non-loopback host {host} without an API key: set NEWSQA_API_KEY, or pass --insecure",
    )
