#!/usr/bin/env python3
"""Tests of scripts/sweep and scripts/plot (their Python, against the built smmu-sim).

usage: sweep_test.py --bin PATH/smmu-sim --source SOURCE_DIR CASE
"""

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile

BIN = SOURCE = None
SMALL = ["--set", "sw.nic.packets=20", "--set", "cpu_traffic.enable=false"]


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def sweep(*args, expect=0, sim=None):
    env = dict(os.environ, SMMU_SIM=sim or BIN)
    p = subprocess.run([sys.executable, os.path.join(SOURCE, "scripts", "lib", "sweep.py"), *args],
                       capture_output=True, text=True, env=env, timeout=600)
    check(p.returncode == expect, f"sweep {' '.join(args)}: exit {p.returncode}, expected {expect}\n{p.stderr}")
    return p


def plot(*args, expect=0):
    p = subprocess.run([sys.executable, os.path.join(SOURCE, "scripts", "lib", "plot.py"), *args],
                       capture_output=True, text=True, timeout=120)
    check(p.returncode == expect, f"plot {' '.join(args)}: exit {p.returncode}, expected {expect}\n{p.stderr}")
    return p


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def case_grid_to_csv():
    sweep("--param", "sw.driver.batch=1,64", "--param", "sw.driver.policy=strict,lazy", *SMALL,
          "--stat", "sw.driver.commands", "--stat", "sw.driver.unmap_cycles.p50", "-j", "2", "--out", "o")
    r = rows("o/results.csv")
    check(len(r) == 4, f"{len(r)} rows, expected 4")
    check({(x["sw.driver.batch"], x["sw.driver.policy"]) for x in r} ==
          {("1", "strict"), ("1", "lazy"), ("64", "strict"), ("64", "lazy")}, f"grid points {r}")
    for x in r:
        stats = json.load(open(os.path.join("o", "points", x["point"], "stats.json")))
        check(float(x["sw.driver.commands"]) == stats["sw.driver.commands"], f"CSV disagrees with stats.json: {x}")
        cfg = json.load(open(os.path.join("o", "points", x["point"], "config.json")))
        check(str(cfg["sw.driver.batch"]) == x["sw.driver.batch"], f"config.json disagrees: {x}")
    strict = [x for x in r if x["sw.driver.policy"] == "strict"]
    lazy = [x for x in r if x["sw.driver.policy"] == "lazy"]
    check(float(lazy[0]["sw.driver.commands"]) < float(strict[0]["sw.driver.commands"]), "lazy issued no fewer commands")


def case_resume_and_failures():
    args = ["--param", "sw.nic.packets=10,20,bogus", "--set", "cpu_traffic.enable=false",
            "--stat", "sw.workload.dma_jobs", "-j", "2", "--out", "o"]
    p = sweep(*args, expect=1)
    check("FAILED" in p.stderr and "sw.nic.packets=bogus" in p.stderr, f"failure not reported:\n{p.stderr}")
    r = rows("o/results.csv")
    check([x["sw.workload.dma_jobs"] for x in r] == ["20", "40", ""], f"rows {r}")  # descriptor + data per packet
    p = sweep(*args, expect=1)
    check("2 of 3 points already done" in p.stderr, f"not resumed:\n{p.stderr}")
    # A rebuilt simulator (another binary) runs every point again.
    shutil.copy(BIN, "rebuilt-sim")
    with open("rebuilt-sim", "ab") as f:
        f.write(b"\0")
    p = sweep(*args, expect=1, sim=os.path.abspath("rebuilt-sim"))
    check("already done" not in p.stderr and "another smmu-sim build" in p.stderr and "(0 reused" in p.stdout,
          f"results of another build were reused:\n{p.stderr}{p.stdout}")
    check([x["sw.workload.dma_jobs"] for x in rows("o/results.csv")] == ["20", "40", ""], "rows after the re-run")


