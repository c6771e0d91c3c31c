"""LibreOffice headless as a converter (.doc/.wps -> DOCX, .et/.xls -> XLSX), kept warm across files.

One soffice process per Python process is started on first use and reused for every later file (a batch worker
converts all its files through it), so a batch pays LibreOffice's start-up (several seconds on a busy 2-core
machine) once per worker instead of once per file (BENCHMARKS.md: warm vs cold). Files are driven over UNO by
lo_bridge.py, run with the Python that has LibreOffice's `uno` module (Debian's python3-uno); without that
module each file gets its own `soffice --convert-to` run. When the owning process dies (even by SIGKILL), the
bridge's stdin closes and it terminates the office, so no soffice is left behind.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from perfdraft.core.errors import CorruptDocument, UnsupportedFormat

FILTERS = {"docx": "MS Word 2007 XML", "xlsx": "Calc MS Excel 2007 XML"}
START_TIMEOUT_S = 60.0
CONVERT_TIMEOUT_S = 90.0
RESTART_EXIT = 81  # soffice.bin: "restart me" (after first-run profile set-up)
UNO_PYTHONS = ("/usr/bin/python3", "/usr/lib/libreoffice/program/python")


class LibreOfficeMissing(UnsupportedFormat):
    """A legacy Office/WPS file, but no LibreOffice on this machine to convert it."""

    kind = "libreoffice-missing"


class ConversionFailed(CorruptDocument):
    """LibreOffice could not open or convert the file."""

    kind = "conversion-failed"


def soffice_binary() -> str | None:
    """soffice.bin itself (the soffice wrapper forks it, and a killed wrapper would leave it running)."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        return None
    real = Path(os.path.realpath(found))
    binary = real.with_name("soffice.bin")
    return str(binary) if binary.is_file() else str(real)


def uno_python() -> str | None:
    """A Python that can import LibreOffice's uno module, or None."""
    for py in UNO_PYTHONS:
        if Path(py).is_file():
            ok = subprocess.run([py, "-c", "import uno"], capture_output=True, timeout=30).returncode == 0
            if ok:
                return py
    return None


