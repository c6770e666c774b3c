#include <algorithm>
#include <sstream>

#include <gtest/gtest.h>

#include "models/core/histogram.h"
#include "models/core/stats.h"

using namespace smmusim::core;
using sc_core::sc_time;
using sc_core::SC_NS;

namespace {
struct Top : sc_core::sc_module {
    explicit Top(sc_core::sc_module_name n) : sc_module(n) {}
};
}  // namespace

TEST(Histogram, ExactBelow128) {
    LogLinearHistogram h;
    for (uint64_t v = 1; v <= 100; ++v) h.add(v);
    EXPECT_EQ(h.count(), 100u);
    EXPECT_EQ(h.min(), 1u);
    EXPECT_EQ(h.max(), 100u);
    EXPECT_DOUBLE_EQ(h.mean(), 50.5);
    EXPECT_EQ(h.percentile(50), 50u);
    EXPECT_EQ(h.percentile(90), 90u);
    EXPECT_EQ(h.percentile(99), 99u);
    EXPECT_EQ(h.percentile(100), 100u);
    EXPECT_EQ(h.percentile(0), 1u);
}

TEST(Histogram, BucketsCoverEveryValueOnce) {
    for (uint64_t v : {0ull, 127ull, 128ull, 129ull, 255ull, 256ull, 1000ull, 123456789ull,
                       ~0ull >> 1, ~0ull}) {
        size_t i = LogLinearHistogram::index_of(v);
        uint64_t lo = LogLinearHistogram::lower_bound_of(i);
        uint64_t w = LogLinearHistogram::width_of(i);
        EXPECT_LE(lo, v) << v;
        EXPECT_LE(v - lo, w - 1) << v;
        // Relative bucket width stays under 1/128.
        if (v >= 128) {
            EXPECT_LE(double(w) / double(lo), 1.0 / 128 + 1e-12) << v;
        }
    }
}

TEST(Histogram, LargeValuePercentilesWithinOnePercent) {
    LogLinearHistogram h;
    for (uint64_t v = 1000; v <= 1000000; v += 1000) h.add(v);
    EXPECT_NEAR(double(h.percentile(50)), 500000.0, 5000.0);
    EXPECT_NEAR(double(h.percentile(99)), 990000.0, 9900.0);
    EXPECT_EQ(h.max(), 1000000u);
}

TEST(Stats, RegisteredUnderOwnerPathAndDumpedFlat) {
    Top top("top");
    Counter c(&top, "hits", "lookups that hit");
    Histogram h(&top, "sizes", "sizes", "bytes");
    ++c;
    c += 4;
    h.sample(64);
    h.sample(128);
    nlohmann::json j = StatsRegistry::instance().dump();
    EXPECT_EQ(j["top.hits"], 5);
    EXPECT_EQ(j["top.sizes"]["count"], 2);
    EXPECT_EQ(j["top.sizes"]["min"], 64.0);
    EXPECT_EQ(j["top.sizes"]["max"], 128.0);
    EXPECT_EQ(j["top.sizes"]["unit"], "bytes");
    EXPECT_EQ(j["top.sizes"]["buckets"].size(), 2u);
    EXPECT_EQ(StatsRegistry::instance().find("top.hits"), &c);
}

TEST(Stats, TimeHistogramReportsNanoseconds) {
    Top top("top");
    TimeHistogram lat(&top, "latency", "latency");
    lat.sample(sc_time(1500, sc_core::SC_PS));
    lat.sample(sc_time(100, SC_NS));
    nlohmann::json j = lat.to_json();
    EXPECT_DOUBLE_EQ(j["min"].get<double>(), 1.5);
    EXPECT_DOUBLE_EQ(j["max"].get<double>(), 100.0);
    EXPECT_DOUBLE_EQ(j["mean"].get<double>(), 50.75);
    EXPECT_EQ(j["unit"], "ns");
}

TEST(Stats, AverageAndFormula) {
    Top top("top");
    Average a(&top, "avg", "");
    a.sample(2);
    a.sample(4);
    int calls = 0;
    Formula f(&top, "f", "", "", [&] { return ++calls; });
    nlohmann::json j = StatsRegistry::instance().dump();
    EXPECT_EQ(j["top.avg"]["mean"], 3.0);
    EXPECT_EQ(j["top.avg"]["max"], 4.0);
    EXPECT_EQ(j["top.f"], 1);
}

// A count the model keeps (a walker's counter) reports what came after a stats reset, as a
// Counter does: --warmup and a workload's warm-up exclude what they reset.
TEST(Stats, CountSinceRestartsAtReset) {
    Top top("top_count");
    uint64_t model_count = 7;
    CountSince c(&top, "reads", "", "", [&] { return model_count; });
    Counter k(&top, "counter", "");
    ++k;
    EXPECT_EQ(StatsRegistry::instance().dump()["top_count.reads"], 7u);
    StatsRegistry::instance().reset_all();
    EXPECT_EQ(StatsRegistry::instance().dump()["top_count.reads"], 0u);
    EXPECT_EQ(StatsRegistry::instance().dump()["top_count.counter"], 0u);
    model_count += 5;
    ++k;
    EXPECT_EQ(StatsRegistry::instance().dump()["top_count.reads"], 5u);
    EXPECT_EQ(StatsRegistry::instance().dump()["top_count.counter"], 1u);
    EXPECT_STREQ(c.kind(), "formula");
}

namespace {
struct LevelDriver : sc_core::sc_module {
    Level level{this, "occ", "occupancy"};
    SC_HAS_PROCESS(LevelDriver);
    explicit LevelDriver(sc_core::sc_module_name n) : sc_module(n) { SC_THREAD(run); }
    void run() {
        wait(10, SC_NS);
        level.set(4);
        wait(10, SC_NS);
        level.set(0);
        wait(20, SC_NS);
    }
};
}  // namespace

TEST(Stats, LevelIsTimeWeighted) {
    LevelDriver d("d");
    sc_core::sc_start();
    EXPECT_EQ(sc_core::sc_time_stamp(), sc_time(40, SC_NS));
    nlohmann::json j = d.level.to_json();
    EXPECT_DOUBLE_EQ(j["mean"].get<double>(), 1.0);  // 4 for 10 ns of 40 ns
    EXPECT_EQ(j["max"], 4);
}

TEST(Stats, DuplicateNameIsAProgrammingError) {
    Counter a("x.y", "");
    EXPECT_THROW(Counter("x.y", ""), std::logic_error);
}

// --list-stats names the fields a sweep may ask for (stat.p99); a single value has none.
TEST(Stats, ListShowsTheFieldsOfStructuredStats) {
    Counter c("list.count", "a counter");
    Histogram h("list.hist", "a histogram", "cycles");
    Formula f("list.formula", "a formula", "", [] { return 1; });
    EXPECT_TRUE(c.fields().empty());
    EXPECT_TRUE(f.fields().empty());
    const std::vector<std::string> hf = h.fields();
    for (const char* k : {"count", "mean", "min", "max", "p50", "p90", "p99", "p999"})
        EXPECT_NE(std::find(hf.begin(), hf.end(), k), hf.end()) << k;
    EXPECT_EQ(std::find(hf.begin(), hf.end(), "buckets"), hf.end());  // not a number
    std::ostringstream os;
    StatsRegistry::instance().print_list(os);
    const std::string out = os.str();
    EXPECT_NE(out.find("a histogram (fields: .count .max .mean .min .p50 .p90 .p99 .p999)"), std::string::npos) << out;
    EXPECT_NE(out.find("a counter\n"), std::string::npos) << out;
}
