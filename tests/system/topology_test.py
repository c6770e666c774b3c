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
    t["cpus"] = 2  # the default of the cluster's `cpus`
    path = write_topology(t)
    for key, default in (("dma1.interval", "5"), ("smmu.tcu.clock", "1 ns"), ("sw.nic.packets", "200"),
                         ("cpus", "2")):
        out = cli_test.run("--platform", path, "--list-params", key).stdout
        rows = {l.split()[0]: l for l in out.splitlines()[1:] if l.strip()}
        check(f"[default {default}" in rows.get(key, ""), f"{key}: topology default {default} not shown: {rows.get(key)}")
    s = run_stats("--platform", path, "--set", "sw.nic.packets=100")  # --set still overrides the topology
    expect_eq(s, "sw.workload.dma_jobs", get(run_stats("--set", "sw.nic.packets=100", out="b"), "sw.workload.dma_jobs"))
    check(any(k == "cpu1" or k.startswith("cpu1.") for k in s), "the topology's 2 cpus made no core cpu1")
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
    bad(lambda t: t["devices"][0].update(name="cpu3"), "devices[0].name:", "another part")
    bad(lambda t: t.update(cpus=0), "cpus:")
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


# ---- several SMMU instances ---------------------------------------------------------------------

def two_smmus():
    return os.path.join(cli_test.SOURCE, "platforms", "examples", "two_smmus.json")


TWO_SCENARIO = {
    "domains": [{"name": "a", "stage": "s1"}, {"name": "b", "stage": "s1", "smmu": "smmu1"}],
    "attach": [{"sid": 1, "domain": "a"}, {"sid": 2, "domain": "b"}],
    "steps": [
        {"op": "map", "domain": "a", "iova": "0x10000000", "pa": "0x80000000", "size": "0x1000"},
        {"op": "map", "domain": "b", "iova": "0x10000000", "pa": "0x80100000", "size": "0x1000"},
        {"op": "dma", "dev": "dma0", "sid": 1, "iova": "0x10000000", "count": 4},
        {"op": "dma", "dev": "dma1", "sid": 2, "iova": "0x10000000", "count": 4},
        {"op": "unmap", "domain": "a", "iova": "0x10000000", "size": "0x1000"},
        {"op": "unmap", "domain": "b", "iova": "0x10000000", "size": "0x1000"},
        # After the unmaps: no stale translation in either instance, both fault.
        {"op": "dma", "dev": "dma0", "sid": 1, "iova": "0x10000000"},
        {"op": "dma", "dev": "dma1", "sid": 2, "iova": "0x10000000"},
        {"op": "command", "smmu": "smmu1", "raw": ["0x0000000200000003", "0x1"]}]}  # CFGI_STE SID 2, leaf


def case_two_smmus():
    """Each instance has its own registers, queues, stream table and caches, and its own driver."""
    s = run_stats("--platform", two_smmus(), "--scenario", write("two.json", json.dumps(TWO_SCENARIO)),
                  "--set", "cpu_traffic.enable=false", "--event-log", "e.jsonl")
    for smmu in ("smmu", "smmu1"):
        check(get(s, f"{smmu}.tcu.ste_fetches") >= 1, f"{smmu}: no STE fetched")
        check(get(s, f"{smmu}.tcu.cmdq.tlbi") >= 1, f"{smmu}: no TLBI reached its command queue")
        check(get(s, f"{smmu}.tcu.cmdq.syncs") >= 1, f"{smmu}: no CMD_SYNC")
        check(get(s, f"{smmu}.tcu.faults") == 1, f"{smmu}: {get(s, f'{smmu}.tcu.faults')} faults, expected 1 "
                                                 "(the access after the unmap)")
    expect_eq(s, "dma0.errors", 1)
    expect_eq(s, "dma1.errors", 1)
    # The raw CMD_CFGI_STE went to smmu1's queue, not smmu's (each attached one device alike).
    check(get(s, "smmu1.tcu.cmdq.cfgi") > get(s, "smmu.tcu.cmdq.cfgi"), "the command step did not reach smmu1")
    events = [json.loads(l) for l in open("e.jsonl")]
    check(len(events) == 2, f"expected 2 event records (one per instance), got {len(events)}")
    # The built-in workloads run on the devices wherever they are: storage on dma1, behind smmu1.
    reset = run_stats("--platform", two_smmus(), "--set", "sw.workload=none", out="none")
    s = run_stats("--platform", two_smmus(), "--set", "sw.workload=storage", "--set", "sw.storage.requests=20",
                  out="sto")
    for smmu in ("smmu", "smmu1"):  # probe and reset: each driver invalidates its SMMU
        check(get(reset, f"{smmu}.tcu.cmdq.tlbi") > 0, f"{smmu}: reset issued no TLBI")
    check(get(s, "smmu1.tcu.cmdq.tlbi") > get(reset, "smmu1.tcu.cmdq.tlbi") + 10 and
          get(s, "smmu.tcu.cmdq.tlbi") == get(reset, "smmu.tcu.cmdq.tlbi"),
          "storage's unmaps should invalidate smmu1 only")
    expect_eq(s, "dma0.transactions", 0)
    expect_eq(s, "dma1.errors", 0)


