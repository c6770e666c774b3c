// Software support pieces in isolation: the page allocator, the scenario
// parser's checks and messages.

#include <gtest/gtest.h>

#include <set>

#include "sw/hal/direct_bus.h"
#include "sw/hal/page_alloc.h"
#include "sw/workloads/scenario.h"

using namespace smmusim;
using nlohmann::json;
using sw::workloads::ScenarioError;

// The single-thread atomics every backend starts from: each LSE operation's result and old
// value, 32-bit wrap, and a CAS that fails leaves memory alone.
TEST(BusAtomics, EachOperationReturnsTheOldValueAndStoresTheNew) {
    sw::hal::DirectBus bus;
    using Op = sw::hal::Bus::AtomicOp;
    bus.store64(0x1000, 5);
    EXPECT_EQ(bus.atomic(0x1000, 8, Op::Add, 3), 5u);
    EXPECT_EQ(bus.load64(0x1000), 8u);
    EXPECT_EQ(bus.atomic(0x1000, 8, Op::Or, 0x30), 8u);
    EXPECT_EQ(bus.atomic(0x1000, 8, Op::AndNot, 0x8), 0x38u);
    EXPECT_EQ(bus.atomic(0x1000, 8, Op::Xor, 0x1), 0x30u);
    EXPECT_EQ(bus.atomic(0x1000, 8, Op::Swap, 7), 0x31u);
    EXPECT_EQ(bus.cas64(0x1000, 6, 9), 7u);  // fails
    EXPECT_EQ(bus.load64(0x1000), 7u);
    EXPECT_EQ(bus.cas64(0x1000, 7, 9), 7u);  // succeeds
    EXPECT_EQ(bus.load64(0x1000), 9u);
    bus.store64(0x2000, 0);
    bus.store64(0x2000, 0xaaaaaaaa00000000ull | 0xffffffffu);
    EXPECT_EQ(bus.atomic(0x2000, 4, Op::Add, 1), 0xffffffffu);
    EXPECT_EQ(bus.load64(0x2000), 0xaaaaaaaa00000000ull);  // the upper word is untouched
    EXPECT_THROW(bus.atomic(0x2002, 4, Op::Add, 1), sw::hal::BusError);
    EXPECT_EQ(bus.cpu(), 0u);
    EXPECT_EQ(bus.cpus(), 1u);
}

TEST(PageAllocator, BlocksAreNaturallyAlignedAndReused) {
    sw::hal::PageAllocator a(0x100000000ull, 64u << 20);
    const uint64_t x = a.alloc(4096), y = a.alloc(16384), z = a.alloc(1u << 20);
    EXPECT_EQ(x % 4096, 0u);
    EXPECT_EQ(y % 16384, 0u);
    EXPECT_EQ(z % (1u << 20), 0u);
    EXPECT_EQ(a.block_size(y), 16384u);
    EXPECT_EQ(a.alloc(5000) % 8192, 0u);  // rounded up to 8 KiB
    EXPECT_EQ(a.bytes_in_use(), 4096u + 16384 + (1u << 20) + 8192);
    a.free(y);
    EXPECT_EQ(a.alloc(16384), y);  // lowest free block of the size
    a.free(x);
    a.free(y);
    a.free(z);
    EXPECT_THROW(a.free(x), std::invalid_argument);
    EXPECT_THROW(a.alloc(128u << 20), sw::hal::OutOfMemory);
}

TEST(PageAllocator, FreeingEverythingMergesBackToOneBlock) {
    sw::hal::PageAllocator a(0, 1u << 20);
    std::vector<uint64_t> v;
    for (int i = 0; i < 256; ++i) v.push_back(a.alloc(4096));
    EXPECT_THROW(a.alloc(4096), sw::hal::OutOfMemory);
    for (uint64_t p : v) a.free(p);
    EXPECT_EQ(a.alloc(1u << 20), 0u);
}

