"""Validation throughput of the engine against same-run baselines (a script, not a test).

    .venv/bin/python bench/validate.py [--questions 200] [--valid 80] [--invalid 51] [--repeats 7]

On a generated definition (`bench/generate.py`), measures responses per second of

- `json.loads` of the response body                                   (baseline 1: parsing)
- a bare, pre-built `jsonschema.Draft202012Validator(schema, format_checker=FormatChecker())`,
  `list(iter_errors(answers))`, on the same compiled submit schema     (baseline 2)
- `jsonschema_rs.validator_for(schema, validate_formats=True).is_valid` (the practical limit)
- the engine: `validator_for(questionnaire).validate(answers, "submit")`

on valid responses and on invalid ones (one fault each), and prints ratios between them. The
machine is noisy: contenders are measured interleaved (one pass of each per round) and each
figure is the median over the rounds, so noise hits every contender alike and the ratios are
what to read. It also checks that the engine and jsonschema agree on every verdict (the only
expected disagreements are faults JSON Schema cannot express: constraints, `today` date bounds,
conditions outside the schema) and reports peak memory. Exit status 1 on an unexpected
disagreement.
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import math
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

import fastjsonschema
import generate
import jsonschema
import jsonschema_rs

from engine.checker import check_source
from engine.compiler import compile_schema
from engine.jsonload import loads as strict_loads
from engine.validation import Validator, validator_for

TARGET_VS_JSONSCHEMA = 5.0
MIN_SAMPLE = 0.04  # seconds
PARSE = "json.loads of the body (baseline 1)"
REFERENCE = "jsonschema Draft202012 iter_errors (baseline 2)"
LIMIT = "jsonschema-rs is_valid (practical limit)"
ENGINE = "engine validate(submit)"


@dataclass
class Samples:
    """Seconds per pass, wall clock (`perf_counter`) and CPU time of this process."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def rate(self, count: int) -> float:
        return count / statistics.median(self.wall)

    def spread(self) -> float:
        """(max - min) / median of the wall-clock passes: how noisy the figure is."""
        return (max(self.wall) - min(self.wall)) / statistics.median(self.wall)


def rounds(
    contenders: dict[str, tuple[Callable[[Any], Any], list[Any]]], repeats: int
) -> dict[str, Samples]:
    """Time every contender once per round, rounds interleaved, after a warm-up pass.

    A contender whose pass is shorter than MIN_SAMPLE seconds makes several passes per sample,
    so timer and scheduler noise stay small against the sample.
    """
    passes = {}
    for name, (fn, items) in contenders.items():
        start = time.perf_counter()
        for item in items:
            fn(item)
        passes[name] = max(1, math.ceil(MIN_SAMPLE / max(time.perf_counter() - start, 1e-6)))
    times = {name: Samples() for name in contenders}
    for _ in range(repeats):
        for name, (fn, items) in contenders.items():
            gc.collect()
            start, start_cpu = time.perf_counter(), time.process_time()
            for _ in range(passes[name]):
                for item in items:
                    fn(item)
            times[name].wall.append((time.perf_counter() - start) / passes[name])
            times[name].cpu.append((time.process_time() - start_cpu) / passes[name])
    return times


def ratio(base: Samples, other: Samples, clock: str = "wall") -> float:
    """How many times faster `other` is than `base`: the median of the per-round ratios.

    Both were timed in the same round, seconds apart, so a burst of load from other processes
    that spans a round cancels out.
    """
    pairs = zip(getattr(base, clock), getattr(other, clock), strict=True)
    return statistics.median(b / o for b, o in pairs)


