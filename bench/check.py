"""`kyoto check` on a large definition, against same-run YAML baselines (a script, not a test).

    .venv/bin/python bench/check.py [--questions 2000]

Writes a generated definition (`bench/generate.py`) to a temporary folder and measures:

- `yaml.load(text, Loader=yaml.CSafeLoader)` (libyaml parser, Python constructor)  baseline
- `yaml.parse(text, Loader=yaml.CSafeLoader)`, events only: the floor of any loader that, like
  the engine's, builds its own tree from libyaml events to keep line and column numbers
- `yaml.safe_load(text)` (pure Python)                                             baseline
- the engine's `load_file` (positioned tree) and the whole in-process `check_file`
- the CLI, `kyoto check FILE`, as a subprocess, against `python -c pass` (interpreter
  start-up) and the same check in a bare `python -c` (the difference is what the CLI's own
  imports cost)
- `check_file` at a quarter and half the size, to show how the time grows

Times are medians of wall-clock time (`time.perf_counter`), with the CPU time of the same runs
beside them: on a busy machine wall time swings with the load, CPU time much less, and the
ratios between rows measured in the same run are what to read. The target (a 2,000-question
check under 1 second) is printed as met or not, never asserted. Memory: tracemalloc peak of one
in-process check, and the peak RSS of the CLI (from GNU time, when installed).
"""

from __future__ import annotations

import argparse
import gc
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import generate
import yaml

from engine.checker import check_file
from engine.yaml_source import MAX_BYTES, load_file

TARGET_SECONDS = 1.0
BIN = Path(sys.executable).parent


@dataclass
class Row:
    name: str
    wall: float  # median seconds
    cpu: float  # median CPU seconds (this process, or the child's user + system)
    runs: int
    peak_kib: int = 0  # a subprocess's peak RSS, 0 when unknown
    status: int = 0
    stderr: str = ""


def in_process(name: str, fn: Callable[[], Any], repeats: int) -> Row:
    walls, cpus = [], []
    for _ in range(repeats):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
    return Row(name, statistics.median(walls), statistics.median(cpus), repeats)


def gnu_time() -> str | None:
    """GNU time, which reports a child's own peak RSS (`%M`), or None.

    The rusage of a child this process forks (or vforks) would count the copy of this process
    it started as, so `os.wait4` cannot give the CLI's own peak.
    """
    path = shutil.which("time") or "/usr/bin/time"
    try:
        probe = subprocess.run([path, "-q", "-f", "%M", "true"], capture_output=True, text=True)
    except OSError:
        return None
    return path if probe.returncode == 0 and probe.stderr.strip().isdigit() else None


def subprocess_row(name: str, argv: list[str], repeats: int, timer: str | None) -> Row:
    walls, cpus, peaks = [], [], []
    status, stderr = 0, ""
    for _ in range(repeats):
        with tempfile.NamedTemporaryFile(suffix=".rss") as rss:
            command = [timer, "-q", "-f", "%M", "-o", rss.name, *argv] if timer else argv
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            child = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            walls.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            text = Path(rss.name).read_text().strip() if timer else ""
        peaks.append(int(text.splitlines()[-1]) if text[-1:].isdigit() else 0)
        status = max(status, child.returncode)
        stderr = child.stderr.decode(errors="replace")
    return Row(
        name,
        statistics.median(walls),
        statistics.median(cpus),
        repeats,
        max(peaks),
        status,
        stderr,
    )