namespace {
std::string error_of(const char* text) {
    try {
        sw::workloads::parse_scenario(json::parse(text), "s.json");
    } catch (const ScenarioError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST(Scenario, ParsesTheDesignExample) {
    const auto sc = sw::workloads::parse_scenario(json::parse(R"({
      "set": {"smmu.tbu0.utlb.entries": 16},
      "domains": [{"name": "host", "stage": "s2", "granule": 4096, "ias": 40},
                  {"name": "a", "stage": "s1", "granule": 4096, "ias": 48},
                  {"name": "g", "stage": "nested", "parent": "host", "granule": 4096, "ias": 48}],
      "attach": [{"sid": 1, "domain": "a"}, {"sid": 2, "domain": "g", "ssid": 0}],
      "steps": [
        {"op": "map", "domain": "a", "iova": "0x10000000", "pa": "0x80000000", "size": "0x4000", "prot": "rw"},
        {"op": "dma", "sid": 1, "iova": "0x10000000", "size": 64, "rw": "w", "count": 4, "stride": 4096},
        {"op": "unmap", "domain": "a", "iova": "0x10000000", "size": "0x4000"},
        {"op": "dma", "sid": 1, "iova": "0x10000000", "size": 64, "rw": "r"}]})"),
                                                  "s.json");
    ASSERT_EQ(sc.domains.size(), 3u);
    EXPECT_EQ(sc.domains[2].parent, "host");
    EXPECT_EQ(sc.domains[0].ias, 40u);
    ASSERT_EQ(sc.steps.size(), 4u);
    EXPECT_EQ(sc.steps[0].pa, 0x80000000u);
    EXPECT_EQ(sc.steps[0].size, 0x4000u);
    EXPECT_EQ(sc.steps[1].dma.count, 4u);
    EXPECT_TRUE(sc.steps[1].dma.write);
    EXPECT_EQ(sc.steps[3].dma.stride, 64u);
    EXPECT_EQ(sc.set.size(), 1u);
    EXPECT_FALSE(sc.uses_ssids(2));  // SSID 0 is the requests without SubstreamID
}

TEST(Scenario, ErrorsNameTheFileAndTheStep) {
    EXPECT_EQ(error_of(R"({"steps": [{"op": "wait"}, {"op": "jump"}]})"),
              "s.json: steps[1]: unknown op 'jump' (map, unmap, dma, wait, command, tlbi, donate, reclaim, share, unshare)");
    EXPECT_EQ(error_of(R"({"steps": [{"op": "tlbi", "instr": "VAE3IS"}]})"),
              "s.json: steps[0] (tlbi): unknown TLBI 'VAE3IS' (VAE1IS, ASIDE1IS, VMALLE1IS, RVAE1IS, IPAS2E1IS, ... : "
              "docs/scenarios.md)");
    EXPECT_EQ(error_of(R"({"steps": [{"op": "tlbi", "instr": "VMALLE1IS", "vmid": 65536}]})"),
              "s.json: steps[0] (tlbi): 'vmid' must be below 65536");
    EXPECT_EQ(error_of(R"({"steps": [{"op": "tlbi"}]})"), "s.json: steps[0] (tlbi): missing field 'instr'");
    EXPECT_EQ(error_of(R"({"domains": [{"name": "p", "stage": "sva"}]})"), "s.json: domains[0]: missing field 'asid'");
    EXPECT_EQ(error_of(R"({"domains": [{"name": "p", "stage": "sva", "asid": 0}]})"),
              "s.json: domains[0]: 'asid' must be 1..65535");
    EXPECT_EQ(error_of(R"({"domains": [{"name": "p", "stage": "s1", "asid": 3}]})"),
              "s.json: domains[0]: 'asid' is only for sva domains (the process's CPU ASID)");
    EXPECT_EQ(error_of(R"({"domains": [{"name": "a", "stage": "s1"}],
                          "steps": [{"op": "map", "domain": "a", "iova": 0, "pa": "0xZZ", "size": 4096}]})"),
              "s.json: steps[0] (map): 'pa' is not a number (an integer or a hex string): \"0xZZ\"");
    EXPECT_EQ(error_of(R"({"steps": [{"op": "unmap", "domain": "nope", "iova": 0, "size": 4096}]})"),
              "s.json: steps[0] (unmap): unknown domain 'nope'");
    EXPECT_EQ(error_of(R"({"steps": [{"op": "dma", "sid": 1, "iova": 0, "colour": "red"}]})"),
              "s.json: steps[0] (dma): unknown field 'colour'");
    EXPECT_EQ(error_of(R"({"steps": [{"op": "dma", "iova": 0}]})"), "s.json: steps[0] (dma): missing field 'sid'");
    EXPECT_EQ(error_of(R"({"domains": [{"name": "g", "stage": "nested", "parent": "h"}]})"),
              "s.json: domains[0]: parent 'h' is not a domain defined before it");
    EXPECT_EQ(error_of(R"({"domains": [{"name": "b", "stage": "bypass"}],
                          "steps": [{"op": "map", "domain": "b", "iova": 0, "pa": 0, "size": 4096}]})"),
              "s.json: steps[0] (map): domain 'b' is a bypass domain: it has no page table");
    EXPECT_EQ(error_of(R"({"stepz": []})"), "s.json: scenario: unknown field 'stepz'");
    EXPECT_EQ(error_of(R"({"steps": [{"op": "dma", "sid": 1, "iova": 32, "size": 64}]})"),
              "s.json: steps[0] (dma): 'iova' is not aligned to 'size'");
    EXPECT_EQ(error_of(R"({"steps": [{"op": "dma", "sid": -1, "iova": 0}]})"),
              "s.json: steps[0] (dma): 'sid' is not a number (an integer or a hex string): -1");
}