def case_two_smmus_errors():
    # A domain may be shared by instances (sw/driver/inv_array.h), not a nested one: it serves
    # the instance of its stage-2 parent.
    sc = copy.deepcopy(TWO_SCENARIO)
    sc["domains"] = [{"name": "p", "stage": "s2"}, {"name": "a", "stage": "nested", "parent": "p"},
                     {"name": "b", "stage": "s1", "smmu": "smmu1"}]
    sc["attach"][1] = {"sid": 2, "domain": "a", "smmu": "smmu1"}
    input_error("--platform", two_smmus(), "--scenario", write("x.json", json.dumps(sc)),
                needles=["attach[1]", "'a'", "nested domain serves the instance of its stage-2 parent"])
    sc = copy.deepcopy(TWO_SCENARIO)
    sc["domains"][1]["smmu"] = "smmu7"
    input_error("--platform", two_smmus(), "--scenario", write("y.json", json.dumps(sc)),
                needles=["smmu7", "smmu, smmu1"])
    # pKVM shadows one SMMU.
    with open(two_smmus()) as f:
        t = json.load(f)
    with open(topo_path("pkvm")) as f:
        t["software"] = json.load(f)["software"]
    input_error("--platform", write_topology(t), needles=["topo.json: software.kind:", "one SMMU"])


def shared_scenario(instances, unmaps=50):
    """A stage-1 domain on the first `instances` devices of four_smmus.json, `unmaps` rounds of
    map, DMA by every device (their TLBs hold the pages), strict unmap."""
    smmus = ["smmu", "smmu1", "smmu2", "smmu3"][:instances]
    steps = []
    for k in range(unmaps):
        iova = hex(0x10000000 + k * 0x10000)
        steps.append({"op": "map", "domain": "a", "iova": iova, "pa": "0x80000000", "size": "0x4000"})
        for i in range(instances):
            steps.append({"op": "dma", "dev": f"dma{i}", "sid": i + 1, "iova": iova, "count": 4, "stride": 4096})
        steps.append({"op": "unmap", "domain": "a", "iova": iova, "size": "0x4000"})
    return {"domains": [{"name": "a", "stage": "s1"}],
            "attach": [{"sid": i + 1, "domain": "a", "smmu": smmus[i]} for i in range(instances)],
            "steps": steps}


def four_smmus():
    return os.path.join(cli_test.SOURCE, "platforms", "examples", "four_smmus.json")


def case_shared_domain():
    """A domain on 1, 2, 4 instances: every instance's TLBIs and one CMD_SYNC per unmap; the
    parallel walk is faster than the serial one once there are several instances."""
    mean = {}
    for n in (1, 2, 4):
        sc = write(f"shared{n}.json", json.dumps(shared_scenario(n)))
        for order in ("serial", "parallel"):
            s = run_stats("--platform", four_smmus(), "--scenario", sc, "--set", "cpu_traffic.enable=false",
                          "--set", f"sw.driver.inv_instances={order}", out=f"o{n}{order}")
            for i, smmu in enumerate(["smmu", "smmu1", "smmu2", "smmu3"]):
                tlbi = get(s, f"{smmu}.tcu.cmdq.tlbi")
                if i < n:
                    check(tlbi >= 50, f"{n} instances, {order}: {smmu} got {tlbi} TLBIs, expected one per unmap")
                else:
                    check(tlbi <= 2, f"{n} instances, {order}: {smmu} is not in the domain but got {tlbi} TLBIs")
            expect_eq(s, "dma0.errors", 0)
            mean[(n, order)] = get(s, "sw.driver.unmap_cycles")["mean"]
            check(get(s, "sw.driver.commands_per_unmap")["max"] == 2 * n,
                  f"{n} instances: {get(s, 'sw.driver.commands_per_unmap')['max']} commands per unmap")
    print("unmap mean cycles:", {f"{n}/{o}": round(v) for (n, o), v in sorted(mean.items())})
    check(mean[(1, "serial")] == mean[(1, "parallel")], "one instance: the two orders must not differ")
    for n in (2, 4):
        check(mean[(n, "parallel")] < mean[(n, "serial")], f"{n} instances: parallel is not faster")
        check(mean[(n, "serial")] > mean[(1, "serial")], f"{n} instances: serial is not slower than one")


CASES = {name[len("case_"):]: fn for name, fn in globals().items() if name.startswith("case_")}

if __name__ == "__main__":
    argv = sys.argv[1:]
    if "--update" in argv:
        argv.remove("--update")
        UPDATE = True
    cli_test.CASES.clear()
    cli_test.CASES.update(CASES)
    sys.exit(cli_test.main(argv))
