"""The one HTTP client every API source uses: retries and waits (urllib3's `Retry`, honouring Retry-After), an
on-disk response cache (requests-cache), and what is ours: a deadline per answer, redirects kept on the configured
host, resumable size-checked downloads, and errors that name the URL and what to do.

Sources never write their own retry loop. A request that keeps failing, or that the server refuses,
raises `ApiError` with one actionable sentence naming the URL; the caller decides whether that means
"skip this record" (a 4xx on one detail page) or "this source cannot be used" (anything on the search).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable
from contextvars import ContextVar
from datetime import timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests_cache import FileCache
from urllib3.exceptions import InvalidHeader, MaxRetryError, NewConnectionError
from urllib3.util.retry import Retry

log = logging.getLogger(__name__)
# urllib3 logs each retry too, as a dump of its pool; _Retry.sleep says it in one line naming the URL
logging.getLogger("urllib3.connectionpool").addFilter(lambda record: not str(record.msg).startswith("Retrying ("))

USER_AGENT = "procurement-kg/0.1 (python-requests; public procurement records)"
MAX_WAIT = 300.0  # never sleep longer than this on one retry, whatever Retry-After says
MAX_REDIRECTS = 5
CHUNK = 1 << 20
CONNECT_TIMEOUT = 10.0  # seconds to open the connection
DEADLINE = 120.0  # seconds to read one whole JSON answer: a server trickling bytes cannot hold a run for ever
RETRIED = frozenset({429, *range(500, 600)})  # worth another try; any other status is the server's answer


class ApiError(RuntimeError):
    """A request that failed for good. `status` is the last HTTP status (None: no answer at all)."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None):
        super().__init__(message)
        self.url, self.status = url, status

    @property
    def is_client_error(self) -> bool:
        """The server understood and refused this one request (4xx other than 429): skip it, go on."""
        return self.status is not None and 400 <= self.status < 500 and self.status != 429


