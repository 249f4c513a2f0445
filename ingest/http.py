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
import sys
import tempfile
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

log = logging.getLogger(__name__)

USER_AGENT = "procurement-kg/0.1 (python-requests; public procurement records)"
MAX_WAIT = 300.0  # never sleep longer than this on one retry, whatever Retry-After says
MAX_REDIRECTS = 5
CHUNK = 1 << 20
CONNECT_TIMEOUT = 10.0  # seconds to open the connection
DEADLINE = 120.0  # seconds for one whole JSON answer: a server trickling bytes cannot hold a run for ever


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

    `timeout` is the read timeout (the longest silence between two reads) and `deadline` the most one JSON answer
    may take from the request to its last byte; connecting may take CONNECT_TIMEOUT. `retries` is the total
    number of tries per request. Waits grow as backoff * 2**(try-1), unless the
    server sends Retry-After (seconds or an HTTP date), which wins. `sleep` is injectable so tests
    record the waits instead of sitting through them. Cached answers older than `cache_max_age` seconds
    are fetched again (USAspending revises records; a cache is for resuming, not for archiving).
    """

    def __init__(self, base_url: str, cache_dir: Path | str | None = None, timeout: float = 30, retries: int = 5,
                 backoff: float = 1.0, sleep=time.sleep, user_agent: str = USER_AGENT,
                 session: requests.Session | None = None, cache_max_age: float | None = None,
                 deadline: float = DEADLINE):
        if retries < 1:
            raise ValueError("retries is the number of tries and must be at least 1")
        if not 0 < deadline < float("inf"):
            raise ValueError("deadline is the most seconds one answer may take and must be a positive number")
        self.base_url = base_url.rstrip("/")
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.cache_max_age = cache_max_age  # seconds; None: cached answers never expire
        self.timeout, self.retries, self.backoff, self.sleep = timeout, retries, backoff, sleep
        self.deadline = deadline
        self.session = session or requests.Session()
        self.session.headers.update({"User-Agent": user_agent, "Accept": "application/json"})
        if self.cache_dir:
            self.cache_dir.mkdir(parents=True, exist_ok=True)

    def url(self, path: str, params: dict | None = None) -> str:
        """Full URL of `path` (absolute URLs pass through), with the query string requests would send."""
        url = path if re.match(r"^https?://", path) else f"{self.base_url}/{path.lstrip('/')}"
        return requests.Request("GET", url, params=params).prepare().url if params else url

    def get_json(self, path: str, params: dict | None = None, cache: bool = True):
        """`cache=False` for answers that change by the minute (a download's status)."""
        return self._request("GET", self.url(path, params), None, cache)

    def post_json(self, path: str, body: dict, cache: bool = True):
        return self._request("POST", self.url(path), body, cache)

    def download(self, path: str, dest: Path, *, expected_bytes: float | None = None,
                 hosts: frozenset[str] = frozenset(), progress: bool = True) -> Path:
        """Stream a file to `dest` through `dest.part`: a broken transfer resumes where it stopped (a Range
        request; a server that ignores it sends the whole file again), and the result must have the size the
        server declared and, within the API's rounding to a byte in a thousand, `expected_bytes`."""
        url = self.url(path)
        if _host(url) not in {self.host, *hosts}:
            raise ApiError(f"{url} is not on {self.base_url}{' or ' + ', '.join(sorted(hosts)) if hosts else ''}; "
                           f"not fetched (pass --files-host https://HOST if the API serves its files from there)", url=url)
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".part")
        last, last_status = "", None
        for attempt in range(1, self.retries + 1):
            have = part.stat().st_size if part.exists() else 0
            headers = {"Accept": "*/*", "Accept-Encoding": "identity", **({"Range": f"bytes={have}-"} if have else {})}
            wait = None
            try:
                with self._send("GET", url, None, headers=headers, stream=True, hosts=hosts) as response:
                    status = response.status_code
                    if status == 416 and have:  # nothing after what we have: start over rather than guess
                        part.unlink()
                        last, last_status = "the partial file was longer than the file", status
                        continue
                    if status == 429 or status >= 500:
                        last, last_status = f"HTTP {status}", status
                        wait = _retry_after(response.headers.get("Retry-After"))
                        raise _Retry()
                    if status not in (200, 206):
                        raise ApiError(f"{url} answered {status}: {_detail(response)}; the file may have expired: "
                                       f"request the download again", url=url, status=status)
                    resumed = status == 206 and _range_start(response.headers.get("Content-Range")) == have
                    length = response.headers.get("Content-Length")
                    total = (have if resumed else 0) + int(length) if length and length.isdigit() else None
                    with part.open("ab" if resumed else "wb") as out, \
                            _bar(progress, dest.name, total, have if resumed else 0) as bar:
                        for chunk in response.raw.stream(CHUNK, decode_content=False):
                            out.write(chunk)
                            bar.update(len(chunk))
                got = part.stat().st_size
                if total is not None and got != total:
                    last, last_status = f"the transfer broke after {got:,} of {total:,} bytes", status
                    raise _Retry()
                break
            except _Retry:
                pass
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
                    urllib3.exceptions.HTTPError) as error:
                last, last_status = _reason(error, self.timeout), None
            if attempt == self.retries:
                raise ApiError(f"{url} could not be downloaded after {self.retries} tries ({last}); rerun the "
                               f"same command to resume from the {part.stat().st_size if part.exists() else 0:,} "
                               f"bytes kept in {part}", url=url, status=last_status)
            wait = self._backoff(attempt) if wait is None else min(wait, MAX_WAIT)
            log.warning("GET %s: %s; try %d/%d failed, resuming in %.1fs", url, last, attempt, self.retries, wait)
            self.sleep(wait)
        else:
            raise ApiError(f"{url} could not be downloaded ({last})", url=url, status=last_status)
        got = part.stat().st_size
        if expected_bytes is not None and abs(got - expected_bytes) > max(1000, expected_bytes / 1000):
            part.unlink()
            raise ApiError(f"{url}: received {got:,} bytes but the download status reported {expected_bytes:,.0f}; "
                           f"the partial file was deleted: rerun to fetch it again", url=url)
        os.replace(part, dest)
        return dest

    # -- internals ---------------------------------------------------------------------------------------

    def _request(self, method: str, url: str, body: dict | None, cache: bool = True):
        cache_file = self._cache_file(method, url, body) if cache else None
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
                started = time.monotonic()
                response = self._send(method, url, body, stream=True)
                _read_within(response, started + self.deadline, self.deadline)
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
                try:
                    data = _json_of(response, url)
                except ApiError as error:  # an HTML error page or a cut-off body: a proxy's hiccup, try again
                    last, last_status = str(error), status
                    if attempt == self.retries:
                        raise
                    wait = self._backoff(attempt)
                    log.warning("%s; try %d/%d failed, retrying in %.1fs", error, attempt, self.retries, wait)
                    self.sleep(wait)
                    continue
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

    def _send(self, method: str, url: str, body: dict | None, headers: dict | None = None, stream: bool = False,
              hosts: frozenset[str] = frozenset()) -> requests.Response:
        """One request, following redirects only within the base URL's host (or `hosts`): a redirect
        elsewhere could hand our requests, or a file we load, to a server the user never chose."""
        allowed = {self.host} | set(hosts)
        for _ in range(MAX_REDIRECTS + 1):
            response = self.session.request(method, url, json=body, timeout=(min(CONNECT_TIMEOUT, self.timeout),
                                                                             self.timeout),
                                            headers=headers, stream=stream, allow_redirects=False)
            if response.status_code not in (301, 302, 303, 307, 308) or "Location" not in response.headers:
                return response
            target = urljoin(url, response.headers["Location"])
            response.close()
            if _host(target) not in allowed:
                raise ApiError(f"{url} redirected to {target}, a host other than the configured {self.base_url}; "
                               f"not followed (check --base-url; a proxy or captive portal may be in the way)",
                               url=url, status=response.status_code)
            if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                method, body = "GET", None
            url = target
        raise ApiError(f"{url} redirected more than {MAX_REDIRECTS} times; not followed", url=url)

    @property
    def host(self) -> str:
        return _host(self.base_url)

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff * 2 ** (attempt - 1), MAX_WAIT)

    def _cache_file(self, method: str, url: str, body: dict | None) -> Path | None:
        if self.cache_dir is None:
            return None
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        key = hashlib.sha256(f"{method.upper()} {url}\n{canonical}".encode()).hexdigest()
        return self.cache_dir / f"{key}.json"


