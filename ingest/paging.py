"""A bound on paged searches: a server that never ends its pages must not keep a load running for ever.

The search says `hasNext` itself, so a broken or hostile server can answer it true on every page, hand back an
empty page that claims more, or serve the same page again (the same cursor, or the same first and last
records). Each stops the run with one sentence naming the URL and the page, and so does passing the page cap.
"""

from __future__ import annotations

from .http import ApiError

MAX_PAGES = 5_000  # 500,000 awards at 100 a page: far past any one agency's search; --max-pages raises it


class PageGuard:
    """Checks each page of one paged search before the next is asked for."""

    def __init__(self, url: str, cap: int = MAX_PAGES, what: str = "search"):
        if cap < 1:
            raise ValueError("the page cap must be at least 1")
        self.url, self.cap, self.what = url, cap, what
        self.pages = 0
        self.seen: dict[tuple, int] = {}  # page signature -> the page that first had it

    def restart(self) -> None:
        """A new date window of the same run: its pages may begin where another window's did."""
        self.seen.clear()

    def check(self, page: int, ids: list, has_next: bool, cursor: dict | None = None) -> None:
        """`ids`: the page's record ids in order; `cursor`: what the page gives to ask for the next one."""
        self.pages += 1
        if has_next and not ids:
            raise ApiError(
                f"{self.url}: {self.what} page {page} is empty but says more pages follow (hasNext); "
                f"stopped rather than page for ever. The server may be failing: rerun later",
                url=self.url,
            )
        if not has_next:
            return
        for signature in (
            (("cursor",) + tuple(sorted(cursor.items()))) if cursor else None,
            ("ids", ids[0], ids[-1], len(ids)),
        ):
            if signature is None:
                continue
            if signature in self.seen:
                same = "cursor" if signature[0] == "cursor" else "first and last records"
                raise ApiError(
                    f"{self.url}: {self.what} page {page} repeats page {self.seen[signature]} (the same "
                    f"{same}); stopped rather than page for ever. The server may be failing: rerun "
                    f"later (a resumed run starts after the last page loaded)",
                    url=self.url,
                )
            self.seen[signature] = page
        if self.pages >= self.cap:
            raise ApiError(
                f"{self.url}: {self.what} still says more pages follow after {self.pages:,} pages, the "
                f"cap; narrow the run (--start/--end) or raise --max-pages (what was read is kept; a rerun "
                f"resumes)",
                url=self.url,
            )