class HttpClient:
    """JSON over HTTP with retries on 429/5xx, refused connections and damaged bodies, and an optional cache.

    All of it is configured here, once. `retries` is the total number of tries per request, whatever made
    each one fail. Waits grow as backoff * 2**(try-1), unless the server sends Retry-After (seconds or an HTTP
    date), which wins, up to MAX_WAIT. `sleep` is injectable so tests record the waits instead of sitting through
    them. `timeout` is the read timeout (the longest silence between two reads), and `deadline` the most reading
    one JSON answer may take; connecting may take CONNECT_TIMEOUT. `cache_dir` keeps one JSON file per answer
    (requests-cache's file backend); answers older than `cache_max_age` seconds are fetched again (USAspending
    revises records; a cache is for resuming, not for archiving; None: they never expire).
    """

    def __init__(
        self,
        base_url: str,
        cache_dir: Path | str | None = None,
        timeout: float = 30,
        retries: int = 5,
        backoff: float = 1.0,
        sleep: Callable[[float], object] = time.sleep,
        user_agent: str = USER_AGENT,
        session: requests.Session | None = None,
        cache_max_age: float | None = None,
        deadline: float = DEADLINE,
    ):
        if retries < 1:
            raise ValueError("retries is the number of tries and must be at least 1")
        if not 0 < deadline < float("inf"):
            raise ValueError("deadline is the most seconds one answer may take and must be a positive number")
        self.base_url = base_url.rstrip("/")
        self.timeout, self.retries, self.deadline, self.cache_max_age = timeout, retries, deadline, cache_max_age
        self.cache = FileCache(Path(cache_dir)) if cache_dir else None
        self.retry = _Retry(
            total=retries - 1,
            backoff_factor=backoff,
            backoff_max=MAX_WAIT,
            retry_after_max=MAX_WAIT,
            status_forcelist=RETRIED,
            allowed_methods=None,
            raise_on_status=False,
        )
        self.retry.pause = sleep
        self.session = session or requests.Session()
        self.session.headers.update({"User-Agent": user_agent, "Accept": "application/json"})
        adapter = _Adapter(max_retries=self.retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    @classmethod
    def for_command(cls, args, home: Path | str) -> HttpClient:
        """The client a load command's options ask for: --base-url, --cache-dir (default KG_HOME/http-cache) and
        --cache-hours (0 fetches everything again)."""
        return cls(
            args.base_url, cache_dir=args.cache_dir or Path(home) / "http-cache", cache_max_age=args.cache_hours * 3600
        )

    def url(self, path: str, params: dict | None = None) -> str:
        """Full URL of `path` (absolute URLs pass through), with the query string requests would send."""
        url = path if re.match(r"^https?://", path) else f"{self.base_url}/{path.lstrip('/')}"
        return requests.Request("GET", url, params=params).prepare().url if params else url

    def get_json(self, path: str, params: dict | None = None, cache: bool = True):
        """`cache=False` for answers that change by the minute (a download's status)."""
        return self._request("GET", self.url(path, params), None, cache)

    def post_json(self, path: str, body: dict, cache: bool = True):
        return self._request("POST", self.url(path), body, cache)

    def download(
        self,
        path: str,
        dest: Path,
        *,
        expected_bytes: float | None = None,
        hosts: frozenset[str] = frozenset(),
        progress: bool = True,
    ) -> Path:
        """Stream a file to `dest` through `dest.part`: a broken transfer resumes where it stopped (a Range
        request; a server that ignores it sends the whole file again), and the result must have the size the
        server declared and, within the API's rounding to a byte in a thousand, `expected_bytes`."""
        url = self.url(path)
        if _host(url) not in {self.host, *hosts}:
            raise ApiError(
                f"{url} is not on {self.base_url}{' or ' + ', '.join(sorted(hosts)) if hosts else ''}; "
                f"not fetched (pass --files-host https://HOST if the API serves its files from there)",
                url=url,
            )
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".part")

        def kept() -> int:
            return part.stat().st_size if part.exists() else 0

        def give_up(reason: str, status: int | None) -> ApiError:
            return ApiError(
                f"{url} could not be downloaded after {self.retries} tries ({reason}); rerun the same "
                f"command to resume from the {kept():,} bytes kept in {part}",
                url=url,
                status=status,
            )

        def headers() -> dict:
            return {"Accept": "*/*", "Accept-Encoding": "identity", **({"Range": f"bytes={kept()}-"} if kept() else {})}

        def read(response: requests.Response) -> None:
            have, status = kept(), response.status_code
            if status == 416 and have:  # nothing after what we have: start over rather than guess
                part.unlink()
                raise _Again("the partial file was longer than the file", status=status)
            if status not in (200, 206):
                raise ApiError(
                    f"{url} answered {status}: {_detail(response)}; the file may have expired: "
                    f"request the download again",
                    url=url,
                    status=status,
                )
            resumed = status == 206 and _range_start(response.headers.get("Content-Range")) == have
            length = response.headers.get("Content-Length")
            total = (have if resumed else 0) + int(length) if length and length.isdigit() else None
            try:
                with (
                    part.open("ab" if resumed else "wb") as out,
                    _bar(progress, dest.name, total, have if resumed else 0) as bar,
                ):
                    for chunk in response.raw.stream(CHUNK, decode_content=False):
                        out.write(chunk)
                        bar.update(len(chunk))
            except (requests.RequestException, urllib3.exceptions.HTTPError) as error:
                raise _Again(_reason(error, self.timeout)) from None
            if total is not None and kept() != total:
                raise _Again(f"the transfer broke after {kept():,} of {total:,} bytes", status=status)

        self._tried("GET", url, None, read, give_up, headers=headers, hosts=hosts)
        got = kept()
        if expected_bytes is not None and abs(got - expected_bytes) > max(1000, expected_bytes / 1000):
            part.unlink()
            raise ApiError(
                f"{url}: received {got:,} bytes but the download status reported {expected_bytes:,.0f}; "
                f"the partial file was deleted: rerun to fetch it again",
                url=url,
            )
        os.replace(part, dest)
        return dest

    # -- internals ---------------------------------------------------------------------------------------

    def _request(self, method: str, url: str, body: dict | None, cache: bool = True):
        key = (
            self.cache.create_key(self.session.prepare_request(requests.Request(method, url, json=body)))
            if cache and self.cache is not None
            else None
        )
        if key is not None:
            cached = self.cache.get_response(key)
            if cached is not None and not (
                self.cache_max_age is not None and cached.is_older_than(timedelta(seconds=self.cache_max_age))
            ):
                log.debug("cache hit for %s %s", method, url)
                return cached.json()

        def give_up(reason: str, status: int | None) -> ApiError:
            if status is None:
                return ApiError(f"cannot reach {url}: {reason}; check --base-url or your network", url=url)
            return ApiError(
                f"{url} still failing after {self.retries} tries ({reason}); the service may be down or "
                f"rate-limiting: wait and rerun (an interrupted load resumes from its checkpoint)",
                url=url,
                status=status,
            )

        def read(response: requests.Response):
            status = response.status_code
            if not 200 <= status < 300:
                raise ApiError(
                    f"{url} answered {status}: {_detail(response)}; check the request filters", url=url, status=status
                )
            self._read_within(response)
            try:
                data = _json_of(response, url)
            except ApiError as error:  # an HTML error page or a cut-off body: a proxy's hiccup, try again
                raise _Again(str(error), error, status) from None
            if status == 200 and key is not None:
                self.cache.save_response(response, cache_key=key)
            return data

        return self._tried(method, url, body, read, give_up)

    def _tried(
        self,
        method: str,
        url: str,
        body: dict | None,
        read: Callable,
        give_up: Callable[..., ApiError],
        headers: Callable[[], dict] = dict,
        hosts: frozenset[str] = frozenset(),
    ):
        """Send, and return what `read` makes of the answer. urllib3 retries refused connections and 429/5xx
        itself; an answer `read` rejects (raising _Again) spends a try of the same Retry, so that `retries`
        counts every try. `give_up(reason, status)` words the error once no try is left (status None: no answer)."""
        tries = self.retry.new()
        tries.where = f"{method} {url}"
        while True:
            try:
                response = self._send(method, url, body, tries, headers(), hosts)
            except (
                requests.exceptions.InvalidURL,
                requests.exceptions.InvalidSchema,
                requests.exceptions.MissingSchema,
            ) as error:
                raise ApiError(f"cannot use {url}: {error}; check --base-url", url=url) from None
            except (requests.ConnectionError, requests.Timeout) as error:  # urllib3 spent every try
                raise give_up(_reason(error, self.timeout), None) from None
            tries = getattr(response.raw, "retries", None) or tries
            try:
                if response.status_code in RETRIED:  # urllib3 spent every try on these
                    raise give_up(f"HTTP {response.status_code}", response.status_code)
                return read(response)
            except _Again as again:
                try:
                    tries = tries.increment(method, url, error=again)
                except MaxRetryError:
                    raise again.error or give_up(str(again), again.status) from None
                tries.sleep()
            finally:
                response.close()  # the body is read (or abandoned): this hands the connection back to the pool

    def _send(
        self, method: str, url: str, body: dict | None, tries: Retry, headers: dict, hosts: frozenset[str]
    ) -> requests.Response:
        """One request, following redirects only within the base URL's host (or `hosts`): a redirect
        elsewhere could hand our requests, or a file we load, to a server the user never chose."""
        allowed = {self.host} | set(hosts)
        for _ in range(MAX_REDIRECTS + 1):
            token = _TRIES.set(tries)
            try:
                response = self.session.request(
                    method,
                    url,
                    json=body,
                    headers=headers,
                    stream=True,
                    allow_redirects=False,
                    timeout=(min(CONNECT_TIMEOUT, self.timeout), self.timeout),
                )
            finally:
                _TRIES.reset(token)
            if response.status_code not in (301, 302, 303, 307, 308) or "Location" not in response.headers:
                return response
            tries = getattr(response.raw, "retries", None) or tries
            target = urljoin(url, response.headers["Location"])
            response.close()
            if _host(target) not in allowed:
                raise ApiError(
                    f"{url} redirected to {target}, a host other than the configured {self.base_url}; "
                    f"not followed (check --base-url; a proxy or captive portal may be in the way)",
                    url=url,
                    status=response.status_code,
                )
            if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                method, body = "GET", None
            url = target
        raise ApiError(f"{url} redirected more than {MAX_REDIRECTS} times; not followed", url=url)

    def _read_within(self, response: requests.Response) -> None:
        """Read a streamed answer's body into it by reads of what has arrived, checking the clock between reads
        (one `read()` would wait for the whole body, and a trickle never trips the read timeout)."""
        deadline_at, parts = time.monotonic() + self.deadline, []
        try:
            while chunk := response.raw.read1(CHUNK, decode_content=True):
                parts.append(chunk)
                if time.monotonic() > deadline_at:
                    raise _Again(f"the answer took longer than the {self.deadline:g}s deadline")
        except (
            urllib3.exceptions.ReadTimeoutError,
            urllib3.exceptions.ProtocolError,
            urllib3.exceptions.DecodeError,
        ) as error:
            raise _Again(_reason(error, self.timeout)) from None
        response._content = b"".join(parts)  # what requests' .json() and .text read
        response._content_consumed = True

    @property
    def host(self) -> str:
        return _host(self.base_url)


