"""The one place the bridge talks HTTP to the marketplace.

One pooled ``requests.Session`` carries the ADMIN ``sid`` cookie. Reads are retried with backoff
on every transient failure (a reset or refused connection, a timeout, a body cut off before its
end, 5xx and 429); writes are retried only when the marketplace certainly did not act on them.
Every answer is checked to be the API's JSON and handed to ``decode`` for its typed records.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter

from bridge.marketplace import models, vocabulary
from bridge.marketplace.commands import Command
from bridge.marketplace.decode import (
    Answer,
    Fetched,
    Listing,
    Malformed,
    NotModified,
    parse_listing,
    parse_record,
)
from bridge.marketplace.errors import (
    ApiError,
    Conflict,
    MarketplaceUnavailable,
    NotFound,
    PermissionDenied,
    Rejected,
    SessionExpired,
    SessionNotAdmin,
    TruncatedAnswer,
    UnexpectedResponse,
    WriteOutcomeUnknown,
)
from bridge.marketplace.retry import RETRYABLE_STATUSES, RetryPolicy
from bridge.settings import Settings

log = logging.getLogger(__name__)

ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")

# What a network can do to a request: no connection, no answer in time, an answer cut off (the
# body ends before its Content-Length, or a chunk is missing, or its compression is cut short).
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    TruncatedAnswer,
)

ERROR_CLASSES: dict[int, type[ApiError]] = {
    400: Rejected,
    401: PermissionDenied,
    404: NotFound,
    409: Conflict,
}


class ClientStats:
    """Thread-safe counters of what the client did, for run summaries and benchmarks."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self.counts[name] += amount

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self.counts)


