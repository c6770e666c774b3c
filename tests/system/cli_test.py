#!/usr/bin/env python3
"""Black-box system tests of the smmu-sim command line.

usage: cli_test.py --bin PATH/smmu-sim --source SOURCE_DIR CASE

Runs one case in a fresh temporary directory (the working directory, so `out/` lands
there), prints what failed and exits non-zero on failure, 0 on success.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

BIN = None      # path of smmu-sim, from --bin
SOURCE = None   # source tree, from --source

# Bounds that keep a run short.
SHORT = ["--max-transactions", "3000"]
# Raw pattern traffic: no software, the SMMU left disabled (GBPA bypass), the masters' own patterns.
RAW = ["--set", "sw.enable=false", "--set", "dma0.enable=true", "--set", "dma1.enable=true"]
SMALL = RAW + ["--set", "dma0.count=1000", "--set", "dma1.count=1000", "--set", "cpu_traffic.count=1000"]
DMA0_ONLY = ["--set", "sw.enable=false", "--set", "dma0.enable=true", "--set", "cpu_traffic.enable=false"]


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def run(*args, expect=0):
    """Runs smmu-sim with args; checks its exit status (unless expect is None)."""
    p = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=100)
    if expect is not None and p.returncode != expect:
        raise Failure(f"smmu-sim {' '.join(args)}: exit status {p.returncode}, expected {expect}\n"
                      f"stdout:\n{p.stdout}stderr:\n{p.stderr}")
    return p


# AddressSanitizer's note when software throws inside a SystemC thread (a coroutine stack it
# cannot see): sanitizer runtime output, not the program's.
ASAN_NOTE = ("ASan is ignoring requested __asan_handle_no_return", "False positive error reports may follow",
             "For details see https://github.com/google/sanitizers/issues/189")


def asan_note(line):
    return any(n in line for n in ASAN_NOTE)


def input_error(*args, needles=()):
    """Runs smmu-sim expecting bad-input exit status 2 and one stderr line with every needle."""
    p = run(*args, expect=2)
    lines = [l for l in p.stderr.splitlines() if l.strip() and not asan_note(l)]
    check(len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{p.stderr}")
    for n in needles:
        check(n in lines[0], f"error message does not contain {n!r}: {lines[0]}")
    return lines[0]


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def read(path):
    with open(path, "rb") as f:
        return f.read()


def load(path):
    with open(path) as f:
        return json.load(f)


def get(d, key):
    """d[key] for a dotted key, whether d holds it flat ("a.b") or nested ({"a": {"b"}})."""
    if key in d:
        return d[key]
    for i in range(len(key) - 1, 0, -1):
        if key[i] == "." and isinstance(d.get(key[:i]), dict):
            return get(d[key[:i]], key[i + 1:])
    raise Failure(f"no '{key}' in {sorted(d)[:8]}...")


def expect_eq(d, key, want):
    got = get(d, key)
    check(got == want, f"{key} is {got!r}, expected {want!r}")


def run_stats(*args, out="out"):
    """Runs smmu-sim successfully into `out`; returns its stats.json."""
    run(*args, "--out", out)
    return load(os.path.join(out, "stats.json"))


def trace_lines(path):
    """The records of a trace file: lines that are not blank or comments, split in fields."""
    with open(path) as f:
        lines = (l.split("#", 1)[0].split() for l in f)
        return [l for l in lines if l]


# ---- bad input ---------------------------------------------------------------------------

def case_unknown_param():
    input_error("--set", "no.such.param=1", needles=["'no.such.param'"])


def case_sva_devices_beyond_the_platform():
    input_error("--set", "sw.workload=mapbench", "--set", "sw.mapbench.sva=true", "--set", "sw.mapbench.sva_devices=5",
                needles=["'sw.mapbench.sva_devices'", "2 DMA device(s)"])


def case_near_miss():
    input_error("--set", "dram.read_latncy=5", needles=["dram.read_latncy", "'dram.read_latency'"])


def case_bad_value():
    input_error("--set", "dram.read_latency=abc", needles=["'dram.read_latency'"])


def case_out_of_range():
    input_error("--set", "dram.bytes_per_cycle=0", needles=["'dram.bytes_per_cycle'"])


def case_bad_enum():
    input_error("--set", "dma0.pattern=zigzag",
                needles=["dma0.pattern", "zigzag", "sequential", "strided", "random", "hotset", "trace"])


def case_malformed_config():
    path = write("bad.json", '{\n  "dram": {\n    "read_latency": 7,,\n  }\n}\n')
    input_error("--config", path, needles=["bad.json", "line 3"])


def case_config_unknown_key():
    path = write("unknown.json", '{"dram": {"no_such": 1}}\n')
    input_error("--config", path, needles=["unknown.json", "dram.no_such"])


def case_unknown_platform():
    input_error("--platform", "no_such_platform", needles=["no_such_platform"])


def case_unknown_flag():
    input_error("--bogus", needles=["--bogus"])


def case_stray_positional():
    input_error("stray_argument", *SHORT, needles=["stray_argument"])


def case_unbounded():
    input_error(*RAW, "--set", "dma0.count=0", needles=["dma0.count"])
    s = run_stats(*RAW, "--set", "dma0.count=0", "--duration", "5us")
    expect_eq(s, "sim.time_ns", 5000)
    check(get(s, "dma0.transactions") > 0, "dma0 issued nothing in 5us")


def case_bad_trace():
    path = os.path.abspath(write("bad.trc", "+0 1 - 0x80000000 64 r\n"
                                            "+1 1 - 0x80000040 64 w\n"
                                            "+1 1 - 0x80000080 64 x\n"))
    input_error("--set", "dma0.pattern=trace", "--set", f"dma0.trace={path}", *DMA0_ONLY,
                needles=[f"{path}:3:"])


# ---- parameters and configuration ----------------------------------------------------------

def case_config_nested_and_dotted():
    path = write("c.json", '{"dram": {"read_latency": 7}, "noc.dma0.width": 32}\n')
    run("--config", path, *SHORT)
    cfg = load("out/config.json")
    expect_eq(cfg, "dram.read_latency", 7)
    expect_eq(cfg, "noc.dma0.width", 32)
    expect_eq(cfg, "dram.write_latency", 50)   # untouched parameters keep their defaults


def case_set_overrides_config():
    path = write("c.json", '{"dram": {"read_latency": 7}}\n')
    run("--config", path, "--set", "dram.read_latency=9", *SHORT)
    expect_eq(load("out/config.json"), "dram.read_latency", 9)


def case_list_platforms():
    out = run("--list-platforms").stdout
    check(any(l.split()[:1] == ["base"] for l in out.splitlines()),
          f"no line starting with 'base':\n{out}")


def case_list_params():
    out = run("--list-params").stdout
    header = out.splitlines()[0] if out else ""
    check("unit" in header and "default" in header, f"header lacks unit/default: {header!r}")
    rows = {l.split()[0]: l for l in out.splitlines()[1:] if l.strip()}
    # name -> (default, unit or None)
    want = {"dram.read_latency": ("100", "cycles"), "noc.dma0.width": ("16", "bytes"),
            "dma0.sid": ("1", None), "sim.seed": ("1", None)}
    for name, (default, unit) in want.items():
        check(name in rows, f"--list-params does not list {name}")
        check(f"[default {default}" in rows[name], f"{name}: default {default} not shown: {rows[name]}")
        if unit:
            check(unit in rows[name].split(), f"{name}: unit {unit} not shown: {rows[name]}")


def case_help():
    out = run("--help").stdout
    check("--max-transactions" in out, f"--help does not mention --max-transactions:\n{out}")


# ---- runs and outputs ------------------------------------------------------------------------

def case_deterministic():
    for d, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        run("--seed", seed, *SHORT, "--out", d)
    for f in ("stats.json", "config.json"):
        check(read(f"a/{f}") == read(f"b/{f}"), f"same seed, different {f}")
    check(read("a/stats.json") != read("c/stats.json"), "seeds 5 and 6 gave identical stats.json")
    expect_eq(load("c/config.json"), "sim.seed", 6)


def case_config_rerun():
    sets = ["--set", "dram.read_latency=80", "--set", "dma1.pattern=hotset",
            "--set", "noc.buffer=8", "--seed", "42"]
    run(*sets, *SHORT, "--out", "one")
    run("--config", "one/config.json", "--out", "two")
    check(read("one/stats.json") == read("two/stats.json"),
          "rerun from config.json gave a different stats.json")
    check(read("one/config.json") == read("two/config.json"),
          "rerun from config.json gave a different config.json")


def case_max_transactions():
    # Device (DMA) transactions are counted; background CPU traffic stops with them.
    for mode in ([], RAW):
        s = run_stats("--max-transactions", "1234", *mode)
        parts = sum(get(s, f"{g}.transactions") for g in ("dma0", "dma1"))
        check(parts == 1234, f"{mode}: device transactions add up to {parts}, not 1234")
        check(get(s, "cpu_traffic.transactions") > 0, f"{mode}: no background traffic")


def case_duration():
    expect_eq(run_stats("--duration", "20us"), "sim.time_ns", 20000)


def case_stats_contents():
    s = run_stats(*SMALL)
    expect_eq(s, "sim.transactions", 3000)
    for g in ("dma0", "dma1", "cpu_traffic"):
        expect_eq(s, f"{g}.transactions", 1000)
        expect_eq(s, f"{g}.bytes", 64 * 1000)
        lat = get(s, f"{g}.latency")
        check(isinstance(lat, dict), f"{g}.latency is not an object: {lat!r}")
        for k in ("count", "p50", "p99"):
            check(k in lat, f"{g}.latency has no {k}")
        expect_eq(lat, "count", 1000)
        expect_eq(lat, "unit", "ns")
        check(0 < lat["p50"] <= lat["p99"], f"{g}.latency: p50 {lat['p50']}, p99 {lat['p99']}")
    total = get(s, "sim.transactions")
    reads, writes = get(s, "dram.reads"), get(s, "dram.writes")
    check(reads + writes == total, f"dram.reads {reads} + dram.writes {writes} != {total}")
    expect_eq(s, "noc.dram.requests", total)
    expect_eq(s, "sim.errors", 0)


def case_chrome_trace():
    s = run_stats(*SHORT, "--trace", "t.json")
    doc = load("t.json")
    check(isinstance(doc, dict) and isinstance(doc.get("traceEvents"), list), "no traceEvents list")
    # Device transactions (category "device"); the SMMU's own spans are checked in tools_test.py.
    spans = [e for e in doc["traceEvents"] if e.get("ph") == "X" and e.get("cat") == "device"]
    check(len(spans) == get(s, "sim.transactions"),
          f"{len(spans)} 'X' events, sim.transactions {get(s, 'sim.transactions')}")
    lanes = {}
    for e in spans:
        for k in ("ts", "dur", "pid", "tid", "args"):
            check(k in e, f"event without {k}: {e}")
        a = e["args"]
        for k in ("addr", "size", "latency_ns"):
            check(k in a, f"event args without {k}: {e}")
        check(isinstance(a["addr"], str) and a["addr"].startswith("0x"), f"addr not hex: {e}")
        int(a["addr"], 16)
        lanes.setdefault((e["pid"], e["tid"]), []).append(e)
    eps = 1e-6  # us
    for lane, evs in lanes.items():
        evs.sort(key=lambda e: e["ts"])
        for prev, cur in zip(evs, evs[1:]):
            check(cur["ts"] >= prev["ts"] + prev["dur"] - eps,
                  f"overlapping events on pid/tid {lane}: {prev} and {cur}")


LOG_FLAGS = ("--xlate-log", "--cmd-log", "--event-log")


def json_lines(path):
    """The lines of a JSON-lines log, each parsed; every line must be one JSON object."""
    out = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            check(line.endswith("\n"), f"{path}:{n}: line not terminated")
            rec = json.loads(line)
            check(isinstance(rec, dict), f"{path}:{n}: not an object: {line!r}")
            check(isinstance(rec.get("t_ns"), (int, float)), f"{path}:{n}: no numeric t_ns: {line!r}")
            out.append(rec)
    return out


def is_hex(v, digits=None):
    if not isinstance(v, str) or not v.startswith("0x") or v != v.lower():
        return False
    int(v, 16)
    return digits is None or len(v) == 2 + digits


def case_logs():
    s = run_stats(*SHORT, "--xlate-log", "x.jsonl", "--cmd-log", "c.jsonl", "--event-log", "e.jsonl")
    for f in ("x.jsonl", "c.jsonl", "e.jsonl"):
        check(os.path.isfile(f), f"{f} was not created")
    xs = json_lines("x.jsonl")
    # One line per transaction through a TBU (cpu_traffic does not go through the SMMU).
    n = get(s, "dma0.transactions") + get(s, "dma1.transactions")
    check(len(xs) == n, f"{len(xs)} xlate lines, dma0 + dma1 transactions {n}")
    for x in xs:
        for k in ("dev", "sid", "ssid", "iova", "rw", "size", "status", "latency_ns"):
            check(k in x, f"xlate line without {k}: {x}")
        check(x["dev"] in ("dma0", "dma1"), f"xlate dev is not a device name: {x}")
        check(is_hex(x["iova"]) and x["rw"] in ("r", "w"), f"bad iova / rw: {x}")
        check(x["status"] in ("ok", "fault", "abort"), f"bad status: {x}")
        if x["status"] == "ok":
            check(is_hex(x["pa"]) and "event" not in x, f"ok line: {x}")
        else:
            check("pa" not in x and x.get("term") in ("abort", "razwi"), f"terminated line: {x}")
        check(0 < x["latency_ns"] <= x["t_ns"], f"latency_ns not in (0, t_ns]: {x}")
    check([x["t_ns"] for x in xs] == sorted(x["t_ns"] for x in xs), "xlate lines not in time order")
    for c in json_lines("c.jsonl"):
        check(isinstance(c.get("op"), str) or "error" in c, f"cmd line without op: {c}")
        raw = c.get("raw")
        check(raw is None or (len(raw) == 2 and all(is_hex(w, 16) for w in raw)), f"bad raw: {c}")
    for e in json_lines("e.jsonl"):
        check(isinstance(e.get("type"), str) and isinstance(e.get("code"), int), f"bad event line: {e}")


def case_logs_unwritable():
    for flag in LOG_FLAGS:
        input_error(*SHORT, flag, "no_such_dir/log.jsonl", needles=[flag, "no_such_dir/log.jsonl"])


def case_logs_deterministic():
    def logs(d, seed):
        os.makedirs(d)
        run("--seed", seed, *SHORT, "--out", d, *(a for flag in LOG_FLAGS
                                                  for a in (flag, f"{d}/{flag[2:]}.jsonl")))
        return [read(f"{d}/{flag[2:]}.jsonl") for flag in LOG_FLAGS]
    a, b, c = logs("a", "5"), logs("b", "5"), logs("c", "6")
    for flag, fa, fb in zip(LOG_FLAGS, a, b):
        check(fa == fb, f"same seed, different {flag} file")
    check(a[0] != c[0], "seeds 5 and 6 gave identical xlate logs")


def case_log_flags_in_help():
    out = run("--help").stdout
    for flag in (*LOG_FLAGS, "--scenario"):
        check(flag in out, f"--help does not mention {flag}")


def vcd_vars(text):
    """Full dotted names (scope.scope.var) of the variables a VCD header declares."""
    names, scopes = set(), []
    for line in text.splitlines():
        w = line.split()
        if w[:1] == ["$scope"] and len(w) >= 3:
            scopes.append(w[2])
        elif w[:1] == ["$upscope"]:
            scopes.pop()
        elif w[:1] == ["$var"] and len(w) >= 5:
            names.add(".".join(scopes + [w[4]]))
        elif w[:1] == ["$enddefinitions"]:
            break
    return names


def case_vcd():
    run(*SHORT, "--vcd", "t.vcd")
    check(os.path.getsize("t.vcd") > 0, "t.vcd is empty")
    if not shutil.which("vcd2fst") or not shutil.which("fst2vcd"):
        raise Failure("vcd2fst/fst2vcd not on PATH: gtkwave is missing (install gtkwave)")
    p = subprocess.run(["vcd2fst", "t.vcd", "t.fst"], capture_output=True, text=True, timeout=60)
    check(p.returncode == 0, f"vcd2fst failed ({p.returncode}): {p.stderr}")
    check(os.path.isfile("t.fst"), "vcd2fst did not create t.fst")
    p = subprocess.run(["fst2vcd", "t.fst"], capture_output=True, text=True, timeout=60)
    check(p.returncode == 0, f"fst2vcd failed ({p.returncode}): {p.stderr}")
    names = vcd_vars(p.stdout)
    for want in ("dma0.outstanding", "dma0.bytes", "dram.occupancy", "noc.dma0.fifo"):
        check(any(n == want or n.endswith("." + want) for n in names),
              f"converted VCD declares no {want}; it has {sorted(names)}")


def replay(path):
    """Replays a trace through dma0 alone; returns stats.json."""
    return run_stats("--set", "dma0.pattern=trace", "--set", f"dma0.trace={path}",
                     "--set", "dma0.count=0", *DMA0_ONLY)


def case_trace_replay():
    path = write("small.trc", "# a small trace\n"
                              "+0   1 - 0x80000000 64 r\n"
                              "+2   1 - 0x80000040 64 w   # write\n"
                              "\n"
                              "@100 1 7 0x80001000 128 r\n"
                              "+10ns 3 - 0x80002000 32 W\n"
                              "@200 1 - 0x80003000 64 R\n")
    recs = trace_lines(path)
    s = replay(path)
    expect_eq(s, "dma0.transactions", len(recs))
    expect_eq(s, "dma0.reads", sum(r[5].lower() == "r" for r in recs))
    expect_eq(s, "dma0.writes", sum(r[5].lower() == "w" for r in recs))
    expect_eq(s, "dma0.bytes", sum(int(r[4]) for r in recs))
    expect_eq(s, "dma0.errors", 0)
    expect_eq(s, "sim.transactions", len(recs))


def case_sample_traces():
    tdir = os.path.join(SOURCE, "traces")
    files = sorted(f for f in os.listdir(tdir) if f.endswith(".trc")) if os.path.isdir(tdir) else []
    check(files, f"no sample traces ({tdir}/*.trc) in the source tree yet")
    for f in files:
        path = os.path.join(tdir, f)
        s = replay(path)
        n = len(trace_lines(path))
        check(get(s, "dma0.transactions") == n,
              f"{f}: dma0.transactions {get(s, 'dma0.transactions')}, the file has {n} records")


# ---- scenarios ---------------------------------------------------------------------------

def case_scenario_design_example():
    path = os.path.join(SOURCE, "traces", "scenarios", "design_example.json")
    s = run_stats("--scenario", path, "--xlate-log", "x.jsonl", "--event-log", "e.jsonl")
    expect_eq(load("out/config.json"), "smmu.tbu0.utlb.entries", 16)
    xs = json_lines("x.jsonl")
    check([x["status"] for x in xs] == ["ok"] * 4 + ["fault"], f"statuses {[x['status'] for x in xs]}")
    check([x["pa"] for x in xs[:4]] == [hex(0x80000000 + i * 4096) for i in range(4)], f"pas {xs[:4]}")
    es = json_lines("e.jsonl")
    check(len(es) == 1 and es[0]["type"] == "F_TRANSLATION" and es[0]["addr"] == "0x10000000", f"events {es}")
    expect_eq(s, "sw.driver.events", 1)
    # --set wins over the scenario's "set".
    run_stats("--scenario", path, "--set", "smmu.tbu0.utlb.entries=8", out="o2")
    expect_eq(load("o2/config.json"), "smmu.tbu0.utlb.entries", 8)


def case_cpus_four():
    """Four cores, the software on core 0 and the others idle: the same commands, syncs, events
    and errors as one CPU (issue 12), under the names cpu0 (for cpu) and noc.cpu0, and
    cpu1..cpu3 do nothing."""
    def renamed(stats):
        return {re.sub(r"(^|\.)cpu(\.|$)", r"\1cpu0\2", k): v for k, v in stats.items() if not k.startswith("_")}
    scenario = os.path.join(SOURCE, "traces", "scenarios", "design_example.json")
    for i, args in enumerate(([], ["--scenario", scenario], ["--platform", "pkvm", "--set", "sw.pkvm.donations=8"])):
        one = renamed(run_stats(*args, out=f"one{i}"))
        four = {k: v for k, v in run_stats(*args, "--set", "cpus=4", out=f"four{i}").items() if not k.startswith("_")}
        idle = {k: v for k, v in four.items() if re.search(r"(^|\.)cpu[123]\.", k)}
        def zero(v):
            return all(zero(x) for x in v.values()) if isinstance(v, dict) else not v
        check(idle and all(zero(v) for v in idle.values()), f"{args}: idle cores did something: "
              f"{ {k: v for k, v in idle.items() if not zero(v)} }")
        rest = {k: v for k, v in four.items() if k not in idle}
        # With several CPUs the software's locks are atomics on memory (one CPU: only their
        # cost), so times differ; what the software and the SMMU did must not.
        same = [k for k in one if re.search(r"(^sw\.driver\.(commands|syncs|events|gerrors|maps|unmaps)$)|"
                                            r"(^smmu\.tcu\.(cmdq\.commands|cmdq\.syncs|faults|events_recorded)$)|"
                                            r"(\.errors$)|(^sw\.workload\.dma_(jobs|errors)$)", k)]
        check(len(same) >= 8, f"{args}: functional stats missing: {same}")
        diff = sorted(k for k in same if one.get(k) != rest.get(k))
        check(not diff, f"{args}: cpus=4 differs from one CPU in {[(k, one.get(k), rest.get(k)) for k in diff[:10]]}")
        # Every WFE wake-up event of the SMMU reaches the cluster (pkvm's CMD_SYNCs use SIG_SEV);
        # the cluster also counts the cores' own SEVs.
        check(get(four, "cluster.sevs") >= get(four, "smmu.tcu.sevs"), f"{args}: SMMU SEVs lost")
    check(get(four, "smmu.tcu.sevs") > 0, "pkvm: the SMMU sent no SEV")
    input_error("--set", "cpus=2", "--set", "cluster.irq_cpu=2", needles=["cluster.irq_cpu", "below cpus"])
    input_error("--set", "cpus=257", needles=["cpus"])


def case_scenario_errors():
    bad = {
        "malformed.json": ('{"steps": [', ["malformed.json", "malformed JSON"]),
        "op.json": ('{"steps": [{"op": "fly"}]}', ["op.json", "steps[0]", "unknown op 'fly'"]),
        "num.json": ('{"domains": [{"name": "a", "stage": "s1"}], "steps": [{"op": "map", "domain": "a", '
                     '"iova": "0x1000", "pa": "0xQ", "size": 4096}]}', ["num.json", "steps[0] (map)", "'pa'"]),
        "dev.json": ('{"steps": [{"op": "dma", "dev": "dma7", "sid": 1, "iova": 0}]}',
                     ["dev.json", "steps[0] (dma)", "dma7"]),
        "overlap.json": ('{"domains": [{"name": "a", "stage": "s1"}], "steps": ['
                         '{"op": "map", "domain": "a", "iova": "0x10000000", "pa": "0x80000000", "size": "0x2000"},'
                         '{"op": "map", "domain": "a", "iova": "0x10001000", "pa": "0x90000000", "size": "0x1000"}]}',
                         ["overlap.json", "steps[1] (map)", "already mapped"]),
        "nothing.json": ('{"domains": [{"name": "a", "stage": "s1"}], "steps": ['
                         '{"op": "unmap", "domain": "a", "iova": "0x10000000", "size": "0x1000"}]}',
                         ["nothing.json", "steps[0] (unmap)", "nothing is mapped"]),
        "param.json": ('{"set": {"smmu.tbu0.utlb.entrys": 4}}', ["utlb.entrys", "param.json"]),
    }
    for name, (text, needles) in bad.items():
        input_error("--scenario", write(name, text), needles=needles)
    input_error("--scenario", "missing.json", needles=["missing.json", "cannot open"])
    # What the software cannot do with the SMMU it is given names the cause.
    input_error("--set", "smmu.cmdqs=6", needles=["sw.workload", "CMDQS"])
    input_error("--set", "smmu.gran4k=false", needles=["sw.workload", "granule 4096"])
    input_error("--scenario", write("ok.json", "{}"), "--set", "sw.enable=false", needles=["sw.enable"])


# ---- issue 19: hostile input ends with one message and exit 2, never a crash or a hang ----

def nested(depth):
    return '{"a": ' * depth + "1" + "}" * depth


def case_hostile_files():
    # Nesting beyond any real file: once a stack overflow in the config's flattening.
    input_error("--config", write("deep.json", nested(30000)), needles=["deep.json", "nested deeper than"])
    input_error("--scenario", write("deeps.json", nested(30000)), needles=["deeps.json", "nested deeper than"])
    # A directory, and a number no double holds: once "internal error", exit 1.
    input_error("--config", "/", needles=["/: is a directory"])
    input_error("--scenario", "/", needles=["/: is a directory"])
    input_error("--config", write("huge.json", '{"dram": {"read_latency": 1e999}}'), needles=["huge.json", "1e999"])
    input_error("--scenario", write("huges.json", '{"steps": [{"op": "wait", "x": 1e999}]}'),
                needles=["huges.json", "1e999"])
    # DRAM too small for the memory map names the parameter, not a failed store.
    input_error("--set", "dram.size=1GiB", needles=["--set", "dram.size", "memory map needs DRAM"])
    input_error("--platform", "pkvm", "--set", "dram.size=4GiB", needles=["dram.size", "memory map needs DRAM"])


def case_inconsistent_features():
    # HYP without stage 1: refused at start-up (it made the driver's reset TLBI_EL2_ALL illegal
    # and wait out two 1-second sync timeouts).
    input_error("--set", "smmu.s1p=false", needles=["smmu.hyp", "s1p"])
    run_stats("--set", "smmu.s1p=false", "--set", "smmu.hyp=false", "--set", "sw.nic.stage=s2",
              "--set", "sw.nic.packets=20")
    # 32-bit output addresses cannot reach the driver's tables above 4 GiB: the driver says so
    # from IDR5 (it used to retry aborted command fetches for ever).
    input_error("--set", "smmu.oas=0", needles=["sw.workload", "IDR5.OAS", "32-bit"])


def case_strict():
    sc = {"domains": [{"name": "a", "stage": "s1"}], "attach": [{"sid": 1, "domain": "a"}],
          "steps": [{"op": "map", "domain": "a", "iova": "0x10000000", "pa": "0x10000", "size": "0x1000"},
                    {"op": "dma", "sid": 1, "iova": "0x10000000", "rw": "r"},
                    {"op": "dma", "sid": 1000, "iova": "0x10000000", "rw": "r"}]}
    path = write("silent.json", json.dumps(sc))
    p = run("--scenario", path)
    warn = [l for l in p.stderr.splitlines() if "warning" in l]
    check(len(warn) == 2, f"expected two warnings:\n{p.stderr}")
    check("steps[0] (map)" in warn[0] and "outside DRAM" in warn[0], warn[0])
    check("steps[2] (dma)" in warn[1] and "StreamID 1000" in warn[1], warn[1])
    input_error("--scenario", path, "--strict", needles=["silent.json", "steps[0] (map)", "outside DRAM"])
    input_error("--scenario", path, "--set", "sw.strict=true", needles=["steps[0] (map)"])
    # A clean scenario warns about nothing.
    p = run("--scenario", os.path.join(SOURCE, "traces", "scenarios", "design_example.json"), "--strict")
    check("warning" not in p.stderr, p.stderr)
    # Unmaps that can never match say why (once "nothing is mapped").
    base = {"domains": [{"name": "a", "stage": "s1"}], "attach": [{"sid": 1, "domain": "a"}]}
    mapped = {"op": "map", "domain": "a", "iova": "0x10000000", "pa": "0x80000000", "size": "0x2000"}
    for name, unmap, needle in (("zero.json", {"size": 0, "iova": "0x10000000"}, "size 0"),
                                ("odd.json", {"size": "0x1000", "iova": "0x10000800"}, "multiples of the granule"),
                                ("oddsize.json", {"size": "0x800", "iova": "0x10000000"}, "multiples of the granule")):
        doc = dict(base, steps=[mapped, dict(op="unmap", domain="a", **unmap)])
        input_error("--scenario", write(name, json.dumps(doc)), needles=[name, "steps[1] (unmap)", needle])


def case_watchdog():
    # Software that makes no progress for sw.watchdog of simulated time is stopped with what it
    # did last (here every command costs the SMMU 100k cycles: 100 us without a CMD_SYNC).
    p = run("--set", "smmu.tcu.cmd_cycles=100000", "--set", "sw.watchdog=50us", expect=1)
    check("sw.watchdog: the software made no progress for 50 us" in p.stderr, p.stderr)
    check("last progress: command at" in p.stderr, p.stderr)
    # The defaults leave a normal run alone, with the same simulated end as without it.
    a = run_stats("--set", "sw.nic.packets=50", out="a")
    b = run_stats("--set", "sw.nic.packets=50", "--set", "sw.watchdog=0s", "--set", "sim.watchdog_host=0", out="b")
    # (dram.occupancy.max counts arrivals and departures of one instant in process order, which
    # one more process may change; its mean and everything else are the same.)
    for x in (a, b):
        x["dram.occupancy"].pop("max")
    check(a == b, "the watchdogs changed the stats of a run")


def case_default_workload():
    s = run_stats()
    n = get(load("out/config.json"), "sw.nic.packets")
    expect_eq(s, "dma0.transactions", n * 7)  # a descriptor read and six 256-byte bursts per packet
    expect_eq(s, "dma0.errors", 0)
    expect_eq(s, "sw.workload.dma_jobs", 2 * n)
    check(get(s, "sw.driver.unmap_cycles")["count"] == n, "one unmap per packet")
    check(get(s, "cpu_traffic.transactions") > 0, "no background traffic")


def case_pkvm_platform():
    s = run_stats("--platform", "pkvm", "--set", "sw.pkvm.donations=32", "--event-log", "e.jsonl")
    expect_eq(s, "sw.hyp.donations", 32)
    expect_eq(s, "sw.hyp.reclaims", 32)
    expect_eq(s, "dma0.errors", 0)
    check(get(s, "dma0.transactions") > 0 and get(s, "dma1.transactions") > 0, "no host traffic")
    check(get(s, "sw.hyp.shadow_table_bytes") < get(s, "sw.hyp.host_memory_bytes"), "shadow bigger than memory?")
    check(json_lines("e.jsonl") == [], "host traffic faulted")
    # Platform-specific parameters exist only where they mean something.
    input_error("--set", "sw.hyp.policy=vmid", needles=["sw.hyp.policy"])
    input_error("--scenario", write("d.json", '{"steps": [{"op": "donate", "pa": "0x180000000", "size": 4096, '
                                              '"to": "guest"}]}'), needles=["steps[0] (donate)", "pkvm"])
    # A stats reset before the hypervisor has built its shadow (--warmup shorter than its
    # initialisation) reads its formulas too: they must not touch what is not there yet.
    for w in ("1ns", "1us"):
        s = run_stats("--platform", "pkvm", "--set", "sw.pkvm.donations=4", "--warmup", w, out="w" + w)
        expect_eq(s, "sw.hyp.donations", 4)



def flat(j, prefix=""):
    """A config file's nested object as {dotted.name: value}."""
    out = {}
    for k, v in j.items():
        name = f"{prefix}.{k}" if prefix else k
        out.update(flat(v, name) if isinstance(v, dict) else {name: v})
    return out


