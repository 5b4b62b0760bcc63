"""A local HTTP server on 127.0.0.1 that serves ClaimReview feeds for the tests, and can
change them, answer 304 to a matching ETag, fail with 500, serve garbage, a 50 MB body or
never finish answering."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


def claim_review(n: int, question: str | None = None, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"https://factcheck.example.org/2026/12/feed-claim-{n}",
        "claimReviewed": question or f"Feed claim number {n} is true.",
        "datePublished": "2026-12-01",
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
        "author": {"@type": "Organization", "name": "Example Feed Desk"},
        "reviewBody": f"Feed claim {n} was checked and found false.",
    }
    record.update(changes)
    return {k: v for k, v in record.items() if v is not None}


@dataclass
class Route:
    """What one path answers now."""

    body: bytes = b""
    status: int = 200
    etag: str | None = None
    mode: str = "normal"  # normal | hang | huge
    huge_bytes: int = 50 * 1024 * 1024
    announce_length: bool = False
    headers_seen: list[dict[str, str]] = field(default_factory=list)
    sent: int = 0


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.base = ""
        self._release = asyncio.Event()

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def serve(
        self, path: str, document: Any = None, *, raw: bytes | None = None, **kw: Any
    ) -> Route:
        """Serve ``document`` as JSON (or ``raw`` bytes) at ``path``; keeps what was seen."""
        route = self.routes.get(path) or Route()
        route.body = raw if raw is not None else json.dumps(document).encode()
        route.status = kw.get("status", 200)
        route.etag = kw.get("etag")
        route.mode = kw.get("mode", "normal")
        route.announce_length = kw.get("announce_length", False)
        self.routes[path] = route
        return route

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        route = self.routes.get(request.path)
        if route is None:
            return web.Response(status=404)
        route.headers_seen.append(dict(request.headers))
        if route.mode == "hang":
            await self._release.wait()  # released at shutdown; the client gives up first
            return web.Response(status=200, body=route.body)
        if route.mode == "huge":
            response = web.StreamResponse(status=200)
            if route.announce_length:
                response.content_length = route.huge_bytes
            await response.prepare(request)
            chunk = b" " * (1024 * 1024)
            try:
                while route.sent < route.huge_bytes:
                    await response.write(chunk)
                    route.sent += len(chunk)
            except (ConnectionResetError, RuntimeError):
                pass
            return response
        if route.etag is not None and request.headers.get("If-None-Match") == route.etag:
            return web.Response(status=304, headers={"ETag": route.etag})
        headers = {"ETag": route.etag} if route.etag else {}
        return web.Response(
            status=route.status, body=route.body, headers=headers, content_type="application/json"
        )

    @asynccontextmanager
    async def running(self) -> AsyncIterator[FeedServer]:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, shutdown_timeout=0.1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"
        try:
            yield self
        finally:
            self._release.set()
            await runner.cleanup()