class MarketplaceClient:
    """Typed reads and tagged writes against ``<marketplace>/api``."""

    def __init__(
        self,
        api_url: str,
        session_cookie: str,
        *,
        timeout: float = 20.0,
        concurrency: int = 8,
        retry: RetryPolicy | None = None,
        http: requests.Session | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self.concurrency = concurrency
        self.retry = retry or RetryPolicy()
        self.stats = ClientStats()
        self.http = http or requests.Session()
        # Proxy settings are read from the environment once, here: left to requests, they are
        # looked up again on every request, which costs as much as a request on a fast network.
        self.http.proxies.update(requests.utils.get_environ_proxies(self.api_url))
        self.http.trust_env = False
        adapter = HTTPAdapter(pool_connections=concurrency, pool_maxsize=concurrency)
        self.http.mount("http://", adapter)
        self.http.mount("https://", adapter)
        self.http.headers.update({"Accept": "application/json", "Cookie": f"sid={session_cookie}"})
        self._pool: ThreadPoolExecutor | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> MarketplaceClient:
        return cls(
            settings.marketplace_api_url,
            settings.session_cookie,
            timeout=settings.http_timeout_seconds,
            concurrency=settings.http_concurrency,
            retry=RetryPolicy(
                max_attempts=settings.http_max_attempts,
                base_seconds=settings.http_backoff_base_seconds,
                max_seconds=settings.http_backoff_max_seconds,
            ),
        )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self.http.close()

    def __enter__(self) -> MarketplaceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Session --------------------------------------------------------------------------------

    def current_session(self) -> models.Session | None:
        body = self._get("sessions/current").body
        if body is None:
            return None
        return models.Session.model_validate(body)

    def require_admin_session(self) -> models.Session:
        """Fail fast, with what to do, unless the session is an active ADMIN's."""
        session = self.current_session()
        if session is None:
            raise SessionExpired()
        if session.user.type is not vocabulary.UserType.ADMIN:
            raise SessionNotAdmin(session.user.type.value)
        return session

    # Reads ----------------------------------------------------------------------------------

    def list_opportunities(
        self, kind: vocabulary.OpportunityKind, etag: str | None = None
    ) -> Listing[models.OpportunitySlimModel] | NotModified:
        answer = self._get(f"opportunities/{kind.value}", etag=etag)
        if answer.not_modified:
            return NotModified(etag or "")
        return answer.listing(models.SLIM_MODELS[kind], f"opportunity-list:{kind.value}")

    def get_opportunity(
        self, kind: vocabulary.OpportunityKind, opportunity_id: str, etag: str | None = None
    ) -> Fetched[models.OpportunityModel] | NotModified:
        answer = self.read_opportunity(kind, opportunity_id, etag=etag)
        if answer.not_modified:
            return NotModified(etag or "")
        return answer.fetched(models.DETAIL_MODELS[kind], f"opportunity:{kind.value}")

    # The sync reads these as answers, to decode them where and when it needs them.

    def read_opportunity(
        self, kind: vocabulary.OpportunityKind, opportunity_id: str, etag: str | None = None
    ) -> Answer:
        return self._get(f"opportunities/{kind.value}/{opportunity_id}", etag=etag)

    def read_proposals(self, kind: vocabulary.OpportunityKind, opportunity_id: str) -> Answer:
        """The proposals of one opportunity (the API has no other way to filter them)."""
        return self._get(f"proposals/{kind.value}", params={"opportunity": opportunity_id})

    def read_organization(self, organization_id: str) -> Answer:
        return self._get(f"organizations/{organization_id}")

    def list_users(self) -> Listing[models.User]:
        return self._get("users").listing(models.User, "user")

    def iter_organization_pages(
        self, page_size: int = 100
    ) -> Iterator[Listing[models.OrganizationSlim]]:
        """Every page of the organizations list, the one paged list of the API."""
        page = 1
        while True:
            answer = self._get("organizations", params={"page": page, "pageSize": page_size})
            envelope = models.OrganizationPage.model_validate(answer.body)
            yield parse_listing(models.OrganizationSlim, envelope.items, "organization", None)
            if page >= envelope.num_pages:
                return
            page += 1

    def map_concurrent(
        self,
        function: Callable[[ItemT], ResultT],
        items: Iterable[ItemT],
        *,
        window: int | None = None,
    ) -> Generator[tuple[ItemT, ResultT | BaseException], None, None]:
        """Apply ``function`` to ``items`` on the bounded pool, yielding as each completes.

        At most ``window`` items (twice the pool size unless told) are in flight or waiting
        to be taken, so memory stays flat however long the input; a caller that pauses to
        write what it took lets the pool read ahead by that much. An exception is yielded in
        place of its result rather than raised, so one failed read never loses the others.
        """
        pool = self._executor()
        limit = max(window or self.concurrency * 2, 1)
        finished: queue.SimpleQueue[tuple[ItemT, Future[ResultT]]] = queue.SimpleQueue()
        waiting: set[Future[ResultT]] = set()
        source = iter(items)
        try:
            for item in source:
                waiting.add(self._submit(pool, function, item, finished))
                if len(waiting) >= limit:
                    break
            while waiting:
                item, future = finished.get()
                waiting.discard(future)
                for following in source:
                    waiting.add(self._submit(pool, function, following, finished))
                    break
                error = future.exception()
                yield item, (error if error is not None else future.result())
        finally:
            # A caller that stops early (a stop, an outage) leaves nothing queued to run.
            for future in waiting:
                future.cancel()

    @staticmethod
    def _submit(
        pool: ThreadPoolExecutor,
        function: Callable[[ItemT], ResultT],
        item: ItemT,
        finished: queue.SimpleQueue[tuple[ItemT, Future[ResultT]]],
    ) -> Future[ResultT]:
        future = pool.submit(function, item)
        future.add_done_callback(lambda done: finished.put((item, done)))
        return future

    # Writes ---------------------------------------------------------------------------------

    def send(
        self, kind: vocabulary.OpportunityKind, opportunity_id: str, command: Command
    ) -> models.OpportunityModel:
        """Send a tagged command; the marketplace answers with the updated opportunity."""
        path = f"opportunities/{kind.value}/{opportunity_id}"
        body = self._write("PUT", path, command.body())
        record = parse_record(models.DETAIL_MODELS[kind], body, f"opportunity:{kind.value}")
        if isinstance(record, Malformed):
            raise UnexpectedResponse(
                f"{path}: the updated opportunity is malformed: {record.error}"
            )
        return record

    # HTTP -----------------------------------------------------------------------------------

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(
                max_workers=self.concurrency, thread_name_prefix="marketplace"
            )
        return self._pool

    def _get(
        self, path: str, *, params: dict[str, Any] | None = None, etag: str | None = None
    ) -> Answer:
        url = f"{self.api_url}/{path}"
        headers = {"If-None-Match": etag} if etag else None
        attempt = 0
        while True:
            attempt += 1
            self.stats.add("requests")
            try:
                response = self._send("GET", url, params=params, headers=headers)
            except TRANSIENT_ERRORS as exc:
                reason = _transient_reason(exc)
                if self._give_up(attempt, reason, None):
                    raise MarketplaceUnavailable(
                        f"{path}: no answer after {attempt} attempts ({reason}: {exc})"
                    ) from exc
                continue
            if response.status_code in RETRYABLE_STATUSES:
                reason = "429" if response.status_code == 429 else "5xx"
                if self._give_up(attempt, reason, response.headers.get("Retry-After")):
                    raise MarketplaceUnavailable(
                        f"{path}: HTTP {response.status_code} after {attempt} attempts"
                    )
                continue
            return self._answer(path, response)

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        json_body: Any = None,
    ) -> requests.Response:
        """Prepare one request and send it through the connection pool, body read in full.

        ``Session.request`` merges the session's settings, the environment and the call's
        arguments on every call, and runs a cookie jar and a redirect resolver over every
        answer; on a fast network that bookkeeping costs as much as a third of the request.
        None of it applies here: headers, proxies and TLS settings are fixed when the client
        starts, the session cookie is a fixed header, and the API never redirects (a redirect
        comes back as a non-JSON answer that names the URL as the likely mistake). So the
        request goes straight to the transport adapter, requests' public sending interface.
        """
        prepared = requests.PreparedRequest()
        prepared.prepare_method(method)
        prepared.prepare_url(url, params)
        prepared.prepare_headers({**self.http.headers, **(headers or {})})
        prepared.prepare_body(data=None, files=None, json=json_body)
        adapter = self.http.get_adapter(url)
        response = adapter.send(
            prepared,
            timeout=self.timeout,
            proxies=self.http.proxies,
            verify=True if self.http.verify is None else self.http.verify,
            cert=self.http.cert,
            stream=False,
        )
        response.content  # noqa: B018 - read the body now, so the connection returns to the pool
        if response.status_code < 300 and not _complete(response):
            raise TruncatedAnswer(f"{url}: the answer's JSON ends before its end")
        return response

    def _give_up(self, attempt: int, reason: str, retry_after: str | None) -> bool:
        if attempt >= self.retry.max_attempts:
            self.stats.add("gave_up")
            return True
        self.stats.add("retries")
        self.stats.add(f"retries_{reason}")
        log.warning("marketplace read failed (%s), attempt %d; retrying", reason, attempt)
        self.retry.wait(attempt, retry_after)
        return False

    def _write(self, method: str, path: str, body: dict[str, Any]) -> Any:
        url = f"{self.api_url}/{path}"
        attempt = 0
        while True:
            attempt += 1
            self.stats.add("requests")
            try:
                response = self._send(method, url, json_body=body)
            except TRANSIENT_ERRORS as exc:
                if not _never_sent(exc):
                    raise WriteOutcomeUnknown(
                        f"{path}: the write may or may not have been applied ({exc}); "
                        "re-read the record before trying again"
                    ) from exc
                if self._give_up(attempt, "connection", None):
                    raise MarketplaceUnavailable(f"{path}: could not connect ({exc})") from exc
                continue
            if response.status_code == 429:
                if self._give_up(attempt, "429", response.headers.get("Retry-After")):
                    raise MarketplaceUnavailable(f"{path}: still rate limited after {attempt}")
                continue
            if response.status_code >= 500:
                raise WriteOutcomeUnknown(
                    f"{path}: HTTP {response.status_code}; re-read the record before trying again"
                )
            return self._answer(path, response).body

    def _answer(self, path: str, response: requests.Response) -> Answer:
        etag = response.headers.get("ETag")
        if response.status_code == 304:
            self.stats.add("not_modified")
            return Answer(path=path, content=b"", etag=etag, not_modified=True)
        _require_json(path, response)
        answer = Answer(path=path, content=response.content, etag=etag, not_modified=False)
        if response.status_code >= 400:
            error_class = ERROR_CLASSES.get(response.status_code, ApiError)
            raise error_class(response.status_code, models.error_messages(answer.body), path)
        return answer


