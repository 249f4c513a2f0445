"""The one HTTP client every API source uses: retries, back-off, Retry-After and an on-disk cache.

Sources never write their own retry loop. A request that keeps failing, or that the server refuses,
raises `ApiError` with one actionable sentence naming the URL; the caller decides whether that means
"skip this record" (a 4xx on one detail page) or "this source cannot be used" (anything on the search).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import requests

log = logging.getLogger(__name__)

USER_AGENT = "procurement-kg/0.1 (python-requests; public procurement records)"
MAX_WAIT = 300.0  # never sleep longer than this on one retry, whatever Retry-After says


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
    """JSON over HTTP with retries on 429/5xx/connection errors and an optional response cache.

    `retries` is the total number of tries per request. Waits grow as backoff * 2**(try-1), unless the
    server sends Retry-After (seconds or an HTTP date), which wins. `sleep` is injectable so tests
    record the waits instead of sitting through them. Cached answers older than `cache_max_age` seconds
    are fetched again (USAspending revises records; a cache is for resuming, not for archiving).
    """

    def __init__(self, base_url: str, cache_dir: Path | str | None = None, timeout: float = 30, retries: int = 5,
                 backoff: float = 1.0, sleep=time.sleep, user_agent: str = USER_AGENT,
                 session: requests.Session | None = None, cache_max_age: float | None = None):
        if retries < 1:
            raise ValueError("retries is the number of tries and must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.cache_max_age = cache_max_age  # seconds; None: cached answers never expire
        self.timeout, self.retries, self.backoff, self.sleep = timeout, retries, backoff, sleep
        self.session = session or requests.Session()
        self.session.headers.update({"User-Agent": user_agent, "Accept": "application/json"})
        if self.cache_dir:
            self.cache_dir.mkdir(parents=True, exist_ok=True)

    def url(self, path: str, params: dict | None = None) -> str:
        """Full URL of `path` (absolute URLs pass through), with the query string requests would send."""
        url = path if re.match(r"^https?://", path) else f"{self.base_url}/{path.lstrip('/')}"
        return requests.Request("GET", url, params=params).prepare().url if params else url

    def get_json(self, path: str, params: dict | None = None):
        return self._request("GET", self.url(path, params), None)

    def post_json(self, path: str, body: dict):
        return self._request("POST", self.url(path), body)

    # -- internals ---------------------------------------------------------------------------------------

    def _request(self, method: str, url: str, body: dict | None):
        cache_file = self._cache_file(method, url, body)
        if cache_file is not None:
            fresh = self.cache_max_age is None or (
                cache_file.exists() and time.time() - cache_file.stat().st_mtime <= self.cache_max_age)
            cached = _read_cache(cache_file) if fresh else None
            if cached is not None:
                log.debug("cache hit for %s %s", method, url)
                return cached
        last = ""
        last_status: int | None = None
        for attempt in range(1, self.retries + 1):
            try:
                response = self.session.request(method, url, json=body, timeout=self.timeout)
            except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
                    requests.exceptions.MissingSchema) as error:
                raise ApiError(f"cannot use {url}: {error}; check --base-url", url=url) from None
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as error:
                last, last_status, wait = _reason(error, self.timeout), None, self._backoff(attempt)
                if attempt == self.retries:
                    raise ApiError(f"cannot reach {url}: {last}; check --base-url or your network",
                                   url=url) from None
                log.warning("%s %s: %s; try %d/%d failed, retrying in %.1fs", method, url, last, attempt,
                            self.retries, wait)
                self.sleep(wait)
                continue
            status = response.status_code
            if 200 <= status < 300:
                data = _json_of(response, url)
                if status == 200 and cache_file is not None:
                    _write_cache(cache_file, {"method": method, "url": url, "body": body, "response": data})
                return data
            if status != 429 and status < 500:
                raise ApiError(f"{url} answered {status}: {_detail(response)}; "
                               f"{'check the request filters' if status < 500 else 'try again later'}",
                               url=url, status=status)
            last, last_status = f"HTTP {status}", status
            if attempt == self.retries:
                break
            wait = _retry_after(response.headers.get("Retry-After"))
            wait = self._backoff(attempt) if wait is None else min(wait, MAX_WAIT)
            log.warning("%s %s answered %d; try %d/%d failed, retrying in %.1fs", method, url, status, attempt,
                        self.retries, wait)
            self.sleep(wait)
        raise ApiError(f"{url} still failing after {self.retries} tries ({last}); the service may be down or "
                       f"rate-limiting: wait and rerun (an interrupted load resumes from its checkpoint)",
                       url=url, status=last_status)

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff * 2 ** (attempt - 1), MAX_WAIT)

    def _cache_file(self, method: str, url: str, body: dict | None) -> Path | None:
        if self.cache_dir is None:
            return None
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        key = hashlib.sha256(f"{method.upper()} {url}\n{canonical}".encode()).hexdigest()
        return self.cache_dir / f"{key}.json"


def _json_of(response: requests.Response, url: str):
    try:
        return response.json()
    except ValueError:
        kind = response.headers.get("Content-Type", "unknown content type")
        raise ApiError(f"{url} answered {response.status_code} with {kind}, not JSON; check --base-url "
                       f"points at the API root", url=url, status=response.status_code) from None


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


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")


def _reason(error: Exception, timeout: float) -> str:
    """'connection refused' rather than requests' three-line pool message."""
    if isinstance(error, requests.Timeout):
        return f"no answer within {timeout:g}s"
    match = _ERRNO.search(str(error))
    if match:
        return match.group(1).strip().lower()
    text = str(error)
    for known in ("Connection refused", "Name or service not known", "Temporary failure in name resolution",
                  "Connection reset", "Remote end closed connection"):
        if known.lower() in text.lower():
            return known.lower()
    return type(error).__name__


def _read_cache(path: Path):
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)["response"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("ignoring unreadable cache file %s (%s)", path, error)
        return None


def _write_cache(path: Path, entry: dict) -> None:
    """Atomic: a crash leaves either the old file or the new one, never half a response."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(entry, handle, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