def case_sweep_file_and_seeds():
    with open("s.yaml", "w") as f:
        f.write("name: nicseeds\nplatform: base\nset:\n  sw.nic.packets: 10\n  cpu_traffic.enable: false\n"
                "points:\n  - {sw.driver.sync: poll}\n  - {sw.driver.sync: msi}\nseeds: [1, 2]\n"
                "stats: [sw.driver.sync_wait_cycles.mean, sim.time_ns]\n")
    sweep("s.yaml", "--out", "o")
    r = rows("o/results.csv")
    check(len(r) == 4 and {x["seed"] for x in r} == {"1", "2"}, f"rows {r}")
    with open("bad.yaml", "w") as f:
        f.write("grid:\n  sw.driver.batch: 5\nstats: [sim.time_ns]\n")
    p = sweep("bad.yaml", expect=2)
    check("grid.sw.driver.batch" in p.stderr, p.stderr)
    with open("bad2.json", "w") as f:
        f.write('{"grdi": {}}')
    p = sweep("bad2.json", expect=2)
    check("unknown key 'grdi'" in p.stderr, p.stderr)
    p = sweep("--param", "sw.nic.packets=1", expect=2)
    check("no stats" in p.stderr, p.stderr)


def case_dry_run():
    p = sweep("--param", "smmu.tbus=2,4", "--stat", "sim.time_ns", "--dry-run", "--set", "sw.nic.packets=5")
    lines = p.stdout.strip().splitlines()
    check(len(lines) == 2 and all("--set smmu.tbus=" in l for l in lines), p.stdout)
    check(not os.path.exists("sweeps"), "a dry run wrote results")


def case_warmup():
    # `warmup` (file key or --warmup) reaches smmu-sim as --warmup: counts made before it are
    # gone from the stats, and the warm-up time is part of a point's key (not reused).
    common = ["--param", "sw.nic.packets=40", "--set", "cpu_traffic.enable=false", "--stat", "dma0.transactions"]
    sweep(*common, "--out", "cold")
    cold = int(float(rows("cold/results.csv")[0]["dma0.transactions"]))
    with open("w.yaml", "w") as f:
        f.write("name: w\nset: {sw.nic.packets: 40, cpu_traffic.enable: false}\nwarmup: 30us\n"
                "stats: [dma0.transactions]\n")
    p = sweep("w.yaml", "--dry-run")
    check(p.stdout.strip().endswith("--warmup 30us"), p.stdout)
    sweep("w.yaml", "--out", "warm")
    warm = int(float(rows("warm/results.csv")[0]["dma0.transactions"]))
    check(0 < warm < cold, f"warm-up did not reset the counts: {warm} with, {cold} without")
    sweep("w.yaml", "--out", "warm", "--warmup", "20us")
    again = int(float(rows("warm/results.csv")[0]["dma0.transactions"]))
    check(warm < again <= cold, f"another warm-up reused the point: {again}")