def case_named_configs():
    # Every file in configs/ loads, runs a short base run, and config.json shows its values.
    d = os.path.join(SOURCE, "configs")
    files = sorted(f for f in os.listdir(d) if f.endswith(".json"))
    check(len(files) >= 3, f"configs/ has {files}")
    docs = open(os.path.join(SOURCE, "docs", "configs.md")).read()
    for f in files:
        out = f"out-{f}"
        run("--config", os.path.join(d, f), "--duration", "20us", "--out", out)
        cfg = json.load(open(os.path.join(out, "config.json")))
        stats = json.load(open(os.path.join(out, "stats.json")))
        check(stats["sim.time_ns"] > 0, f"{f}: nothing ran")
        for name, value in flat(json.load(open(os.path.join(d, f)))).items():
            check(cfg.get(name) == value, f"{f}: {name} is {cfg.get(name)!r} in config.json, not {value!r}")
            # Every value is sourced (or marked unsourced) in docs/configs.md.
            check(f"`{name}`" in docs, f"{f}: {name} has no row in docs/configs.md")
    # The MMU-600 and MMU-700 classes differ where the sources say they do.
    a = flat(json.load(open(os.path.join(d, "mmu600-agilex5.json"))))
    b = flat(json.load(open(os.path.join(d, "mmu700.json"))))
    check(a["smmu.ril"] is False and b["smmu.ril"] is True, "range invalidation: MMU-600 (v3.1) has none, MMU-700 (v3.2) has it")


