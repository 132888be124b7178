"""Debian's headless Chromium driven by Selenium, and the review application served in a thread: what the
browser tests (tests/test_review_browser.py) and ``make screenshots`` (scripts/screenshots.py) use.

Chromium is started with a fresh profile folder and without any of its own network traffic (no
updates, sync, first-run pages), so it works on a machine without network. Selenium is given the
paths of the browser and its driver, so that it never looks for (or downloads) one of its own.
scripts/install_browser.sh installs both from Debian's packages.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Iterator

CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("KG_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
         "--disable-extensions", "--disable-default-apps", "--lang=en-GB")


def available() -> bool:
    return os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)


@contextlib.contextmanager
def chromium(width: int = 1400, height: int = 1000) -> Iterator:
    """A Selenium WebDriver on a headless Chromium with a new, empty profile (removed afterwards)."""
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager: never fetch a driver or a browser
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="kg-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.add_argument(f"--window-size={width},{height}")
        driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
        try:
            yield driver
        finally:
            driver.quit()


@contextlib.contextmanager
def served(app, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve the Flask ``app`` on a free port in a thread; yields its base URL."""
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in test or script output
    server = make_server(host, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()