def case_bad_sweep_files():
    bad = {
        "set.json": ('{"set": [1], "stats": ["x"]}', "set: must be an object"),
        "value.json": ('{"set": {"a": [1]}, "stats": ["x"]}', "set.a: must be a single value"),
        "grid.json": ('{"grid": {"a": []}, "stats": ["x"]}', "grid.a: must be a non-empty list"),
        "points.json": ('{"points": [{"a": 1}, 3], "stats": ["x"]}', "points: must be a list of objects"),
        "seeds.json": ('{"seeds": [1, "x"], "stats": ["x"]}', "seeds: must be integers"),
        "stats.json": ('{"stats": "x"}', "stats: must be a list"),
        "key.json": ('{"gird": {}, "stats": ["x"]}', "unknown key 'gird'"),
        "broken.json": ('{"stats": [', "malformed JSON"),
        # Issue 19, item 6: each of these was a Python traceback or a message over several lines.
        "intkey.yaml": ("set:\n  1: 2\nstats: [x]\n", "set: key 1 is not a parameter name"),
        "intgrid.yaml": ("grid:\n  5: [1, 2]\nstats: [x]\n", "grid: key 5 is not a parameter name"),
        "intpoint.yaml": ("points:\n  - {3: 1}\nstats: [x]\n", "points[0]: key 3 is not a parameter name"),
        "latin1.json": (b'{"stats": ["\xe9"]}', "not UTF-8 text (byte 12 is 0xe9)"),
        "syntax.yaml": ("stats: [x\nset: {a: 1\n", "malformed YAML at line 2, column 4"),
        "deep.json": ("[" * 100000, "nested too deeply"),
    }
    for name, (text, msg) in bad.items():
        with open(name, "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode())
        p = sweep(name, "--dry-run", expect=2)
        err = p.stderr.strip().splitlines()
        check(len(err) == 1 and name in err[0] and msg in err[0], f"{name}: {p.stderr}")


def case_unknown_stat():
    # Checked before any point runs: exit 2, one line naming the file and the key.
    with open("s.yaml", "w") as f:
        f.write("set:\n  sw.nic.packets: 5\ngrid:\n  sw.driver.batch: [1, 2]\n"
                "stats: [sim.time_ns, sw.driver.comands]\n")
    p = sweep("s.yaml", "--out", "o", expect=2)
    err = p.stderr.strip().splitlines()
    check(len(err) == 1 and "s.yaml: stats" in err[0] and "'sw.driver.comands'" in err[0], p.stderr)
    check(not os.path.exists("o/points"), "points ran before the stat was checked")
    # A histogram needs a field, and only one it has; a single value has none.
    for stat, msg in (("sw.driver.unmap_cycles", "has fields"), ("sw.driver.unmap_cycles.p98", "no field 'p98'"),
                      ("sim.time_ns.mean", "single value")):
        p = sweep("--param", "sw.driver.batch=1", "--stat", stat, "--out", "o", expect=2)
        check("--stat" in p.stderr and msg in p.stderr, f"{stat}: {p.stderr}")
    sweep("--param", "sw.driver.batch=1", "--stat", "sw.driver.unmap_cycles.p99", "--dry-run")
    # Stats of parts that exist only in some configurations (a fifth TBU) are found.
    sweep("--set", "smmu.tbus=6", "--param", "sw.driver.batch=1", "--stat", "smmu.tbu5.utlb.hits", "--dry-run")
    # A stat missing from a finished point's stats.json is an error, not an empty cell.
    sweep("--param", "sw.nic.packets=3", "--set", "cpu_traffic.enable=false", "--stat", "sw.driver.commands",
          "--out", "m")
    point = rows("m/results.csv")[0]["point"]
    path = os.path.join("m", "points", point, "stats.json")
    stats = json.load(open(path))
    del stats["sw.driver.commands"]
    json.dump(stats, open(path, "w"))
    p = sweep("--param", "sw.nic.packets=3", "--set", "cpu_traffic.enable=false", "--stat", "sw.driver.commands",
              "--out", "m", expect=1)
    check("error" in p.stderr and point in p.stderr and "sw.driver.commands" in p.stderr, p.stderr)


def case_unknown_param():
    for text, key in (("set:\n  sw.nic.packetz: 5\nstats: [sim.time_ns]\n", "set.sw.nic.packetz"),
                      ("grid:\n  sw.driver.bacth: [1, 2]\nstats: [sim.time_ns]\n", "grid.sw.driver.bacth"),
                      ("points:\n  - {_label: a, sw.driver.batch: 1}\n  - {smmu.tbu9.dti_latency: 2}\n"
                       "stats: [sim.time_ns]\n", "points[1].smmu.tbu9.dti_latency")):
        with open("p.yaml", "w") as f:
            f.write(text)
        p = sweep("p.yaml", "--out", "o", expect=2)
        err = p.stderr.strip().splitlines()
        check(len(err) == 1 and f"p.yaml: {key}: unknown parameter" in err[0], p.stderr)
        check(not os.path.exists("o/points"), "points ran before the parameter was checked")
    p = sweep("--param", "sw.nic.pakets=1,2", "--stat", "sim.time_ns", "--dry-run", expect=2)
    check("--param sw.nic.pakets: unknown parameter" in p.stderr, p.stderr)
    # A parameter that exists with another fixed setting (smmu.tbus) is known.
    sweep("--set", "smmu.tbus=4", "--param", "smmu.tbu3.dti_latency=1,2", "--stat", "sim.time_ns", "--dry-run")


def case_seeds_aggregate():
    # A seeds sweep also writes one row per point: the mean and the 95% interval (Student's t).
    sweep("--param", "sw.driver.batch=1,64", "--set", "sw.nic.packets=20", "--seeds", "1,2,3",
          "--stat", "sw.driver.unmap_cycles.mean", "--stat", "sim.time_ns", "-j", "2", "--out", "o")
    raw, agg = rows("o/results.csv"), rows("o/results_agg.csv")
    check(len(raw) == 6 and len(agg) == 2, f"{len(raw)} per-seed rows, {len(agg)} aggregated rows")
    for a in agg:
        check(a["seeds"] == "3", f"seeds {a}")
        for s in ("sw.driver.unmap_cycles.mean", "sim.time_ns"):
            v = [float(r[s]) for r in raw if r["sw.driver.batch"] == a["sw.driver.batch"]]
            mean = sum(v) / 3
            half = 4.303 * (sum((x - mean) ** 2 for x in v) / 2) ** 0.5 / 3 ** 0.5  # t(0.975, 2) = 4.303
            check(abs(float(a[s]) - mean) <= 1e-9 * abs(mean), f"{s}: mean {a[s]}, expected {mean}")
            check(abs(float(a[s + "_ci95"]) - half) <= 1e-9 * max(1.0, half), f"{s}: ci95 {a[s + '_ci95']}, expected {half}")
    # One seed: a mean, no interval. Without seeds: no aggregated CSV.
    sweep("--param", "sw.driver.batch=1", "--set", "sw.nic.packets=20", "--seeds", "5", "--stat", "sim.time_ns",
          "--out", "one")
    one = rows("one/results_agg.csv")
    check(len(one) == 1 and one[0]["seeds"] == "1" and one[0]["sim.time_ns_ci95"] == "", f"one seed: {one}")
    sweep("--param", "sw.driver.batch=1", "--set", "sw.nic.packets=20", "--stat", "sim.time_ns", "--out", "none")
    check(not os.path.exists("none/results_agg.csv"), "an aggregated CSV without seeds")
    # t critical values: the table, and the expansion beyond 30 degrees of freedom.
    sys.path.insert(0, os.path.join(SOURCE, "scripts", "lib"))
    import interval
    for df, t in ((1, 12.706), (2, 4.303), (10, 2.228), (30, 2.042), (40, 2.021), (120, 1.980)):
        check(abs(interval.t975(df) - t) < 0.0015, f"t975({df}) = {interval.t975(df)}, expected {t}")


def case_plots():
    with open("r.csv", "w") as f:
        f.write("point,x,g,y\na,1,p,10\nb,2,p,20\nc,1,q,5\nd,2,q,7\ne,2,q,9\n")
    for kind, extra in (("line", ["--group", "g"]), ("bar", ["--group", "g"]), ("heatmap", ["--z", "y"])):
        y = "g" if kind == "heatmap" else "y"
        plot(kind, "r.csv", "--x", "x", "--y", y, *extra, "--out", f"{kind}.png")
        check(os.path.getsize(f"{kind}.png") > 1000, f"{kind}.png is empty")
        check(open(f"{kind}.png", "rb").read(4) == b"\x89PNG", f"{kind}.png is not a PNG")
    # A Y_ci95 column beside Y draws error bars (the figure differs from the one without).
    with open("agg.csv", "w") as f:
        f.write("x,g,y,y_ci95\n1,p,10,3\n2,p,20,4\n1,q,5,1\n2,q,7,2\n")
    with open("noci.csv", "w") as f:
        f.write("x,g,y\n1,p,10\n2,p,20\n1,q,5\n2,q,7\n")
    for kind in ("line", "bar"):
        plot(kind, "agg.csv", "--x", "x", "--y", "y", "--group", "g", "--out", f"{kind}-ci.png")
        plot(kind, "noci.csv", "--x", "x", "--y", "y", "--group", "g", "--out", f"{kind}-noci.png")
        check(open(f"{kind}-ci.png", "rb").read() != open(f"{kind}-noci.png", "rb").read(),
              f"{kind}: the _ci95 column drew no error bars")
    # A per-seed CSV: the interval of the mean over the seeds, for a ratio too.
    with open("seeds.csv", "w") as f:
        f.write("x,seed,a,b\n1,1,10,2\n1,2,12,2\n1,3,14,2\n2,1,20,2\n2,2,21,2\n2,3,26,2\n")
    with open("noseed.csv", "w") as f:
        f.write("x,run,a,b\n1,1,10,2\n1,2,12,2\n1,3,14,2\n2,1,20,2\n2,2,21,2\n2,3,26,2\n")
    plot("line", "seeds.csv", "--x", "x", "--y", "a/b", "--out", "seeds.png")
    plot("line", "noseed.csv", "--x", "x", "--y", "a/b", "--out", "noseed.png")
    check(open("seeds.png", "rb").read() != open("noseed.png", "rb").read(),
          "a per-seed CSV drew no error bars")
    p = plot("line", "r.csv", "--x", "nope", "--y", "y", "--out", "x.png", expect=2)
    check("no column 'nope'" in p.stderr, p.stderr)


def case_named_configs():
    # configs: each point once per named configuration (--config files before the sets), the
    # label in a `_config` column, with a per-seed row and the aggregate per configuration.
    with open("a.json", "w") as f:
        f.write('{"sw": {"driver": {"batch": 1}}}')
    with open("b.json", "w") as f:
        f.write('{"sw": {"driver": {"batch": 64, "policy": "lazy"}}}')
    with open("c.yaml", "w") as f:
        f.write("name: cfg\nplatform: base\nconfigs:\n  one: [a.json]\n  many: [b.json]\n"
                "set:\n  sw.nic.packets: 10\n  cpu_traffic.enable: false\n  sw.driver.policy: strict\n"
                "seeds: [1, 2]\nstats: [sw.driver.commands]\n")
    sweep("c.yaml", "--out", "o", "-j", "2")
    header = open("o/results.csv").readline().strip().split(",")
    check(header == ["point", "_config", "seed", "sw.driver.commands"], f"header {header}")
    r = rows("o/results.csv")
    check(len(r) == 4 and {x["_config"] for x in r} == {"one", "many"}, f"rows {r}")
    for x in r:
        cfg = json.load(open(os.path.join("o", "points", x["point"], "config.json")))
        check(cfg["sw.driver.batch"] == (1 if x["_config"] == "one" else 64), f"config file not applied: {x}")
        check(cfg["sw.driver.policy"] == "strict", "the sweep's set must override the config file")
    agg = rows("o/results_agg.csv")
    check(len(agg) == 2 and all(a["seeds"] == "2" for a in agg), f"aggregate {agg}")
    # An edited configuration is a new point: it runs again.
    with open("b.json", "w") as f:
        f.write('{"sw": {"driver": {"batch": 32}}}')
    p = sweep("c.yaml", "--out", "o")
    check("2 reused" in p.stdout, p.stdout)
    with open("missing.yaml", "w") as f:
        f.write("configs:\n  x: [nope.json]\nstats: [sim.time_ns]\n")
    p = sweep("missing.yaml", "--dry-run", expect=2)
    check("configs.x" in p.stderr and "nope.json" in p.stderr, p.stderr)


# Studies redone by the method of docs/studies/README.md (the others join when they are).
METHOD_STUDIES = {"walk", "walk_sens", "walk_sens_granule", "tlbi", "tlbi_sens", "ats", "ats_dev2", "ats_dev4", "ats_parallel", "ats_sens", "pkvm", "pkvm_sens"}


def case_study_csv_headers():
    # A study with seeds: its committed CSVs have the header its sweep file gives now (one row
    # per seed with a `seed` column; the aggregate with `_ci95` columns), so they are what
    # `scripts/study NAME` regenerates.
    sys.path.insert(0, os.path.join(SOURCE, "scripts", "lib"))
    import argparse
    import sweep as sw
    studies = os.path.join(SOURCE, "scripts", "studies")
    data = os.path.join(SOURCE, "docs", "studies", "data")
    checked = 0
    for name in sorted(os.listdir(studies)):
        base, ext = os.path.splitext(name)
        if ext != ".yaml":
            continue
        args = argparse.Namespace(file=os.path.join(studies, name), set=[], param=[], list=None, seeds=None,
                                  stat=[], name=None, platform=None, scenario=None, config=[])
        s = sw.build_sweep(args)
        if not s.seeds or base not in METHOD_STUDIES:
            continue
        columns, params_cols = sw.csv_columns(s)
        check("seed" in columns, f"{name}: no seed column")
        for csv_name, want in ((f"{base}.csv", columns), (f"{base}_agg.csv", sw.agg_columns(s, params_cols))):
            path = os.path.join(data, csv_name)
            check(os.path.isfile(path), f"{path}: missing (scripts/study writes it)")
            got = open(path).readline().strip().split(",")
            check(got == want, f"{csv_name}: header {got}, the sweep file gives {want}")
            checked += 1
    check(checked >= 2, "no study with seeds")


CASES = {n[5:]: f for n, f in globals().items() if n.startswith("case_")}


def main(argv):
    global BIN, SOURCE
    args = []
    it = iter(argv)
    for a in it:
        if a == "--bin":
            BIN = os.path.abspath(next(it))
        elif a == "--source":
            SOURCE = os.path.abspath(next(it))
        else:
            args.append(a)
    if len(args) != 1 or args[0] not in CASES:
        print(f"usage: sweep_test.py --bin SMMU_SIM --source DIR CASE; cases: {' '.join(CASES)}")
        return 2
    with tempfile.TemporaryDirectory() as d:
        os.chdir(d)
        try:
            CASES[args[0]]()
        except Failure as e:
            print(f"FAIL {args[0]}: {e}")
            return 1
    print(f"ok {args[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
