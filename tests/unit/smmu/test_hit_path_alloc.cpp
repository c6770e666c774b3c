// The per-transaction path allocates nothing (project rule): two DMA masters stream over 16
// pages through their TBUs (micro/main TLB hits, as scripts/bench's tlb-hit case), and during a
// window of steady traffic no operator new is called anywhere in the process: TBU, AT ports,
// interconnect, memory, traffic generators, statistics and the SystemC kernel's own use of it.
// Counted by replacing the global operator new in this test executable.

#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/common/smmu/smmu_bench.h"

namespace {
bool counting = false;
uint64_t allocations = 0;
}  // namespace

void* operator new(std::size_t n) {
    if (counting) ++allocations;
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    if (counting) ++allocations;
    return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return ::operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

using namespace smmusim;
using namespace smmusim::test;

TEST(HitPath, AllocatesNothingPerTransaction) {
    const uint64_t va = 0x100000000ull, footprint = 64u << 10;
    std::vector<std::string> sets;
    for (int i = 0; i < 2; ++i) {
        const std::string m = "dma" + std::to_string(i) + ".";
        for (const std::string& kv : std::vector<std::string>{"pattern=sequential", "region=" + std::to_string(footprint), "size=64",
                                      "read_fraction=0.7", "max_outstanding=16", "interval=1", "count=40000",
                                      "start=100us"})
            sets.push_back(m + kv);
        sets.push_back(m + "base=" + std::to_string(va));
    }
    SmmuBench b(sets, 2, true);
    uint64_t before = 0, during = 0;
    b.run([&] {
        b.enable_streams_s1(va, footprint, 2);
        // Warm up: every page in both TLBs, every queue and histogram at its working size.
        sc_core::wait(sc_core::sc_time(120, sc_core::SC_US) - sc_core::sc_time_stamp());
        for (auto& m : b.masters) before += m->transactions();
        counting = true;
        sc_core::wait(sc_core::sc_time(10, sc_core::SC_US));
        counting = false;
        for (auto& m : b.masters) during += m->transactions();
    });
    during -= before;
    EXPECT_GT(during, 1000u) << "the window saw too little traffic to say anything";
    EXPECT_EQ(allocations, 0u) << "operator new calls during " << during << " hit-path transactions";
}
