"""End-to-end in real headless Chromium: start the app, fill the brief, draft, download the Excel, screenshot."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                 "(apt-get install chromium; scripts/test.sh does it when run as root)")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(tmp: Path):
    """`streamlit run app.py` on a free loopback port with a fresh data directory under tmp; yields (url, pid).

    The repository's .streamlit/config.toml applies (upload limit, viewer toolbar), as it does for staff."""
    port = _free_port()
    env = {**os.environ, "PERFDRAFT_DATA_DIR": str(tmp / "data")}
    for var in ("PERFDRAFT_STORE", "PERFDRAFT_CHROMA_HOST", "PERFDRAFT_LLM_BASE_URL", "PERFDRAFT_LLM_MODEL"):
        env.pop(var, None)
    log = (tmp / "streamlit.log").open("wb")
    streamlit = Path(sys.executable).with_name("streamlit")
    proc = subprocess.Popen([str(streamlit), "run", str(ROOT / "app.py"), "--server.address", "127.0.0.1",
                             "--server.port", str(port), "--server.fileWatcherType", "none"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("streamlit did not start:\n" + (tmp / "streamlit.log").read_text(errors="replace"))
            time.sleep(0.3)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
def server(tmp_path):
    with streamlit_server(tmp_path) as (url, _):
        yield url


def test_draft_and_download_excel_in_chromium(server, tmp_path):
    from openpyxl import load_workbook
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 2600}, accept_downloads=True)
            page.goto(server)
            # first start loads the sample corpus; the form appears when the page is ready
            expect(page.get_by_role("button", name="生成草稿")).to_be_visible(timeout=120_000)
            page.get_by_label("项目名称", exact=True).fill("印刷费")
            page.get_by_label("部门", exact=True).fill("唐山市医疗保障局")
            page.get_by_label("预算数（万元）", exact=True).fill("12")
            page.get_by_label("年度", exact=True).fill("2026")
            page.get_by_role("button", name="生成草稿").click()
            expect(page.get_by_text("草稿：2026年 印刷费")).to_be_visible(timeout=120_000)
            expect(page.get_by_text("没有错误", exact=False).first).to_be_visible()
            assert page.locator(".stException").count() == 0, "a traceback reached the page"
            download_button = page.get_by_role("button", name="下载 Excel")
            expect(download_button).to_be_visible(timeout=60_000)
            expect(page.get_by_role("button", name="下载 JSON")).to_be_visible(timeout=60_000)
            page.screenshot(path=str(ARTIFACTS / "draft_page.png"), full_page=True)
            with page.expect_download(timeout=60_000) as info:
                download_button.click()
            xlsx = tmp_path / "draft.xlsx"
            info.value.save_as(xlsx)
        finally:
            browser.close()
    wb = load_workbook(xlsx)
    ws = wb.worksheets[0]
    assert ws.merged_cells.ranges, "the 绩效目标表 layout merges 一级/二级 cells"
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert "印刷费" in text and "产出指标" in text
