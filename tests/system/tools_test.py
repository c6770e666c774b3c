#!/usr/bin/env python3
"""System tests of what users meet around a run (issue 15): --version, listings with a
pattern, stat kinds, reproducing a run from its config.json, --warmup, --stats-interval, the
progress line, the VCD's GTKWave save file, rates, --vcd-signals and FST, every README command
and --help on every script.

usage: tools_test.py --bin PATH/smmu-sim --source SOURCE_DIR CASE
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_test  # noqa: E402  (helpers: run, check, load, read, get, vcd_vars, SHORT)
from cli_test import Failure, check, get, load, read, vcd_vars, SHORT, DMA0_ONLY  # noqa: E402


def run(*args, expect=0):
    return cli_test.run(*args, expect=expect)


def run_stats(*args, out="out"):
    return cli_test.run_stats(*args, out=out)


def values(stats):
    """stats.json without its "_kinds" member."""
    return {k: v for k, v in stats.items() if k != "_kinds"}


# ---- identity and listings -----------------------------------------------------------------

def case_version():
    out = run("--version").stdout
    check(re.fullmatch(r"smmu-sim \d+\.\d+\.\d+ \(git ([0-9a-f]{40}(-dirty)?|unknown)\)\n", out) is not None,
          f"--version printed {out!r}")


def case_list_patterns():
    lines = run("--list-params", "dram.read").stdout.splitlines()
    names = [l.split()[0] for l in lines[1:]]
    check(lines[0].startswith("name") and names and all("dram.read" in n for n in names),
          f"--list-params dram.read listed {names}")
    names = [l.split()[0] for l in run("--list-params", "noc.*.width").stdout.splitlines()[1:]]
    check(names and all(re.fullmatch(r"noc\..*\.width", n) for n in names), f"glob listed {names}")
    check("dma0.latency" in run("--list-stats", "dma0.lat").stdout, "--list-stats dma0.lat")
    check(run("--list-params", "no.such.thing").stdout.count("\n") == 1, "a pattern matching nothing lists rows")


def case_stat_kinds():
    table = run("--list-stats").stdout.splitlines()
    check(table[0].split()[:4] == ["name", "kind", "unit", "description"], f"header {table[0]!r}")
    row = next(l for l in table if l.startswith("dma0.latency "))
    check(row.split()[1:3] == ["histogram", "ns"], f"dma0.latency row: {row!r}")
    s = run_stats(*SHORT)
    kinds = s["_kinds"]
    check(set(kinds) == set(values(s)), "stats.json _kinds does not cover exactly the stats")
    check(kinds["dma0.latency"] == {"kind": "histogram", "unit": "ns"}, f"{kinds['dma0.latency']}")
    check(kinds["dma0.transactions"]["kind"] == "counter", f"{kinds['dma0.transactions']}")
    check({k["kind"] for k in kinds.values()} <= {"counter", "average", "level", "histogram", "formula"},
          "unknown kind")


# ---- reproducing a run ---------------------------------------------------------------------

def case_pkvm_rerun():
    run("--platform", "pkvm", "--set", "sw.pkvm.donations=24", "--set", "sw.hyp.policy=page", "--seed", "9",
        "--out", "one")
    cfg = load("one/config.json")
    check(cfg.get("sim.platform") == "pkvm", f"config.json sim.platform {cfg.get('sim.platform')!r}")
    check(cfg.get("sim.seed") == 9, "config.json has no seed 9")
    for k in ("run.version", "run.git_commit", "run.scenario_hash"):
        check(k in cfg, f"config.json has no {k}")
    p = run("--config", "one/config.json", "--out", "two")
    check("note:" not in p.stderr, f"rerun noted a difference: {p.stderr}")
    check(read("one/stats.json") == read("two/stats.json"), "pkvm rerun from config.json: stats.json differs")
    check(read("one/config.json") == read("two/config.json"), "pkvm rerun: config.json differs")


def case_scenario_rerun():
    sc = os.path.join(cli_test.SOURCE, "traces/scenarios/design_example.json")
    # --set overrides a value the scenario's "set" gives: the rerun must keep the --set one.
    scenario_sets = json.load(open(sc)).get("set", {})
    key = next(iter(scenario_sets), None)
    extra = ["--set", f"{key}={scenario_sets[key]}"] if key else []
    run("--scenario", sc, *extra, "--out", "one")
    cfg = load("one/config.json")
    check(cfg.get("sim.scenario") == sc, f"sim.scenario {cfg.get('sim.scenario')!r}")
    check(re.fullmatch(r"[0-9a-f]{16}", cfg.get("run.scenario_hash", "")), "no scenario hash")
    run("--config", "one/config.json", "--out", "two")
    check(read("one/stats.json") == read("two/stats.json"), "scenario rerun: stats.json differs")
    # A changed scenario file is noted.
    changed = "changed.json"
    shutil.copy(sc, changed)
    run("--scenario", changed, "--out", "three")
    with open(changed, "a") as f:
        f.write("\n")
    p = run("--config", "three/config.json", "--out", "four")
    check("run.scenario_hash" in p.stderr and "changed" in p.stderr, f"no note of the change: {p.stderr!r}")


# ---- warm-up, periodic stats, progress -----------------------------------------------------

def case_warmup():
    base = ["--set", "dma0.count=0", *DMA0_ONLY, "--duration", "40us"]
    full = run_stats(*base, out="full")
    warm = run_stats(*base, "--warmup", "20us", out="warm")
    n_full, n_warm = get(full, "dma0.transactions"), get(warm, "dma0.transactions")
    check(0 < n_warm < n_full, f"dma0.transactions {n_warm} after warm-up, {n_full} without")
    check(get(warm, "dma0.latency")["count"] <= n_warm + 64, "latency histogram was not reset")
    check(load("warm/config.json")["sim.warmup"] in ("20us", "20 us", 20000), f"sim.warmup recorded as {load('warm/config.json')['sim.warmup']!r}")
    bw_full, bw_warm = get(full, "sim.bandwidth"), get(warm, "sim.bandwidth")
    check(abs(bw_warm - bw_full) < 0.25 * bw_full, f"steady bandwidth {bw_warm} vs {bw_full} GB/s")
    run("--config", "warm/config.json", "--out", "again")
    check(read("warm/stats.json") == read("again/stats.json"), "warm-up rerun differs")


def case_stats_interval():
    plain = run_stats(*SHORT, out="plain")
    timed = run_stats(*SHORT, "--stats-interval", "5us", out="timed")
    check(read("plain/stats.json") == read("timed/stats.json"),
          "--stats-interval changed stats.json (slicing the run must not perturb it)")
    rows = [json.loads(l) for l in open("timed/stats_intervals.jsonl")]
    check(len(rows) >= 3, f"{len(rows)} rows")
    ts = [r["t_ns"] for r in rows]
    check(ts == sorted(ts) and all(int(t) % 5000 == 0 for t in ts[:-1]), f"row times {ts[:5]}...")
    check(rows[-1].get("final") is True and rows[-1]["stats"] == values(timed), "final row is not stats.json")
    tx = [r["stats"]["sim.transactions"] for r in rows]
    check(tx == sorted(tx) and tx[0] < tx[-1], "transactions do not grow over the rows")
    cli_test.input_error("--stats-interval", "0", needles=["--stats-interval"])


def case_progress():
    p = run(*SHORT, "--progress")
    check("simulated" in p.stderr and "transactions" in p.stderr, f"no progress line: {p.stderr!r}")
    p = run(*SHORT)
    check("\r" not in p.stderr, "a progress line although stderr is not a terminal")
    p = run(*SHORT, "--progress", "--quiet")
    check("\r" not in p.stderr, "--quiet did not silence the progress line")


# ---- waveforms -----------------------------------------------------------------------------

def gtkw_signals(path):
    """Signal names (without ranges) a GTKWave save file shows, and its flags per name."""
    names, flags, flag = [], {}, None
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("@"):
            flag = int(line[1:], 16)
        elif line and line[0] not in "[*-":
            base = re.sub(r"\[\d+:\d+\]$", "", line)
            names.append(base)
            flags[base] = flag
    return names, flags


def case_gtkw_save_file():
    run(*SHORT, "--vcd", "t.vcd")
    check(os.path.isfile("t.gtkw"), "no t.gtkw beside t.vcd")
    text = open("t.gtkw").read()
    check('[dumpfile] "t.vcd"' in text, "save file does not name t.vcd")
    names, flags = gtkw_signals("t.gtkw")
    declared = vcd_vars(open("t.vcd").read())
    missing = [n for n in names if n not in declared]
    check(not missing, f"save file names signals the VCD lacks: {missing[:5]}")
    check(set(names) == declared, f"signals not in the save file: {sorted(declared - set(names))[:5]}")
    check(any(n.endswith("fills_per_us") for n in names), "no rate signal for cache fills")
    check(flags["dram.occupancy"] & 0x8000 and flags["dram.occupancy"] & 0x4, "occupancy not analog decimal")
    check(re.search(r"^@800200\n-smmu\.tbu0$", text, re.M), "no group for smmu.tbu0")
    check(re.search(r"^\*-?\d+\.\d+ ", text, re.M), "no zoom line")
    check("hier_max_level 0" in open("t.gtkwaverc").read(), "no rc file for full names")
    # The real viewer: GTKWave under a virtual X server loads both and lists what it shows.
    if shutil.which("gtkwave") and shutil.which("xvfb-run"):
        tcl = ("puts \"SHOWN [gtkwave::getDisplayedSignals]\"\n"
               "puts \"WINDOW [gtkwave::getWindowEndTime] [gtkwave::getMaxTime]\"\ngtkwave::/File/Quit\n")
        with open("q.tcl", "w") as f:
            f.write(tcl)
        p = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", "gtkwave", "-r", "t.gtkwaverc", "-S",
                            "q.tcl", "t.vcd", "t.gtkw"], capture_output=True, text=True, timeout=100)
        shown = next((l for l in p.stdout.splitlines() if l.startswith("SHOWN ")), None)
        check(shown is not None, f"gtkwave printed no list ({p.returncode}): {p.stdout[-400:]} {p.stderr[-400:]}")
        for n in ("dram.occupancy", "smmu.tbu0.slots_busy", "dma0.bytes_per_us"):
            check(n in shown, f"gtkwave does not show {n}: {shown[:300]}")
        # Zoomed to the whole run, not much more.
        window = next(l for l in p.stdout.splitlines() if l.startswith("WINDOW ")).split()
        end, run_end = int(window[1]), int(window[2])
        check(run_end <= end <= 2 * run_end, f"the view ends at {end} ps, the run at {run_end} ps")
    else:
        print("gtkwave or xvfb-run missing: checked the save file against the VCD only")


def case_vcd_signals():
    run(*SHORT, "--vcd", "t.vcd", "--vcd-signals", "smmu.tbu0,dram")
    names = vcd_vars(open("t.vcd").read())
    check(names and all(n.startswith(("smmu.tbu0.", "dram.")) for n in names), f"selected {sorted(names)[:8]}")
    check("dram.occupancy" in names, "dram.occupancy missing")
    cli_test.input_error(*SHORT, "--vcd", "u.vcd", "--vcd-signals", "nothing.here", needles=["--vcd-signals"])


def case_fst():
    run(*SHORT, "--vcd", "t.fst")
    check(os.path.isfile("t.fst") and not os.path.exists("t.fst.tmp.vcd"), "no t.fst (or the VCD left behind)")
    check('[dumpfile] "t.fst"' in open("t.gtkw").read(), "save file does not name t.fst")
    p = subprocess.run(["fst2vcd", "t.fst"], capture_output=True, text=True, timeout=60)
    check(p.returncode == 0, f"fst2vcd: {p.stderr}")
    check("smmu.tbu0.slots_busy" in vcd_vars(p.stdout), "FST lacks smmu.tbu0.slots_busy")


# ---- transaction trace ---------------------------------------------------------------------

def trace_modules():
    """Where scripts/test installed the npm trace parser (BUILD/npm/node_modules), or None."""
    build = os.path.dirname(os.path.dirname(cli_test.BIN))
    path = os.environ.get("SMMU_NODE_MODULES") or os.path.join(build, "npm", "node_modules")
    return path if os.path.isdir(os.path.join(path, "@tracerbench", "trace-model")) else None


def traced_run():
    sc = os.path.join(cli_test.SOURCE, "traces/scenarios/nested_and_faults.json")
    run("--scenario", sc, "--trace", "t.json")
    return load("t.json")


def case_chrome_trace_smmu():
    doc = traced_run()
    check(doc.get("displayTimeUnit") == "ns", "displayTimeUnit is not ns")
    evs = doc["traceEvents"]
    check(all("cat" in e for e in evs), f"events without cat: {[e for e in evs if 'cat' not in e][:2]}")
    for e in evs:
        for k in ("ts", "dur"):
            if k in e:
                ns = e[k] * 1000
                check(abs(ns - round(ns)) < 1e-6, f"{k} {e[k]} is not a whole number of ns: {e}")
    cats = {e["cat"] for e in evs if e.get("ph") == "X"}
    for want in ("device", "tbu.lookup", "tbu.dti", "tbu.transaction", "tcu.translate", "tcu.walk", "tcu.command",
                 "tcu.invalidate", "tcu.event"):
        check(want in cats, f"no {want} spans (have {sorted(cats)})")
    tx = [e for e in evs if e.get("cat") == "tbu.transaction" and e["args"].get("status") == "ok"]
    check(tx and all(k in tx[0]["args"] for k in ("sid", "ssid", "iova", "pa")), f"transaction args {tx[:1]}")
    check(any(e["name"] in ("dma0 read", "dma0 write") for e in tx), "device transactions not named by master and op")
    names = {e["name"] for e in evs if e.get("cat") == "tcu.command"}
    check("CMD_SYNC" in names, f"no CMD_SYNC span: {sorted(names)}")
    walk = {e["name"] for e in evs if e.get("cat") == "tcu.walk"}
    check(any("descriptor read" in n for n in walk) and any("config fetch" in n for n in walk), f"walk spans {walk}")
    starts = {e["id"] for e in evs if e.get("ph") == "s"}
    ends = {e["id"] for e in evs if e.get("ph") == "f"}
    check(starts and starts == ends, f"{len(starts)} flow starts, {len(ends)} flow ends")
    # No two complete events of one lane overlap.
    lanes = {}
    for e in evs:
        if e.get("ph") == "X":
            lanes.setdefault((e["pid"], e["tid"]), []).append((round(e["ts"] * 1000), round((e["ts"] + e["dur"]) * 1000)))
    for lane, spans in lanes.items():
        spans.sort()
        for (s0, e0), (s1, _) in zip(spans, spans[1:]):
            check(s1 >= e0, f"overlapping spans on {lane}: {s0}-{e0} and {s1}")


def json_trace_slices(doc):
    """The JSON trace as perfetto_decode.decode() returns the Perfetto one: slices in ns, null
    arguments dropped, the raw dword pair as raw[0] and raw[1], a flow on the slice written
    just before it (the writer's order); thread and process names from the metadata."""
    slices, processes, threads, last = [], {}, {}, None
    for e in doc["traceEvents"]:
        ph = e.get("ph")
        if ph == "M" and e["name"] == "process_name":
            processes[e["pid"]] = e["args"]["name"]
        elif ph == "M" and e["name"] == "thread_name":
            threads[(e["pid"], e["tid"])] = e["args"]["name"]
        elif ph == "X":
            args = {}
            for k, v in e["args"].items():
                if isinstance(v, list):
                    args.update({f"{k}[{i}]": x for i, x in enumerate(v)})
                elif v is not None:
                    args[k] = v
            last = {"pid": e["pid"], "tid": e["tid"], "name": e["name"], "cat": e["cat"],
                    "ts": round(e["ts"] * 1000), "dur": round(e["dur"] * 1000), "args": args,
                    "flow_out": [], "flow_in": []}
            slices.append(last)
        elif ph in ("s", "f"):
            check(last is not None and round(e["ts"] * 1000) == last["ts"] and e["tid"] == last["tid"],
                  f"flow event not at the start of the span before it: {e}")
            last["flow_out" if ph == "s" else "flow_in"].append(e["id"])
    return {"processes": processes, "threads": threads, "slices": slices}


def slice_key(s):
    return (s["pid"], s["tid"], s["ts"], s["dur"], s["name"], s["cat"], json.dumps(s["args"], sort_keys=True),
            tuple(s["flow_out"]), tuple(s["flow_in"]))


def case_perfetto_trace():
    """--trace FILE.pftrace: the same spans, arguments, flows, threads and processes as the
    JSON trace of the same run, read back by an independent decoder (perfetto_decode.py)."""
    import perfetto_decode
    sc = os.path.join(cli_test.SOURCE, "traces/scenarios/nested_and_faults.json")
    for args in ([ "--scenario", sc], ["--max-transactions", "3000"]):
        run(*args, "--trace", "t.json", "--out", "o1")
        run(*args, "--trace", "t.pftrace", "--out", "o2")
        check(load("o1/stats.json") == load("o2/stats.json"), "the trace format changed the results")
        want = json_trace_slices(load("t.json"))
        try:
            got = perfetto_decode.decode("t.pftrace")
        except ValueError as e:
            raise Failure(f"{args}: the Perfetto trace does not decode: {e}")
        check(got["processes"] == want["processes"], f"processes {got['processes']} != {want['processes']}")
        check(got["threads"] == want["threads"],
              f"threads differ: {sorted(set(got['threads'].items()) ^ set(want['threads'].items()))[:4]}")
        g = sorted(map(slice_key, got["slices"]))
        w = sorted(map(slice_key, want["slices"]))
        check(len(g) == len(w), f"{args}: {len(g)} Perfetto slices, {len(w)} JSON spans")
        diff = [(a, b) for a, b in zip(g, w) if a != b]
        check(not diff, f"{args}: slices differ, first: Perfetto {diff[:1]}")
        check(any(s["flow_out"] for s in got["slices"]) and any(s["flow_in"] for s in got["slices"]),
              "no flows in the Perfetto trace")
        size = os.path.getsize("t.pftrace"), os.path.getsize("t.json")
        check(size[0] < size[1] / 2, f"the Perfetto trace is {size[0]} bytes, the JSON {size[1]}")
    # Its extension chooses the format; any other name is JSON.
    run("--max-transactions", "100", "--trace", "t.perfetto-trace", "--out", "o3")
    perfetto_decode.decode("t.perfetto-trace")
    run("--max-transactions", "100", "--trace", "t.trace", "--out", "o4")
    check(load("t.trace").get("traceEvents"), "t.trace is not JSON")


def case_chrome_trace_parser():
    """The trace read by a third-party library (@tracerbench/trace-model under node)."""
    modules = trace_modules()
    if not shutil.which("node") or not modules:
        print("SKIP: node or @tracerbench/trace-model missing (scripts/test installs it with npm)")
        return
    traced_run()
    p = subprocess.run(["node", os.path.join(cli_test.SOURCE, "tests/system/trace_check.js"), "t.json"],
                       capture_output=True, text=True, timeout=100, env={**os.environ, "NODE_PATH": modules})
    check(p.returncode == 0, f"trace-model failed to read the trace ({p.returncode}): {p.stderr[-800:]}")
    m = json.loads(p.stdout)
    check("devices" in m["processes"] and "smmu" in m["processes"], f"processes {m['processes']}")
    check(any(t.startswith("smmu.tcu walk") for t in m["threads"]), f"threads {m['threads'][:10]}")
    check(m["flowsBegin"] > 0 and m["flowsBegin"] == m["flowsEnd"], f"flows {m['flowsBegin']} -> {m['flowsEnd']}")
    tx = m["samples"].get("tbu.transaction")
    check(tx and "pa" in tx["args"] or tx and tx["args"].get("status") != "ok", f"transaction sample {tx}")
    check(m["byCat"].get("tcu.translate/X", 0) > 0, f"no translations parsed: {m['byCat']}")


# ---- README and scripts --------------------------------------------------------------------

def readme_commands():
    """Indented command lines of README.md that run smmu-sim (directly or by scripts/run)."""
    cmds = []
    for line in open(os.path.join(cli_test.SOURCE, "README.md")):
        if not line.startswith("    "):
            continue
        words = shlex.split(line.split("#", 1)[0])
        if words and words[0] in ("smmu-sim", "scripts/run"):
            cmds.append(words[1:])
    return cmds


def case_readme_commands():
    cmds = readme_commands()
    check(len(cmds) >= 6, f"found only {len(cmds)} README commands")
    # The inline raw-traffic recipe of the tour, as written.
    text = open(os.path.join(cli_test.SOURCE, "README.md")).read()
    m = re.search(r"`(--set sw\.enable=false[^`]*)`", text)
    check(m is not None, "README has no raw-traffic recipe")
    cmds.append(shlex.split(m.group(1)))
    for i, args in enumerate(cmds):
        # Paths the README writes under out/ stay in this directory; the SOURCE tree holds inputs.
        args = [os.path.join(cli_test.SOURCE, a) if a.startswith(("traces/", "configs/")) else a for a in args]
        if "--max-transactions" not in args and "--duration" not in args and not any(a.startswith("--list") for a in args):
            args += ["--max-transactions", "4000"]
        if any(a.startswith("--set=sw.pkvm.donations") or a.startswith("sw.pkvm.donations") for a in args):
            args = [("sw.pkvm.donations=64" if a.startswith("sw.pkvm.donations") else a) for a in args]
        # In order, in one directory: a command may rerun what an earlier one wrote to out/.
        os.makedirs("out", exist_ok=True)
        run(*args)


def case_scenario_doc_examples():
    text = open(os.path.join(cli_test.SOURCE, "docs/scenarios.md")).read()
    blocks = re.findall(r"```json\n(.*?)```", text, re.S)
    check(len(blocks) >= 6, f"docs/scenarios.md has {len(blocks)} examples")
    for i, b in enumerate(blocks):
        path = cli_test.write(f"ex{i}.json", b)
        pkvm = any(f'"{op}"' in b for op in ("donate", "reclaim", "share", "unshare"))
        run(*(["--platform", "pkvm"] if pkvm else []), "--scenario", path, "--out", f"o{i}",
            "--xlate-log", f"x{i}.jsonl")


def case_generated_docs():
    p = subprocess.run([os.path.join(cli_test.SOURCE, "scripts/make_docs"), "--bin", cli_test.BIN, "--out", "gen"],
                       capture_output=True, text=True, timeout=150)
    check(p.returncode == 0, f"scripts/make_docs: exit {p.returncode}: {p.stderr}")
    pages = ["parameters.md", "stats.md"] + (["smmu-sim.1"] if shutil.which("help2man") else [])
    for page in pages:
        committed = os.path.join(cli_test.SOURCE, "docs", page)
        check(os.path.isfile(committed), f"docs/{page} is not in the repository")
        check(read(committed) == read(os.path.join("gen", page)),
              f"docs/{page} is out of date: run scripts/make_docs and commit it")


def case_readme_links():
    """Every relative link of README.md and docs/*.md names a file in the repository."""
    bad = []
    for root, _, files in os.walk(cli_test.SOURCE):
        if "/build" in root or "/." in root or "/sweeps" in root or "/out" in root:
            continue
        for f in files:
            if not f.endswith(".md"):
                continue
            path = os.path.join(root, f)
            for target in re.findall(r"\]\(([^)#]+)[^)]*\)", open(path).read()):
                if re.match(r"[a-z]+://", target):
                    continue
                if not os.path.exists(os.path.join(root, target)):
                    bad.append(f"{os.path.relpath(path, cli_test.SOURCE)}: {target}")
    check(not bad, f"links to files not in the repository: {bad}")
    text = open(os.path.join(cli_test.SOURCE, "README.md")).read()
    check("/work/" not in text and "shared documents" not in text, "README points outside the repository")


def case_plot_units():
    """scripts/plot labels axes with units from --list-params / --list-stats."""
    sys.path.insert(0, os.path.join(cli_test.SOURCE, "scripts", "lib"))
    os.environ["SMMU_SIM"] = cli_test.BIN
    import plot  # noqa: E402
    units = plot.known_units()
    for col, want in (("dma0.latency.p50", "dma0.latency.p50 (ns)"), ("dram.read_latency", "dram.read_latency (cycles)"),
                      ("sim.bandwidth", "sim.bandwidth (GB/s)"), ("smmu.tcu.ptw_reads/smmu.tcu.walks",
                                                                  "smmu.tcu.ptw_reads/smmu.tcu.walks"),
                      ("_policy", "policy")):
        got = plot.label_for(col, units)
        check(got == want, f"label for {col}: {got!r}, expected {want!r}")


SCRIPTS = ("run", "test", "bench", "study", "sweep", "plot", "make_trace", "test_slurm", "make_docs", "screenshots")


def case_script_help():
    for name in SCRIPTS:
        path = os.path.join(cli_test.SOURCE, "scripts", name)
        p = subprocess.run([path, "--help"], capture_output=True, text=True, timeout=100,
                           env={**os.environ, "SMMU_SIM": cli_test.BIN})
        check(p.returncode == 0, f"scripts/{name} --help: exit {p.returncode}\n{p.stdout}{p.stderr}")
        check(len(p.stdout.strip().splitlines()) >= 2, f"scripts/{name} --help printed {p.stdout!r}")
        check("ninja" not in p.stdout and "Building" not in p.stdout, f"scripts/{name} --help: build output on stdout")


CASES = {name[len("case_"):]: fn for name, fn in globals().items() if name.startswith("case_")}

if __name__ == "__main__":
    cli_test.CASES.clear()
    cli_test.CASES.update(CASES)
    sys.exit(cli_test.main(sys.argv[1:]))