def case_kvm_stage2():
    # configs/kvm-s2.json: a 40-bit IPA, so a 4K stage-2 walk starts at level 1 (3 reads
    # without walk caches) where the 48-bit default starts at level 0 (4 reads).
    common = ["--set", "sw.workload=footprint", "--set", "sw.footprint.stage=s2", "--set", "sw.footprint.accesses=300",
              "--set", "cpu_traffic.enable=false"]
    for l in range(4):
        common += ["--set", f"smmu.tcu.walk_cache.s2l{l}.enable=false"]
    reads = {}
    for name, cfg in (("default", []), ("kvm", ["--config", os.path.join(SOURCE, "configs", "kvm-s2.json")])):
        run(*cfg, *common, "--out", name)
        s = json.load(open(os.path.join(name, "stats.json")))
        reads[name] = s["smmu.tcu.ptw_reads_s2"] / s["smmu.tcu.walks"]
    check(reads == {"default": 4.0, "kvm": 3.0}, f"stage-2 reads per walk {reads}")
    input_error("--set", "sw.driver.s2_ias=20", needles=("sw.driver.s2_ias", "32..48"))

CASES = {name[len("case_"):]: fn for name, fn in globals().items() if name.startswith("case_")}


def main(argv):
    global BIN, SOURCE
    args, i = [], 0
    while i < len(argv):
        if argv[i] in ("--bin", "--source") and i + 1 < len(argv):
            if argv[i] == "--bin":
                BIN = os.path.abspath(argv[i + 1])
            else:
                SOURCE = os.path.abspath(argv[i + 1])
            i += 2
        else:
            args.append(argv[i])
            i += 1
    if not BIN or not SOURCE or len(args) != 1:
        print(f"usage: cli_test.py --bin SMMU_SIM --source DIR CASE\ncases: {' '.join(CASES)}")
        return 2
    case = CASES.get(args[0])
    if case is None:
        print(f"unknown case '{args[0]}'; cases: {' '.join(CASES)}")
        return 2
    with tempfile.TemporaryDirectory(prefix=f"cli_{args[0]}_") as tmp:
        os.chdir(tmp)
        try:
            case()
        except Failure as e:
            print(f"FAIL {args[0]}: {e}")
            return 1
        except (subprocess.TimeoutExpired, OSError, ValueError, KeyError, TypeError) as e:
            print(f"FAIL {args[0]}: {type(e).__name__}: {e}")
            return 1
        finally:
            os.chdir("/")
    print(f"PASS {args[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