def _require_json(path: str, response: requests.Response) -> None:
    """Unknown paths answer 200 with the web app's HTML: say so rather than fail to parse it."""
    content_type = response.headers.get("Content-Type", "")
    if "json" not in content_type.lower():
        snippet = response.text[:80].strip().replace("\n", " ")
        raise UnexpectedResponse(
            f"{path}: HTTP {response.status_code} with {content_type or 'no content type'}, "
            f"not the API's JSON ({snippet!r}); is the marketplace URL right?"
        )


def _transient_reason(error: Exception) -> str:
    """The counter a retry is filed under (``retries_<reason>``)."""
    if isinstance(error, requests.Timeout):
        return "timeout"
    if isinstance(error, requests.ConnectionError):
        return "connection"
    return "cut_off"


def _complete(response: requests.Response) -> bool:
    """False for a JSON object or list whose body stops before its closing bracket.

    urllib3 already refuses a body shorter than its ``Content-Length``; an answer without one
    (chunked, or delimited by the connection closing) that is cut short reads as a shorter body.
    Checking the last byte costs nothing and turns it into a retry, where decoding later would
    have made it a failed record.
    """
    if response.headers.get("Content-Length") is not None:
        return True
    if "json" not in response.headers.get("Content-Type", "").lower():
        return True
    body = response.content.strip()
    opening = body[:1]
    if opening == b"{":
        return body.endswith(b"}")
    if opening == b"[":
        return body.endswith(b"]")
    return True


def _never_sent(error: Exception) -> bool:
    """True when a connection error happened before the request reached the marketplace."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    text = repr(error)
    return any(
        marker in text
        for marker in ("NewConnectionError", "Connection refused", "NameResolutionError")
    )
