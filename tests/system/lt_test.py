#!/usr/bin/env python3
"""System tests of the loosely-timed mode (sim.mode=lt, docs/design.md "Timing modes"; issue 14):
on inputs whose outcome does not depend on timing (synchronous scenario steps, one master at a
time, one transaction in flight per master, no background traffic) every count of an LT run
equals the AT run's: transactions, bytes, errors, TLB and walk-cache hits, misses, fills and
invalidations, DTI requests, walks, descriptor and structure reads, commands, events, interrupts,
interconnect and memory requests. Only times may differ (stats in cycles or ns, histograms,
levels and formulas are not compared).

usage: lt_test.py --bin PATH/smmu-sim --source SOURCE_DIR CASE
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_test  # noqa: E402
from cli_test import check, input_error, write  # noqa: E402

# No concurrency the timing could reorder: no background CPU traffic, no device pattern traffic
# (the pkvm platform's devices stream while the software runs), one transaction in flight per
# device (AT would merge concurrent misses to one page and overlap config-cache misses).
QUIET = ["--set", "cpu_traffic.enable=false", "--set", "dma0.enable=false", "--set", "dma1.enable=false",
         "--set", "dma0.max_outstanding=1", "--set", "dma1.max_outstanding=1"]

# A pkvm scenario: host DMA through the shadow stage 2, a donation (host DMA to it faults), a
# reclaim, sharing, and a host stage-1 domain nested on the shadow, mapped and unmapped.
PKVM_SCENARIO = {
    "domains": [{"name": "a", "stage": "s1", "granule": 4096, "ias": 48}],
    "attach": [{"sid": 2, "domain": "a"}],
    "steps": [
        {"op": "dma", "sid": 1, "iova": "0x180000040", "count": 16, "stride": 64},
        {"op": "donate", "pa": "0x180000000", "size": "0x2000", "to": "guest"},
        {"op": "dma", "sid": 1, "iova": "0x180000040"},
        # Not the page that faulted: the hypervisor classifies a fault by who owns the page when
        # it handles the event, which a step the software does not wait for may race with.
        {"op": "reclaim", "pa": "0x180001000", "size": "0x1000"},
        {"op": "share", "pa": "0x180002000", "size": "0x2000"},
        {"op": "dma", "sid": 1, "iova": "0x180002000", "size": 64, "rw": "w", "count": 128, "stride": 64},
        {"op": "unshare", "pa": "0x180002000", "size": "0x2000"},
        {"op": "dma", "sid": 1, "iova": "0x180000040"},
        {"op": "map", "domain": "a", "iova": "0x10000000", "pa": "0x180010000", "size": "0x4000", "prot": "rw"},
        {"op": "dma", "sid": 2, "iova": "0x10000000", "size": 64, "rw": "w", "count": 64, "stride": 256},
        {"op": "unmap", "domain": "a", "iova": "0x10000000", "size": "0x4000"},
        {"op": "dma", "sid": 2, "iova": "0x10000000", "size": 64, "rw": "r"},
    ],
}


def counts(stats):
    """Every counter that counts things (not cycles or bytes of time): name -> value."""
    kinds = stats["_kinds"]
    return {k: v for k, v in stats.items()
            if not k.startswith("_") and kinds[k]["kind"] == "counter" and kinds[k]["unit"] != "cycles"}


def differences(at, lt):
    a, b = counts(at), counts(lt)
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


def compare(name, *args, must_have=()):
    at = cli_test.run_stats(*args, "--set", "sim.mode=at", out=name + "_at")
    lt = cli_test.run_stats(*args, "--set", "sim.mode=lt", out=name + "_lt")
    diff = differences(at, lt)
    check(not diff, f"{name}: LT counts differ from AT in {len(diff)} stats: "
                    + ", ".join(f"{k}: {at.get(k)} (AT) != {lt.get(k)} (LT)" for k in diff[:8]))
    # The inputs exercise what they are meant to (a comparison of zeros proves nothing).
    for k in must_have:
        check(at.get(k, 0) > 0, f"{name}: {k} is {at.get(k)}: the input does not exercise it")
    check(len(counts(at)) > 100, f"{name}: only {len(counts(at))} counters compared")
    return at, lt


def scenario(name):
    return os.path.join(cli_test.SOURCE, "traces", "scenarios", name)


def case_counts_base():
    # Stage 1, nested, faults, TLB invalidation by unmap, async DMA on two devices.
    compare("design", "--scenario", scenario("design_example.json"), *QUIET,
            must_have=("smmu.tcu.walks", "smmu.tbu0.dti_requests", "smmu.tcu.cmdq.commands"))
    compare("faults", "--scenario", scenario("nested_and_faults.json"), *QUIET,
            must_have=("smmu.tcu.walks", "smmu.tcu.events_recorded", "sw.driver.events",
                       "smmu.tcu.walk_cache.s2l2.hits", "smmu.tcu.cmdq.tlbi"))
    # Raw pattern traffic with the SMMU left disabled (GBPA bypass), several in flight: bypass
    # does not depend on timing, so max_outstanding may stay.
    compare("raw", "--set", "sw.enable=false", "--set", "dma0.enable=true", "--set", "dma0.count=3000",
            "--set", "dma0.pattern=random", "--set", "cpu_traffic.enable=false",
            must_have=("dma0.transactions", "dram.reads", "dram.writes"))


def case_counts_pkvm():
    path = write("pkvm.json", json.dumps(PKVM_SCENARIO))
    compare("pkvm", "--platform", "pkvm", "--scenario", path, *QUIET,
            must_have=("smmu.tcu.walks", "smmu.tcu.faults", "sw.hyp.emulated_commands",
                       "smmu.tcu.walk_cache.s2l1.hits"))


def case_counts_two_smmus():
    # A topology file with two SMMU instances sharing a stage-1 domain (invalidation array).
    compare("two", "--platform", os.path.join(cli_test.SOURCE, "platforms", "examples", "two_smmus.json"),
            "--scenario", scenario(os.path.join("multi_smmu", "shared_domain.json")),
            "--set", "cpu_traffic.enable=false", "--set", "dma0.max_outstanding=1", "--set", "dma1.max_outstanding=1",
            must_have=("smmu.tcu.walks", "smmu1.tcu.walks", "smmu1.tcu.cmdq.tlbi"))


def case_comparison_fails():
    # The comparison catches a real divergence: with 8 transactions in flight AT merges the
    # misses of a page (smmu.tbu0.merged_misses) and LT, one master's transactions one at a
    # time, does not.
    args = ["--scenario", scenario("design_example.json"), "--set", "cpu_traffic.enable=false"]
    at = cli_test.run_stats(*args, "--set", "sim.mode=at", out="at")
    lt = cli_test.run_stats(*args, "--set", "sim.mode=lt", out="lt")
    diff = differences(at, lt)
    check("smmu.tcu.config_cache.misses" in diff,
          f"the AT/LT comparison misses a known divergence (got {diff[:8]})")
    # And it sees a count moved by one.
    lt2 = dict(lt)
    lt2["smmu.tcu.walks"] += 1
    check(differences(lt, lt2) == ["smmu.tcu.walks"], "a walk more is not reported")


def case_refusals():
    input_error("--set", "sim.mode=lt", "--set", "smmu.ats=true", "--out", "o",
                needles=("smmu.ats", "sim.mode=lt"))
    input_error("--set", "sim.mode=lt", "--trace", "t.json", "--out", "o", needles=("--trace", "sim.mode=lt"))
    input_error("--set", "sim.quantum=0ns", "--out", "o", needles=("sim.quantum",))
    input_error("--set", "sim.mode=ca", "--out", "o", needles=("sim.mode",))


def case_lt_times_estimated():
    # LT times are what AT charges a transaction that meets nothing: on a quiet input with one
    # transaction at a time they are AT's, and the run is deterministic.
    args = ["--scenario", scenario("design_example.json"), *QUIET]
    at = cli_test.run_stats(*args, "--set", "sim.mode=at", out="at")
    lt = cli_test.run_stats(*args, "--set", "sim.mode=lt", out="lt")
    again = cli_test.run_stats(*args, "--set", "sim.mode=lt", out="lt2")
    check(lt == again, "two LT runs differ")
    check(at["dma0.latency"]["mean"] == lt["dma0.latency"]["mean"],
          f"uncontended DMA latency: AT {at['dma0.latency']['mean']} != LT {lt['dma0.latency']['mean']}")


CASES = {name[len("case_"):]: fn for name, fn in globals().items() if name.startswith("case_")}

if __name__ == "__main__":
    cli_test.CASES.clear()
    cli_test.CASES.update(CASES)
    sys.exit(cli_test.main(sys.argv[1:]))