class LibreOffice:
    """A headless LibreOffice started once and reused; convert() is safe to call from several threads."""

    def __init__(self, soffice: str | None = None, python: str | None = None, warm: bool = True) -> None:
        self.soffice = soffice or soffice_binary()
        self.python = (python or uno_python()) if warm else None
        self.starts = 0  # soffice start-ups so far (one per process when warm)
        self._lock = threading.Lock()
        self._office: subprocess.Popen | None = None
        self._bridge: subprocess.Popen | None = None
        self._profile = tempfile.mkdtemp(prefix="perfdraft-lo-")

    @property
    def warm(self) -> bool:
        return self.python is not None

    def convert(self, src: Path, fmt: str, out_dir: Path) -> Path:
        """src converted to fmt ('docx' or 'xlsx') inside out_dir; raises LibreOfficeMissing/ConversionFailed."""
        if not self.soffice:
            raise LibreOfficeMissing(f"{src.suffix or 'this'} files need LibreOffice (soffice) to be read, and "
                                     "it is not installed", file=str(src))
        dst = out_dir / f"{src.stem}.{fmt}"
        with self._lock:
            if self.warm:
                self._convert_warm(src, dst, FILTERS[fmt])
            else:
                self._convert_cold(src, dst, fmt)
        if not dst.is_file() or dst.stat().st_size == 0:
            raise ConversionFailed(f"LibreOffice produced no {fmt.upper()} from this file", file=str(src))
        return dst

    # ---------------------------------------------------------------------------------------- warm

    def _start(self) -> None:
        pipe = f"perfdraft_{os.getpid()}_{id(self)}"
        self.starts += 1
        cmd = [self.soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
               f"-env:UserInstallation=file://{self._profile}", f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"]
        self._office = self._spawn(cmd)
        bridge = Path(__file__).with_name("lo_bridge.py")
        self._bridge = subprocess.Popen([self.python, str(bridge), pipe, str(START_TIMEOUT_S)], text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT_S + 5
        ready = None
        while ready is None and time.monotonic() < deadline and self._bridge.poll() is None:
            # soffice.bin exits with 81 after creating a new profile and expects to be started again
            if self._office.poll() == RESTART_EXIT:
                self._office = self._spawn(cmd)
            ready = self._answer(0.5)
        if not (ready and ready.get("ready")):
            self.close()
            raise ConversionFailed("LibreOffice did not start")

    @staticmethod
    def _spawn(cmd: list[str]) -> subprocess.Popen:
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def _answer(self, timeout: float) -> dict | None:
        assert self._bridge is not None and self._bridge.stdout is not None
        readable, _, _ = select.select([self._bridge.stdout], [], [], timeout)
        if not readable:
            return None
        line = self._bridge.stdout.readline()
        return json.loads(line) if line.strip() else None

    def _alive(self) -> bool:
        return all(p is not None and p.poll() is None for p in (self._office, self._bridge))

    def _convert_warm(self, src: Path, dst: Path, filt: str) -> None:
        if not self._alive():
            self.close()
            self._start()
        assert self._bridge is not None and self._bridge.stdin is not None
        try:
            self._bridge.stdin.write(json.dumps({"src": str(src.resolve()), "dst": str(dst.resolve()),
                                                 "filter": filt}) + "\n")
            self._bridge.stdin.flush()
            answer = self._answer(CONVERT_TIMEOUT_S)
        except (BrokenPipeError, OSError, ValueError):
            answer = None
        if answer is None:  # hung or died on this file: the next file gets a fresh office
            self.close()
            raise ConversionFailed(f"LibreOffice did not convert the file within {CONVERT_TIMEOUT_S:g} s "
                                   "(or stopped)", file=str(src))
        if not answer.get("ok"):
            raise ConversionFailed(f"LibreOffice could not read the file ({answer.get('error')})", file=str(src))

    # ---------------------------------------------------------------------------------------- cold

    def _convert_cold(self, src: Path, dst: Path, fmt: str) -> None:
        self.starts += 1
        cmd = [self.soffice, "--headless", "--norestore", "--nolockcheck", f"-env:UserInstallation=file://{self._profile}",
               "--convert-to", f"{fmt}:{FILTERS[fmt]}", "--outdir", str(dst.parent), str(src)]
        try:
            for _ in range(2):  # a first run on a new profile only sets it up and asks to be run again
                if subprocess.run(cmd, capture_output=True, timeout=CONVERT_TIMEOUT_S).returncode != RESTART_EXIT:
                    break
        except subprocess.TimeoutExpired:
            raise ConversionFailed(f"LibreOffice did not convert the file within {CONVERT_TIMEOUT_S:g} s",
                                   file=str(src)) from None

    def close(self) -> None:
        """Stop the office and the bridge (asks politely, then kills)."""
        bridge, office = self._bridge, self._office
        self._bridge = self._office = None
        if bridge is not None:
            try:
                if bridge.poll() is None and bridge.stdin is not None:
                    bridge.stdin.write(json.dumps({"quit": True}) + "\n")
                    bridge.stdin.flush()
                bridge.wait(5)
            except (BrokenPipeError, OSError, ValueError, subprocess.TimeoutExpired):
                bridge.kill()
                bridge.wait(5)
        if office is not None:
            try:
                office.wait(10)
            except subprocess.TimeoutExpired:
                office.kill()
                office.wait(5)

    def shutdown(self) -> None:
        """close(), and remove this office's profile (a new office sets up its own)."""
        self.close()
        shutil.rmtree(self._profile, ignore_errors=True)


_shared: LibreOffice | None = None
_shared_lock = threading.Lock()


def shared_office() -> LibreOffice:
    """This process's LibreOffice, created on first use and closed at exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = LibreOffice()
        return _shared


@atexit.register
def stop_shared_office() -> None:
    """Stop this process's LibreOffice now (at exit, or for tests and benchmarks; a later file starts a new one)."""
    global _shared
    with _shared_lock:
        if _shared is not None:
            _shared.shutdown()
            _shared = None