class _Deadline(requests.Timeout):
    """The whole answer did not arrive within the deadline, however steadily its bytes came."""


def _read_within(response: requests.Response, deadline_at: float, deadline: float) -> None:
    """Read a streamed answer's body into it by reads of what has arrived, checking the clock between reads
    (one `read()` would wait for the whole body, and a trickle never trips the read timeout)."""
    parts = []
    try:
        while chunk := response.raw.read1(CHUNK, decode_content=True):
            parts.append(chunk)
            if time.monotonic() > deadline_at:
                raise _Deadline(f"the answer took longer than the {deadline:g}s deadline")
    except urllib3.exceptions.ReadTimeoutError as error:
        response.close()
        raise requests.Timeout(str(error)) from None
    except (urllib3.exceptions.ProtocolError, urllib3.exceptions.DecodeError) as error:
        response.close()
        raise requests.exceptions.ChunkedEncodingError(str(error)) from None
    except _Deadline:
        response.close()
        raise
    response._content = b"".join(parts)  # what requests' .json() and .text read
    response._content_consumed = True
    response.close()  # the body is read: this hands the connection back to the pool


class _Retry(Exception):
    """This try failed in a way worth another (the reason is already noted)."""


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _range_start(content_range: str | None) -> int | None:
    match = re.match(r"bytes (\d+)-", content_range or "")
    return int(match.group(1)) if match else None


def _bar(progress: bool, name: str, total: int | None, initial: int):
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="B", unit_scale=True, unit_divisor=1024, desc=name,
                disable=not progress, file=sys.stderr, mininterval=0.5, dynamic_ncols=True)


def _json_of(response: requests.Response, url: str):
    try:
        return response.json()
    except ValueError as error:
        kind = response.headers.get("Content-Type", "unknown content type")
        if "json" not in kind.lower():
            raise ApiError(f"{url} answered {response.status_code} with {kind}, not JSON; check --base-url "
                           f"points at the API root", url=url, status=response.status_code) from None
        position = getattr(error, "pos", None)  # a character index into the decoded text: say it in bytes
        where = "" if position is None else \
            f" (byte {len(response.text[:position].encode(response.encoding or 'utf-8', 'replace'))})"
        raise ApiError(f"{url} answered {response.status_code} with {kind}, but the body is not valid JSON{where}; "
                       f"the answer was damaged or cut off: run the same command again", url=url,
                       status=response.status_code) from None


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
    if isinstance(error, _Deadline):
        return str(error)
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
