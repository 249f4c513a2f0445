"""Running the dashboard under Streamlit's AppTest, and reading what a page shows: shared by the page tests."""

from __future__ import annotations

from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest, app_test

from tests.dashboard_support import ROOT, curated_env

APP = str(ROOT / "dashboard" / "app.py")


def run(page: str = "network", timeout: int = 180, /, **query) -> AppTest:
    """The app opened on `page` (the default, Network, without switching) with the query parameters (positional
    only, so a query may hold `page` or `view`, as the Network and Local pages' do)."""
    app = AppTest.from_file(APP, default_timeout=timeout)
    app.query_params.update(query)
    app.run()
    if page != "network":
        app.switch_page(f"views/{page}.py")
        app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def iframe_html(app: AppTest) -> str:
    frames = [e for e in app.main if type(e).__name__ == "UnknownElement" and e.type == "iframe"]
    assert len(frames) == 1
    proto = frames[0].proto
    return proto.srcdoc or proto.src


def frame(app: AppTest, column: str):
    """The first table on the page with this column."""
    return next(d.value for d in app.dataframe if column in d.value.columns)


def texts(app: AppTest) -> str:
    parts = [
        e.value
        for kind in ("title", "header", "subheader", "caption", "markdown", "text", "code")
        for e in getattr(app, kind)
    ]
    parts += [m.value for m in app.metric] + [m.label for m in app.metric]
    return "\n".join(str(p) for p in parts)


class RecordingStorage(MemoryMediaFileStorage):
    """Streamlit's own in-memory media storage, remembered so a test can read what a download button serves."""

    last: RecordingStorage | None = None

    def __init__(self, endpoint: str):
        super().__init__(endpoint)
        RecordingStorage.last = self


class RecordingManager(MediaFileManager):
    """Streamlit's media file manager, remembered so a test can run a deferred download's callable."""

    last: RecordingManager | None = None

    def __init__(self, storage):
        super().__init__(storage)
        RecordingManager.last = self


def serve(home, patch):
    """The dashboard on this store home (its curated files, the embedded store), its downloads readable."""
    for name, value in curated_env(home).items():
        patch.setenv(name, value)
    patch.setenv("KG_STORE", "embedded")
    patch.setattr(app_test, "MemoryMediaFileStorage", RecordingStorage)
    patch.setattr(app_test, "MediaFileManager", RecordingManager)
    return home


def download(app: AppTest, label: str) -> bytes:
    """The bytes the download button with this label serves."""
    button = next(b for b in app.get("download_button") if b.label == label)
    url = button.proto.url
    if button.proto.deferred_file_id:  # built when clicked: run its callable as Streamlit's file request does
        url = RecordingManager.last.execute_deferred(button.proto.deferred_file_id)
    return RecordingStorage.last.get_file(url.rsplit("/", 1)[1]).content