TEST(Scenario, TlbiStepCarriesTheOperationAndItsContext) {
    const auto sc = sw::workloads::parse_scenario(
        json::parse(R"({"steps": [{"op": "tlbi", "instr": "RVAE1IS", "xt": "0x0005400000010000", "vmid": 3,
                                   "el20": true, "sync": false}, {"op": "tlbi", "instr": "ALLE1IS"}]})"),
        "s.json");
    ASSERT_EQ(sc.steps.size(), 2u);
    EXPECT_EQ(sc.steps[0].tlbi.op, smmu::arch::dvm::Tlbi::RVAE1IS);
    EXPECT_EQ(sc.steps[0].tlbi.xt, 0x0005400000010000u);
    EXPECT_EQ(sc.steps[0].tlbi.vmid, 3u);
    EXPECT_TRUE(sc.steps[0].tlbi.el20);
    EXPECT_FALSE(sc.steps[0].sync);
    EXPECT_EQ(sc.steps[1].tlbi.op, smmu::arch::dvm::Tlbi::ALLE1IS);
    EXPECT_TRUE(sc.steps[1].sync);
    EXPECT_EQ(sc.steps[1].tlbi.vmid, 0u);
}

TEST(Scenario, RandomDmaNeedsARegion) {
    const auto sc = sw::workloads::parse_scenario(
        json::parse(R"({"steps": [{"op": "dma", "sid": 1, "iova": 0, "size": 64, "pattern": "random", "region": "1MiB",
                                   "count": 10}]})"),
        "s.json");
    EXPECT_EQ(sc.steps[0].dma.random_region, 1u << 20);
    EXPECT_EQ(error_of(R"({"steps": [{"op": "dma", "sid": 1, "iova": 0, "pattern": "random"}]})"),
              "s.json: steps[0] (dma): missing field 'region'");
    EXPECT_EQ(error_of(R"({"steps": [{"op": "dma", "sid": 1, "iova": 0, "pattern": "zigzag"}]})"),
              "s.json: steps[0] (dma): 'pattern' must be strided or random");
    EXPECT_EQ(error_of(R"({"steps": [{"op": "dma", "sid": 1, "iova": 0, "region": 4096}]})"),
              "s.json: steps[0] (dma): 'region' is for the random pattern");
}

TEST(Scenario, NumbersTakeHexSeparatorsAndSuffixes) {
    using sw::workloads::parse_number;
    EXPECT_EQ(parse_number(json("0x8000_0000")), 0x80000000u);
    EXPECT_EQ(parse_number(json("2MiB")), 2u << 20);
    EXPECT_EQ(parse_number(json(4096)), 4096u);
    EXPECT_FALSE(parse_number(json(-1)).has_value());
    EXPECT_FALSE(parse_number(json("12abc")).has_value());
    EXPECT_FALSE(parse_number(json("0xFFFFFFFFFFFFFFFFF")).has_value());
    EXPECT_FALSE(parse_number(json(1.5)).has_value());
}
