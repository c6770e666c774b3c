// The `base` platform built in-process: wiring, names users script against, and behaviour of
// a scaled-down default workload.

#include <gtest/gtest.h>

#include "models/core/param_registry.h"
#include "models/core/params.h"
#include "models/core/stats.h"
#include "platforms/platform.h"
#include "tests/common/presets.h"
#include "tests/common/test_util.h"

using namespace smmusim;
using smmusim::test::stat;

namespace {


std::string param(const std::string& name) {
    const core::ParamBase* p = core::ParamRegistry::instance().find(name);
    EXPECT_NE(p, nullptr) << name;
    return p ? p->text() : "";
}

std::unique_ptr<platforms::Platform> build(std::initializer_list<std::string> sets) {
    test::Presets presets(sets);
    auto p = platforms::find_platform("base")->make({});
    core::ParamRegistry::instance().check_overrides_used();
    return p;
}

}  // namespace

TEST(BasePlatform, NamesFollowTheDesign) {
    auto p = build({});
    EXPECT_EQ(param("dram.base"), "0x80000000");
    EXPECT_EQ(param("dram.size"), "8 GiB");
    EXPECT_EQ(param("dma0.sid"), "1");
    EXPECT_EQ(param("dma1.sid"), "2");
    for (const char* n : {"cpu_traffic.pattern", "noc.dma0.width", "noc.dma1.hop_latency",
                          "noc.cpu_traffic.width", "noc.dram.width", "noc.buffer", "dram.read_latency",
                          "dram.max_outstanding", "dma0.max_outstanding", "dma1.trace"})
        param(n);
    std::ostringstream map;
    p->print_address_map(map);
    EXPECT_NE(map.str().find("dram"), std::string::npos);
    EXPECT_EQ(p->generators().size(), 3u);
}

TEST(BasePlatform, DefaultTrafficStaysInTheDmaWindow) {
    auto p = build({});
    for (const auto* g : p->generators()) {
        EXPECT_GE(g->base.value(), 0x80000000u) << g->name();
        EXPECT_LE(g->base.value() + g->region.value(), 0x100000000u) << g->name();
    }
}

// Raw pattern traffic through the SMMU left disabled (GBPA bypass): no software.
#define RAW "sw.enable=false", "dma0.enable=true", "dma1.enable=true"

TEST(BasePlatform, ScaledDownWorkloadCompletesThroughEveryPath) {
    auto p = build({RAW, "dma0.count=2000", "dma1.count=2000", "cpu_traffic.count=2000"});
    sc_core::sc_start();
    for (const char* g : {"dma0", "dma1", "cpu_traffic"}) {
        EXPECT_EQ(stat(std::string(g) + ".transactions"), 2000) << g;
        EXPECT_EQ(stat(std::string(g) + ".errors"), 0) << g;
        EXPECT_EQ(stat("noc." + std::string(g) + ".requests"), 2000) << g;
    }
    EXPECT_EQ(stat("dram.reads").get<int>() + stat("dram.writes").get<int>(), 6000);
    EXPECT_EQ(stat("noc.dram.requests"), 6000);
    // A read costs at least the memory's 100 cycles; masters sharing DRAM wait for each other.
    auto lat = stat("dma1.latency");
    EXPECT_GE(lat["max"].get<double>(), 100.0);
    EXPECT_GT(lat["mean"].get<double>(), lat["min"].get<double>());
    EXPECT_GT(stat("noc.dram.grant_wait")["max"].get<double>(), 0.0);
}

TEST(BasePlatform, TrafficToNoMemoryCompletesWithErrors) {
    auto p = build({RAW, "dma1.base=0x10000000", "dma1.count=50", "dma0.count=10", "cpu_traffic.count=10"});
    sc_core::sc_start();
    EXPECT_EQ(stat("dma1.transactions"), 50);
    EXPECT_EQ(stat("dma1.errors"), 50);
    EXPECT_EQ(stat("noc.decode_errors"), 50);
    EXPECT_EQ(stat("dma0.errors"), 0);
}

TEST(BasePlatform, SmallerDramMovesTheDecodeBoundary) {
    // dma1's default region starts 64 MiB into DRAM: a 64 MiB DRAM leaves it unmapped.
    auto p = build({RAW, "dram.size=64MiB", "dma1.count=20", "dma0.count=20", "cpu_traffic.enable=false"});
    sc_core::sc_start();
    EXPECT_EQ(stat("dma1.errors"), 20);
    EXPECT_EQ(stat("dma0.errors"), 0);
}
