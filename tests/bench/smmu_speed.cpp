// smmu-speed: simulation speed with the SMMU translating, for scripts/bench (printed, never
// asserted). Two DMA masters behind their TBUs; the SMMU is programmed through its registers
// and in-memory tables first (stage 1, 4K pages), then only the traffic phase is timed.
//   tlb-hit:  each master streams 64-byte transactions over 64 KiB (16 pages): TLB hits
//   tlb-miss: each master reads 64-byte lines at random over 256 MiB (65536 pages against a
//             2048-entry main TLB): mostly TLB misses and walks
//   tlb-hit-lt, tlb-miss-lt: the same loosely timed (sim.mode=lt, sim.quantum's default 1 us)
// Usage: smmu-speed tlb-hit|tlb-miss|tlb-hit-lt|tlb-miss-lt [transactions per master]

#include <cstdio>
#include <cstdlib>
#include <string>

#include <systemc>

#include "models/core/cpu_time.h"
#include "models/core/leak_check.h"
#include "models/core/run_control.h"
#include "tests/common/smmu/smmu_bench.h"

using namespace smmusim;
using namespace smmusim::test;

int sc_main(int argc, char** argv) {
    const std::string kase = argc > 1 ? argv[1] : "tlb-hit";
    const bool lt = kase == "tlb-hit-lt" || kase == "tlb-miss-lt";
    const bool hit = kase == "tlb-hit" || kase == "tlb-hit-lt";
    if (!hit && !lt && kase != "tlb-miss") {
        std::fprintf(stderr, "usage: smmu-speed tlb-hit|tlb-miss|tlb-hit-lt|tlb-miss-lt [transactions per master]\n");
        return 2;
    }
    core::RunControl::instance().set_loosely_timed(lt, sc_core::sc_time(1, sc_core::SC_US));
    const uint64_t count = argc > 2 ? std::strtoull(argv[2], nullptr, 0) : (hit ? 500000 : 50000);
    // Below the bench's table arena (DRAM + 512 MiB), so DMA writes cannot touch the tables.
    const uint64_t footprint = hit ? (64u << 10) : (uint64_t(256) << 20);
    const uint64_t va = 0x100000000ull;  // both masters use the same IOVA range, each its own stream
    std::vector<std::string> sets;
    for (int i = 0; i < 2; ++i) {
        const std::string m = "dma" + std::to_string(i) + ".";
        const std::vector<std::string> knobs = {"pattern=" + std::string(hit ? "sequential" : "random"),
                                                "base=" + std::to_string(va),
                                                "region=" + std::to_string(footprint),
                                                "size=64",
                                                "read_fraction=0.7",
                                                "max_outstanding=16",
                                                "interval=1",
                                                "count=" + std::to_string(count),
                                                "start=1ms"};
        for (const std::string& kv : knobs) sets.push_back(m + kv);
    }
    SmmuBench b(sets, 2, true);
    double traffic_start = 0;
    b.run([&] {
        b.enable_streams_s1(va, footprint, 2);  // the DMA window of the base platform's map
        sc_core::wait(sc_core::sc_time(1, sc_core::SC_MS) - sc_core::sc_time_stamp());
        traffic_start = core::cpu_seconds();
    });
    const double secs = core::cpu_seconds() - traffic_start;
    uint64_t done = 0, errors = 0;
    for (auto& m : b.masters) {
        done += m->transactions();
        errors += m->errors();
    }
    if (errors) {
        std::fprintf(stderr, "smmu-speed: %llu transactions failed\n", static_cast<unsigned long long>(errors));
        return 1;
    }
    std::printf("bench %s: %llu transactions in %.3f s = %.0f per CPU second\n", kase.c_str(),
                static_cast<unsigned long long>(done), secs, double(done) / secs);
    return 0;
}

int main(int argc, char** argv) {
    smmusim::core::prepare_leak_check();
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