class _Retry(Retry):
    """urllib3's Retry, waiting our way: backoff * 2**(n-1) from the first retry on (urllib3 waits nothing
    before the second try), or what Retry-After asks (up to retry_after_max); each wait is logged and taken
    through `pause` (time.sleep, or what the client was given)."""

    pause: Callable[[float], object] = staticmethod(time.sleep)
    where = ""  # "METHOD URL", for the log

    def new(self, **kw) -> _Retry:
        retry = super().new(**kw)
        retry.pause, retry.where = self.pause, self.where
        return retry

    def get_backoff_time(self) -> float:
        return min(self.backoff_factor * 2 ** (len(self.history) - 1), self.backoff_max) if self.history else 0.0

    def sleep(self, response=None) -> None:
        wait = None
        if response is not None and self.respect_retry_after_header:
            try:
                wait = self.get_retry_after(response)
            except InvalidHeader:
                pass
        wait = self.get_backoff_time() if wait is None else wait
        last, done = self.history[-1], len(self.history)
        log.warning(
            "%s: %s; try %d/%d failed, retrying in %.1fs",
            self.where,
            _reason(last.error) if last.error else f"HTTP {last.status}",
            done,
            done + int(self.total or 0) + 1,
            wait,
        )
        self.pause(wait)


_TRIES: ContextVar[Retry | None] = ContextVar("http_tries", default=None)