def drain_events(text: str) -> None:
    for _event in yaml.parse(text, Loader=yaml.CSafeLoader):
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5, help="in-process runs (median)")
    parser.add_argument("--cli-repeats", type=int, default=3, help="CLI runs (median)")
    parser.add_argument(
        "--pure-repeats", type=int, default=1, help="yaml.safe_load runs (about 5x a check)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    timer = gnu_time()

    with tempfile.TemporaryDirectory(prefix="kyoto-bench-") as folder:
        files = {}
        for n in (args.questions // 4, args.questions // 2, args.questions):
            files[n] = Path(folder) / f"bench-{n}.yaml"
            files[n].write_text(generate.definition(n).yaml, encoding="utf-8")
        path = files[args.questions]
        text = path.read_text(encoding="utf-8")
        size = path.stat().st_size
        print(
            f"Check: generated {args.questions}-question definition, {size / 1024:.0f} KiB "
            f"({size / MAX_BYTES:.0%} of the 1 MiB limit), {text.count(chr(10)):,} lines; "
            f"Python {sys.version.split()[0]}, PyYAML {yaml.__version__} "
            f"(libyaml {'yes' if yaml.__with_libyaml__ else 'NO'})"
        )

        first = in_process("engine check_file, first run", lambda: check_file(path), 1)
        result = check_file(path)
        if not result.ok or result.problems:
            for problem in result.problems[:20]:
                print(problem)
            print("the generated definition does not check clean")
            return 1

        c_load = in_process(
            "yaml.load, CSafeLoader (baseline)",
            lambda: yaml.load(text, Loader=yaml.CSafeLoader),
            3,
        )
        events = in_process("yaml.parse events only, CSafeLoader", lambda: drain_events(text), 3)
        pure = in_process(
            "yaml.safe_load, pure Python (baseline)",
            lambda: yaml.safe_load(text),
            args.pure_repeats,
        )
        engine_load = in_process("engine load_file (positioned tree)", lambda: load_file(path), 3)
        check = in_process(
            "engine check_file (whole check)", lambda: check_file(path), args.repeats
        )
        scaling = {
            n: in_process(f"check_file {n}", lambda p=p: check_file(p), 2)
            for n, p in files.items()
            if n != args.questions
        }
        scaling[args.questions] = check

        python = str(BIN / "python")
        bare = subprocess_row(
            "python -c pass (subprocess)", [python, "-c", "pass"], args.cli_repeats, timer
        )
        engine_only = subprocess_row(
            "python -c 'check_file(FILE)' (no webapp)",
            [python, "-c", f"from engine.checker import check_file; check_file({str(path)!r})"],
            max(1, args.cli_repeats - 1),
            timer,
        )
        cli = subprocess_row(
            "kyoto check FILE (subprocess)",
            [str(BIN / "kyoto"), "check", str(path)],
            args.cli_repeats,
            timer,
        )

        gc.collect()
        tracemalloc.start()
        check_file(path)
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

    rows = [c_load, events, pure, engine_load, check, first, bare, engine_only, cli]
    print()
    header = (
        f"{'':40} {'wall':>8} {'cpu':>8} {'runs':>5} {'wall / CSafeLoader':>19} "
        f"{'wall / check_file':>18}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.name:40} {row.wall * 1000:6.0f}ms {row.cpu * 1000:6.0f}ms {row.runs:5} "
            f"{row.wall / c_load.wall:18.2f}x {row.wall / check.wall:17.2f}x"
        )
    print()
    print("ratios (wall; CPU time in brackets)")

    def both(a: Row, b: Row) -> str:
        return f"{a.wall / b.wall:6.2f}x ({a.cpu / b.cpu:.2f}x)"

    print(f"  check_file / yaml.load CSafeLoader         {both(check, c_load)}")
    print(f"  check_file / yaml.safe_load pure Python    {both(check, pure)}")
    print(f"  engine load_file / libyaml events alone    {both(engine_load, events)}")
    print(
        f"  share of check_file spent in load_file     {engine_load.wall / check.wall:6.0%} "
        f"({engine_load.cpu / check.cpu:.0%})"
    )
    print(
        f"  kyoto check CLI / in-process check_file    {both(cli, check)}; start-up "
        f"{cli.wall - check.wall:.2f} s wall"
    )
    print(
        f"  kyoto check CLI / same check in python -c  {both(cli, engine_only)}: "
        "the cost of the CLI's own imports"
    )
    print(
        "  scaling, CPU microseconds per question: "
        + ", ".join(f"{n}: {row.cpu / n * 1e6:.0f}" for n, row in sorted(scaling.items()))
    )

    def verdict(row: Row) -> str:
        return "met" if row.wall < TARGET_SECONDS else "NOT met"

    print(
        f"target: check of {args.questions} questions under {TARGET_SECONDS:g} s: "
        f"in-process {verdict(check)} ({check.wall:.2f} s wall, {check.cpu:.2f} s CPU), "
        f"CLI {verdict(cli)} ({cli.wall:.2f} s wall, {cli.cpu:.2f} s CPU)"
    )
    if cli.status != 0:
        print(f"CLI exit status {cli.status}: {cli.stderr.strip()}")
    print()

    def mib(kib: int) -> str:
        return f"{kib / 1024:.0f} MiB" if kib else "n/a (no GNU time)"

    print(
        f"memory: tracemalloc peak of one in-process check {traced / 2**20:.1f} MiB "
        "(Python allocations); peak RSS of this process "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB; "
        f"peak RSS of `kyoto check` {mib(cli.peak_kib)} (a bare interpreter "
        f"{mib(bare.peak_kib)}, the same check in a bare `python -c` "
        f"{mib(engine_only.peak_kib)})"
    )
    print(f"total run time {time.perf_counter() - started:.1f} s")
    return 1 if cli.status else 0


if __name__ == "__main__":
    sys.exit(main())
