"""The docs site as a reader gets it: published warehouse, charts, dbt docs, a real Chromium.

One session build (`built_warehouse`: dbt build + dbt docs generate) is
published with the real CLI, the charts are rendered from the published file
with the real CLI, and the site (index.html, manifest.json, catalog.json and
the chart assets, laid out as `dbt docs generate` copies `asset-paths`) is
served over HTTP on a free local port to Debian's Chromium, driven by
Playwright. Screenshots go to data/test-artifacts/docs-site/.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
PROJECT_DIR = Path(__file__).resolve().parents[3]
ARTIFACTS = PROJECT_DIR / "data" / "test-artifacts" / "docs-site"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class DocsSite:
    """The published file, the rendered charts and the served site of one build."""

    def __init__(self, root: Path, analytics: Path, charts: Path, url: str) -> None:
        self.root = root
        self.analytics = analytics
        self.charts = charts
        self.url = url


def _publish(built_warehouse, root: Path) -> Path:
    """Publish the session build with the real CLI.

    `built_warehouse` ran `dbt docs generate` after its build, which rewrote
    run_results.json and manifest.json; publish audits the build's own
    artifacts, so they are written back (the pipeline publishes before docs).
    """
    build_target = root / "build-target"
    build_target.mkdir()
    (build_target / "run_results.json").write_text(json.dumps(built_warehouse.build_results))
    (build_target / "manifest.json").write_text(json.dumps(built_warehouse.build_manifest))
    analytics = root / "analytics.duckdb"
    result = built_warehouse.cli(
        "publish",
        "--warehouse", str(built_warehouse.path),
        "--analytics", str(analytics),
        "--target-dir", str(build_target),
    )  # fmt: skip
    assert result.returncode == 0, f"publish failed:\n{result.stdout}\n{result.stderr}"
    return analytics


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def docs_site(built_warehouse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DocsSite]:
    root = tmp_path_factory.mktemp("docs_site")
    analytics = _publish(built_warehouse, root)
    charts = root / "charts"
    rendered = built_warehouse.cli("charts", "--analytics", str(analytics), "--out", str(charts))
    assert rendered.returncode == 0, f"charts failed:\n{rendered.stdout}\n{rendered.stderr}"

    site = root / "site"
    site.mkdir()
    for name in ("index.html", "manifest.json", "catalog.json"):
        shutil.copy(built_warehouse.target_dir / name, site / name)
    shutil.copytree(charts, site / "assets" / "charts")  # what dbt does with asset-paths

    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)  # port 0: a free one
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield DocsSite(site, analytics, charts, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory: pytest.TempPathFactory):
    """Headless Debian Chromium (never a downloaded browser), fresh profile."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} not found: `make system-packages` installs chromium", False)
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
            env={**os.environ, "HOME": str(profile)},
        )
        context.set_default_timeout(20_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    try:
        yield page
    finally:
        page.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