class _Adapter(HTTPAdapter):
    """requests' adapter, except that one send may carry the tries its request has left (in _TRIES, set around
    the send): requests hands urllib3 a fresh Retry per send, and a request's tries are one budget."""

    @property
    def max_retries(self) -> Retry:
        return _TRIES.get() or self._max_retries

    @max_retries.setter
    def max_retries(self, value: Retry) -> None:
        self._max_retries = value


class _Again(Exception):
    """This try failed in a way worth another: the reason, and the error to raise if none is left (None: the
    caller's `give_up` words it)."""

    def __init__(self, reason: str, error: ApiError | None = None, status: int | None = None):
        super().__init__(reason)
        self.error, self.status = error, status


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _range_start(content_range: str | None) -> int | None:
    match = re.match(r"bytes (\d+)-", content_range or "")
    return int(match.group(1)) if match else None


def _bar(progress: bool, name: str, total: int | None, initial: int):
    from tqdm import tqdm

    return tqdm(
        total=total,
        initial=initial,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=name,
        disable=not progress,
        file=sys.stderr,
        mininterval=0.5,
        dynamic_ncols=True,
    )


def _json_of(response: requests.Response, url: str):
    try:
        return response.json()
    except ValueError as error:
        kind = response.headers.get("Content-Type", "unknown content type")
        if "json" not in kind.lower():
            raise ApiError(
                f"{url} answered {response.status_code} with {kind}, not JSON; check --base-url points at the API root",
                url=url,
                status=response.status_code,
            ) from None
        position = getattr(error, "pos", None)  # a character index into the decoded text: say it in bytes
        where = (
            ""
            if position is None
            else f" (byte {len(response.text[:position].encode(response.encoding or 'utf-8', 'replace'))})"
        )
        raise ApiError(
            f"{url} answered {response.status_code} with {kind}, but the body is not valid JSON{where}; "
            f"the answer was damaged or cut off: run the same command again",
            url=url,
            status=response.status_code,
        ) from None


def _detail(response: requests.Response) -> str:
    """The server's own explanation: USAspending puts it in `detail` (or `message`/`messages`)."""
    try:
        data = response.json()
    except ValueError:
        return (response.text or response.reason or "no explanation").strip()[:300]
    if isinstance(data, dict):
        for key in ("detail", "message", "messages", "error", "errors"):
            if data.get(key):
                value = data[key]
                return "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    return json.dumps(data)[:300]


_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")


def _reason(error: BaseException, timeout: float | None = None) -> str:
    """'connection refused' rather than requests' three-line pool message."""
    if isinstance(error, _Again):
        return str(error)
    cause = getattr(error.args[0], "reason", None) if error.args else None  # requests wraps urllib3's MaxRetryError
    if isinstance(error, requests.Timeout) or any(
        isinstance(e, urllib3.exceptions.TimeoutError) and not isinstance(e, NewConnectionError) for e in (error, cause)
    ):
        return f"no answer within {timeout:g}s" if timeout else "no answer in time"
    match = _ERRNO.search(str(error))
    if match:
        return match.group(1).strip().lower()
    text = str(error)
    for known in (
        "Connection refused",
        "Name or service not known",
        "Temporary failure in name resolution",
        "Connection reset",
        "Remote end closed connection",
    ):
        if known.lower() in text.lower():
            return known.lower()
    return type(error).__name__
