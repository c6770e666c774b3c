#!/usr/bin/env python3
"""System tests of topology files (docs/topology.md, issue 13): the built-in platforms are
their files, `--platform FILE` runs any topology, a topology's parameter defaults, its
validation (one message naming file and key, exit status 2), and the golden stats of the
built-in platforms.

usage: topology_test.py --bin PATH/smmu-sim --source SOURCE_DIR CASE [--update]

The golden case compares the default runs of `base` and `pkvm` with
tests/system/golden/<platform>.stats.json; a change that moves results on purpose rewrites them
with `--update` (and says why in its commit message).
"""

import copy
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_test  # noqa: E402
from cli_test import Failure, check, get, load, input_error, write, expect_eq  # noqa: E402

UPDATE = False


def run_stats(*args, out="out"):
    return cli_test.run_stats(*args, out=out)


def values(stats):
    return {k: v for k, v in stats.items() if not k.startswith("_")}


def topo_path(name):
    return os.path.join(cli_test.SOURCE, "platforms", "topologies", name + ".json")


def base_topology():
    with open(topo_path("base")) as f:
        return json.load(f)


def write_topology(t, path="topo.json"):
    return write(path, json.dumps(t, indent=1))


# ---- the built-in platforms are their files --------------------------------------------------

def case_builtin_is_file():
    for name, short in (("base", "sw.nic.packets=300"), ("pkvm", "sw.pkvm.donations=8")):
        a = values(run_stats("--platform", name, "--set", short, out="a"))
        b = values(run_stats("--platform", topo_path(name), "--set", short, out="b"))
        check(a == b, f"{name}: the built-in platform and {topo_path(name)} differ: "
                      f"{sorted(k for k in a if a.get(k) != b.get(k))[:10]}")
    out = cli_test.run("--list-platforms").stdout.split("\n")
    check([l.split()[0] for l in out if l.strip()] == ["base", "pkvm"], f"--list-platforms: {out}")


def case_golden():
    for name in ("base", "pkvm"):
        got = values(run_stats("--platform", name, out=name))
        path = os.path.join(cli_test.SOURCE, "tests", "system", "golden", name + ".stats.json")
        if UPDATE:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            write(path, json.dumps(got, indent=1, sort_keys=True) + "\n")
            continue
        want = load(path)
        diff = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
        check(not diff, f"{name}: stats differ from {path} in {len(diff)} keys, e.g. "
                        + ", ".join(f"{k}: {want.get(k)} -> {got.get(k)}" for k in diff[:5])
                        + " (a change meant to move results: topology_test.py golden --update)")


# ---- a topology file of one's own --------------------------------------------------------------

def case_own_topology():
    t = base_topology()
    t["name"] = "mine"
    t["devices"][1]["params"]["interval"] = 5
    t["smmus"][0]["params"] = {"tcu": {"clock": "1 GHz"}}
    t["params"] = {"sw.nic.packets": 200}
    path = write_topology(t)
    for key, default in (("dma1.interval", "5"), ("smmu.tcu.clock", "1 ns"), ("sw.nic.packets", "200")):
        out = cli_test.run("--platform", path, "--list-params", key).stdout
        rows = {l.split()[0]: l for l in out.splitlines()[1:] if l.strip()}
        check(f"[default {default}" in rows.get(key, ""), f"{key}: topology default {default} not shown: {rows.get(key)}")
    s = run_stats("--platform", path, "--set", "sw.nic.packets=100")  # --set still overrides the topology
    expect_eq(s, "sw.workload.dma_jobs", get(run_stats("--set", "sw.nic.packets=100", out="b"), "sw.workload.dma_jobs"))
    c = load("out/config.json")
    check(c.get("sim.platform") == path, f"config.json sim.platform: {c.get('sim.platform')}")
    # More TBUs than devices: idle masters, named after the topology's devices.
    t["smmus"][0]["tbus"] = 3
    s = run_stats("--platform", write_topology(t), "--set", "sw.nic.packets=100")
    expect_eq(s, "dma2.transactions", 0)


# ---- validation: one message naming file and key, exit 2 ----------------------------------------

def bad(edit, *needles):
    t = base_topology()
    edit(t)
    input_error("--platform", write_topology(t), "--list-params", needles=["topo.json: ", *needles])


def case_errors():
    bad(lambda t: t.pop("smmus"), "smmus: missing")
    bad(lambda t: t["smmus"][0].update(tbus=0), "smmus[0].tbus:")
    bad(lambda t: t["smmus"].append({"name": "smmu1", "regs": "0x2B400000", "tbus": 1}), "smmus[1].regs:", "overlaps")
    bad(lambda t: t["smmus"][0].update(regs="0x2B401000"), "smmus[0].regs:", "aligned")
    bad(lambda t: t["smmus"][0].update(colour="red"), "smmus[0].colour: unknown key")
    bad(lambda t: t["devices"][1].update(tbu=2), "devices[1].tbu:", "has 2")
    bad(lambda t: t["devices"][1].update(tbu=0), "devices[1].tbu:", "already serves")
    bad(lambda t: t["devices"][1].update(sid=1), "devices[1].sid:", "StreamID 1")
    bad(lambda t: t["devices"][1].update(smmu="nope"), "devices[1].smmu:", "'nope'")
    bad(lambda t: t["devices"][1].update(name="smmu"), "devices[1].name:", "another part")
    bad(lambda t: t["devices"][0].update(name="dma.0"), "devices[0].name:")
    bad(lambda t: t["memories"][0].update(size=0), "memories[0].size:")
    bad(lambda t: t["memories"][0].update(base="lots"), "memories[0].base:")
    bad(lambda t: t["software"].update(kind="windows"), "software.kind:", "windows")
    bad(lambda t: t["software"].update(memory={"base": "0x80000000", "size": "1GiB"}), "software.memory:", "overlaps")
    bad(lambda t: t["devices"][0]["params"].update(patern="random"), "devices[0].params.patern", "dma0.patern")
    bad(lambda t: t["devices"][0]["params"].update(interval=-1), "devices[0].params.interval", "dma0.interval")
    bad(lambda t: t.update(params={"sw.nic.packts": 1}), "params.sw.nic.packts")
    input_error("--platform", write("broken.json", "{\n \"name\": \n"), needles=["broken.json:"])
    input_error("--platform", "missing.json", needles=["missing.json"])
    # The built-in files parse as files too.
    for name in ("base", "pkvm"):
        cli_test.run("--platform", topo_path(name), "--list-params", "sim.platform")


CASES = {name[len("case_"):]: fn for name, fn in globals().items() if name.startswith("case_")}

if __name__ == "__main__":
    argv = sys.argv[1:]
    if "--update" in argv:
        argv.remove("--update")
        UPDATE = True
    cli_test.CASES.clear()
    cli_test.CASES.update(CASES)
    sys.exit(cli_test.main(argv))