def peak_python_bytes(fn: Callable[[Any], Any], items: list[Any]) -> int:
    """tracemalloc peak of one pass (Python allocations only; Rust ones are not seen)."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    for item in items:
        fn(item)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def median_seconds(fn: Callable[[], Any], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def fast_valid(compiled: Callable[[Any], Any]) -> Callable[[Any], bool]:
    def valid(answers: Any) -> bool:
        try:
            compiled(answers)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return valid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--valid", type=int, default=80, help="valid responses")
    parser.add_argument("--invalid", type=int, default=51, help="invalid responses")
    parser.add_argument("--repeats", type=int, default=7, help="timed rounds (median)")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    definition = generate.definition(args.questions)
    checked = check_source(definition.yaml, f"<bench-{args.questions}>")
    if checked.questionnaire is None:
        for problem in checked.errors:
            print(problem)
        return 1
    questionnaire = checked.questionnaire
    schema = compile_schema(questionnaire, "submit")
    valid = generate.valid_responses(definition, args.valid)
    invalid = generate.invalid_responses(definition, args.invalid)
    bad = [case.response for case in invalid]
    valid_bodies = [json.dumps(r, ensure_ascii=False) for r in valid]
    bad_bodies = [json.dumps(r, ensure_ascii=False) for r in bad]

    rss_imports = peak_rss_mib()
    build_engine = median_seconds(lambda: Validator(questionnaire), 3)
    engine = validator_for(questionnaire)
    for answers in valid + bad:
        engine.validate(answers, "submit")
    rss_engine = peak_rss_mib()
    build_rs = median_seconds(lambda: jsonschema_rs.validator_for(schema, validate_formats=True), 3)
    reference = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    fastest = jsonschema_rs.validator_for(schema, validate_formats=True)
    start = time.perf_counter()
    fast = fast_valid(fastjsonschema.compile(schema))
    build_fast = time.perf_counter() - start

    def engine_submit(answers: Any) -> Any:
        return engine.validate(answers, "submit")

    def reference_errors(answers: Any) -> list[Any]:
        return list(reference.iter_errors(answers))

    rows = [
        (PARSE, json.loads, valid_bodies, bad_bodies),
        ("engine.jsonload.loads (strict JSON)", strict_loads, valid_bodies, bad_bodies),
        (REFERENCE, reference_errors, valid, bad),
        (LIMIT, fastest.is_valid, valid, bad),
        ("fastjsonschema, draft-07 reading (info)", fast, valid, bad),
        (ENGINE, engine_submit, valid, bad),
    ]
    contenders: dict[str, tuple[Callable[[Any], Any], list[Any]]] = {}
    for name, fn, good_items, bad_items in rows:
        contenders[f"{name}|valid"] = (fn, good_items)
        contenders[f"{name}|invalid"] = (fn, bad_items)
    before = copy.deepcopy(valid + bad)
    times = rounds(contenders, args.repeats)
    mutated = before != valid + bad

    kinds = Counter(case.kind for case in invalid)
    print(
        f"Validation: {args.questions}-question definition "
        f"({len(questionnaire.questions)} top-level questions, "
        f"{sum(1 for _ in questionnaire.walk())} with repeat members), "
        f"submit schema {len(json.dumps(schema)) // 1024} KiB, "
        f"{len(valid)} valid responses (median body "
        f"{statistics.median(map(len, valid_bodies)) / 1024:.1f} KiB), "
        f"{len(invalid)} invalid ({len(kinds)} kinds of fault)"
    )
    print(
        f"Python {platform.python_version()}, jsonschema {version('jsonschema')}, "
        f"jsonschema-rs {version('jsonschema_rs')}; "
        f"median of {args.repeats} interleaved rounds (spread = (max-min)/median)"
    )
    print()
    header = f"{'':50} {'valid resp/s':>14} {'spread':>7} {'invalid resp/s':>15} {'spread':>7}"
    print(header)
    print("-" * len(header))
    for name, _fn, good_items, bad_items in rows:
        good, worse = times[f"{name}|valid"], times[f"{name}|invalid"]
        print(
            f"{name:50} {good.rate(len(good_items)):14,.0f} {good.spread():6.0%} "
            f"{worse.rate(len(bad_items)):15,.0f} {worse.spread():6.0%}"
        )
    print()

    def of(name: str) -> tuple[Samples, Samples]:
        return times[f"{name}|valid"], times[f"{name}|invalid"]

    engine_times = of(ENGINE)
    print(f"{'ratios (median of per-round ratios)':50} {'valid':>14} {'':7} {'invalid':>15}")
    for label, base in (
        (f"engine / jsonschema (target >= {TARGET_VS_JSONSCHEMA:g}x on valid)", of(REFERENCE)),
        ("engine / jsonschema-rs", of(LIMIT)),
        ("engine / json.loads", of(PARSE)),
    ):
        good, worse = (ratio(b, e) for b, e in zip(base, engine_times, strict=True))
        print(f"{label:50} {good:13.2f}x {'':7} {worse:14.2f}x")
    by_cpu = [ratio(b, e, "cpu") for b, e in zip(of(REFERENCE), engine_times, strict=True)]
    print(
        f"{'engine / jsonschema by CPU time (cross-check)':50} {by_cpu[0]:13.2f}x {'':7} "
        f"{by_cpu[1]:14.2f}x"
    )
    achieved = ratio(of(REFERENCE)[0], engine_times[0])
    print(
        f"target engine >= {TARGET_VS_JSONSCHEMA:g}x jsonschema on valid responses: "
        f"{'met' if achieved >= TARGET_VS_JSONSCHEMA else 'NOT met'}"
    )
    print(
        f"one-off costs: engine Validator() build {build_engine * 1000:.1f} ms "
        f"(two schemas + two jsonschema-rs compilations), "
        f"jsonschema-rs compile {build_rs * 1000:.1f} ms, "
        f"fastjsonschema compile {build_fast * 1000:.0f} ms"
    )
    if mutated:
        print("WARNING: a validator changed the answers it was given")

    failures = verdicts(engine, reference, fastest, fast, valid, invalid)

    python_peaks = {
        "engine, valid pass": peak_python_bytes(engine_submit, valid),
        "engine, invalid pass": peak_python_bytes(engine_submit, bad),
        "jsonschema, valid pass": peak_python_bytes(reference_errors, valid),
    }
    print()
    print(
        f"memory: peak RSS {rss_imports:.0f} MiB after imports and generation, "
        f"{rss_engine:.0f} MiB after building the engine's validator and validating every "
        f"response once, {peak_rss_mib():.0f} MiB at the end (fastjsonschema's generated code "
        "alone adds about 55 MiB)"
    )
    print(
        "  tracemalloc peak (Python allocations only) of one pass: "
        + ", ".join(f"{k} {v / 1024:.0f} KiB" for k, v in python_peaks.items())
    )
    print(f"total run time {time.perf_counter() - started:.1f} s")
    return 1 if failures else 0


def verdicts(
    engine: Validator,
    reference: jsonschema.Draft202012Validator,
    fastest: Any,
    fast: Callable[[Any], bool],
    valid: list[dict[str, Any]],
    invalid: list[generate.Invalid],
) -> int:
    """Print verdict agreement; return the number of unexpected disagreements."""
    print()
    print("verdicts (engine vs jsonschema; jsonschema-rs and fastjsonschema vs jsonschema)")
    unexpected: list[str] = []
    expected: Counter[str] = Counter()
    others: list[str] = []
    agree = 0
    cases: list[tuple[str, dict[str, Any], bool, bool, str]] = [
        (f"valid #{i}", r, True, True, "") for i, r in enumerate(valid)
    ]
    cases += [
        (f"invalid #{i} {c.kind}", c.response, False, not c.in_schema, c.path)
        for i, c in enumerate(invalid)
    ]
    for label, answers, should_pass, schema_blind, path in cases:
        result = engine.validate(answers, "submit")
        schema_errors = list(reference.iter_errors(answers))
        schema_ok = not schema_errors
        rs_ok, fast_ok = fastest.is_valid(answers), fast(answers)
        paths = [e.path for e in result.errors]
        if rs_ok != schema_ok:
            others.append(f"  {label}: jsonschema-rs says {rs_ok}, jsonschema says {schema_ok}")
        if fast_ok != schema_ok:
            others.append(f"  {label}: fastjsonschema says {fast_ok}, jsonschema says {schema_ok}")
        if result.valid != should_pass:
            unexpected.append(f"  {label}: engine valid={result.valid}, expected {should_pass}")
        if path and path not in paths:
            unexpected.append(f"  {label}: engine reports {paths}, expected an error at {path}")
        if result.valid == schema_ok:
            agree += 1
        elif schema_blind and schema_ok and not result.valid:
            expected[label.split(" ", 2)[2]] += 1
        else:
            detail = [e.message for e in schema_errors[:2]] or [
                f"{e.path}: {e.message}" for e in result.errors[:2]
            ]
            unexpected.append(
                f"  {label}: engine valid={result.valid}, jsonschema valid={schema_ok}: {detail}"
            )
    print(f"  engine and jsonschema agree on {agree} of {len(cases)} responses")
    if expected:
        listed = ", ".join(f"{kind} {n}" for kind, n in sorted(expected.items()))
        print(f"  expected disagreements (rules JSON Schema cannot express): {listed}")
    if others:
        print("  schema validators disagreeing with jsonschema (informational):")
        print("\n".join(others))
    if unexpected:
        print("  UNEXPECTED:")
        print("\n".join(unexpected))
    else:
        print("  no unexpected disagreement; every engine error is at the faulty answer's path")
    return len(unexpected)


if __name__ == "__main__":
    sys.exit(main())
