"""Start-up: wall time of `perfdraft extract` on one small file, as a user runs it (a fresh process each time).

Part of bench/speed.py (`section(quick)`); alone: .venv/bin/python bench/speed_startup.py [--quick]
Three bytecode conditions: "as set up" (this environment unchanged: the .pyc files scripts/setup.sh compiled into
the venv; this machine sets PYTHONDONTWRITEBYTECODE=1, so nothing else is cached), "all cached" (a private
PYTHONPYCACHEPREFIX filled by a first run: every module, perfdraft's own too) and "none" (an empty prefix: every
module compiled from source at each start).
The floors (`python -c pass`, `python -c "import pydantic"`, one pydantic model class) run in the same rounds; the
ratios to them make the figure comparable across machines (the 250 ms target was set on another one).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = ROOT / ".venv" / "bin" / "python"
SCRIPT = ROOT / ".venv" / "bin" / "perfdraft"
DOC = next((ROOT / "eval" / "fixtures" / "corpus").glob("000_*.txt"))
TARGET_MS = 250.0


def _env(cache: Path | None = None, write: bool = False) -> dict[str, str]:
    """This environment without PERFDRAFT_* (the defaults); with cache, bytecode only from and to that folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERFDRAFT_")}
    if cache is not None:
        env["PYTHONPYCACHEPREFIX"] = str(cache)
        if write:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
        else:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _cpu_s() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def _runs(cmd: list[str], env: dict[str, str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system, the command and any worker it starts) milliseconds of each run."""
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), _cpu_s()
        proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((_cpu_s() - c) * 1000)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[:4])}… exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return wall, cpu


def _top_imports(cmd: list[str], env: dict[str, str], n: int = 6) -> list[tuple[str, float]]:
    """The third-party packages that cost most to import in one run (python -X importtime, cumulative ms)."""
    proc = subprocess.run([str(PY), "-X", "importtime", *cmd[1:]], env=env, cwd=ROOT, capture_output=True, text=True)
    cost: dict[str, float] = {}
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2].strip()
        if "." not in name and name not in ("perfdraft", "site", "encodings") and not name.startswith("_"):
            cost[name] = max(cost.get(name, 0.0), int(parts[1]) / 1000)  # a package's own line: its first import
    return sorted(cost.items(), key=lambda r: -r[1])[:n]


# The floors this machine puts under any Python program and any pydantic one, from the same environment: the
# target was set on another machine, and the ratios to these say how far perfdraft is from them anywhere.
FLOORS = {
    "`python -c pass`": [str(PY), "-c", "pass"],
    "`python -c \"import pydantic\"`": [str(PY), "-c", "import pydantic"],
    "one pydantic model class": [
        str(PY), "-c", "from pydantic import BaseModel\nclass M(BaseModel):\n    x: int = 1"],
}


def _rotated(cmds: dict[str, list[str]], env: dict[str, str], runs: int) -> dict[str, tuple[list[float], list[float]]]:
    """Wall and CPU ms of each command, run in rounds (every command once a round) so load drifts hit all alike."""
    got: dict[str, tuple[list[float], list[float]]] = {label: ([], []) for label in cmds}
    for _ in range(runs):
        for label, cmd in cmds.items():
            wall, cpu = _runs(cmd, env, 1)
            got[label][0].extend(wall)
            got[label][1].extend(cpu)
    return got


def section(quick: bool) -> list[str]:
    runs = 5 if quick else 15
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        out, warm, cold = tmp / "out", tmp / "pyc-warm", tmp / "pyc-none"
        cold.mkdir()
        extract = ["extract", str(DOC), "--out", str(out), "--force"]
        cases = {
            "`python -m perfdraft extract`": [str(PY), "-m", "perfdraft", *extract],
            "`perfdraft extract` (console script)": [str(SCRIPT), *extract],
            "`perfdraft --help`": [str(SCRIPT), "--help"],
        }
        for cmd in [*cases.values(), *FLOORS.values()]:
            _runs(cmd, _env(), 1)  # the page cache, not bytecode: the first run after a while reads every file
        here = _rotated({**cases, **FLOORS}, _env(), runs)
        for cmd in cases.values():
            _runs(cmd, _env(warm, write=True), 2)  # fills the private bytecode cache
        hot = _rotated(cases, _env(warm, write=True), runs)
        none = _rotated(cases, _env(cold), max(3, runs // 3))
        top = _top_imports(cases["`python -m perfdraft extract`"], _env(warm, write=True))
        produced = sorted(p.name for p in out.iterdir())
    med = {label: statistics.median(wall) for label, (wall, _) in here.items()}
    cpu = {label: statistics.median(c) for label, (_, c) in here.items()}
    rows = [f"| {label} | {med[label]:.0f} | {min(here[label][0]):.0f} | {cpu[label]:.0f} | "
            f"{statistics.median(hot[label][0]):.0f} | {statistics.median(none[label][0]):.0f} |" for label in cases]
    rows += [f"| floor: {label} | {med[label]:.0f} | {min(here[label][0]):.0f} | {cpu[label]:.0f} | – | – |"
             for label in FLOORS]
    module, script = med["`python -m perfdraft extract`"], med["`perfdraft extract` (console script)"]
    worst = max(module, script)
    bare, pyd = (med[label] for label in list(FLOORS)[:2])
    ratios = [f"| {label} | " + " | ".join(f"{med[label] / med[f]:.2f}× ({cpu[label] / cpu[f]:.2f}×)" for f in FLOORS)
              + " |" for label in cases]
    verdict = (f"**`perfdraft extract` of one {DOC.stat().st_size / 1024:.0f} KB file: {module:.0f} ms median wall "
               f"(console script {script:.0f} ms) as set up (target <= {TARGET_MS:g} ms: "
               f"{'met' if worst <= TARGET_MS else 'NOT met'}); {worst / bare:.1f}× `python -c pass` "
               f"({bare:.0f} ms) and {worst / pyd:.2f}× `import pydantic` ({pyd:.0f} ms) on this machine**")
    return [verdict, "",
            f"`{DOC.name}` -> a temporary `--out` folder with `--force`; medians of {runs} rounds ({max(3, runs // 3)} "
            f"without bytecode), every command once a round. Output folder holds: {', '.join(produced)}. Bytecode "
            "conditions in the module docstring of bench/speed_startup.py; the floors run from the same venv "
            "(its site start-up included) as set up.", "",
            "| command | as set up, median ms | min ms | CPU ms (median) | all cached, median ms | "
            "no bytecode, median ms |",
            "|---|---:|---:|---:|---:|---:|", *rows, "",
            "CPU is user + system time of the command and any worker it starts: on a shared machine it moves less "
            "with the other jobs than wall time does.", "",
            "Each command against the floors, as set up (median wall, median CPU in brackets); the ratios, unlike the "
            "milliseconds, carry over between machines:", "",
            "| command | " + " | ".join(f"÷ {label}" for label in FLOORS) + " |",
            "|---|" + "---:|" * len(FLOORS), *ratios, "",
            "Costliest packages imported by `python -m perfdraft extract` (all cached, `-X importtime`, "
            "cumulative, in whichever process imports them): "
            + ", ".join(f"{name} {ms:.0f} ms" for name, ms in top) + "."]


if __name__ == "__main__":
    print("\n".join(section("--quick" in sys.argv)))
