// Traffic generators against a recording target.

#include <cstdio>
#include <fstream>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "models/core/run_control.h"
#include "models/core/stats.h"
#include "models/core/txn_trace.h"
#include "models/traffic/cpu_traffic.h"
#include "models/traffic/dma_master.h"
#include "tests/common/presets.h"
#include "tests/common/recording_target.h"
#include "tests/common/test_util.h"

using namespace smmusim;
using smmusim::test::stat;
using sc_core::sc_time;
using sc_core::SC_NS;

namespace {

traffic::DmaDefaults small() {
    traffic::DmaDefaults d;
    d.count = 10;
    d.base = 0x80000000;
    d.region = 1 << 16;
    return d;
}

struct Bench {
    test::Presets presets;
    traffic::DmaMaster dma;
    test::RecordingTarget target{"target"};
    explicit Bench(std::initializer_list<std::string> sets, traffic::DmaDefaults d = small())
        : presets(sets), dma("dma0", d) {
        dma.port.socket.bind(target.port.socket);
    }
};


std::string temp_trace(const std::string& text) { return test::temp_file(text, ".trc"); }
using test::input_error;

}  // namespace

TEST(DmaMaster, EveryTransactionCarriesItsStreamAttributes) {
    Bench b({"dma0.sid=5", "dma0.ssid=3", "dma0.priv=true"});
    sc_core::sc_start();
    ASSERT_EQ(b.target.seen.size(), 10u);
    for (const auto& s : b.target.seen) {
        ASSERT_TRUE(s.attr.has_value());
        EXPECT_EQ(s.attr->sid, 5u);
        EXPECT_TRUE(s.attr->ssid_valid);
        EXPECT_EQ(s.attr->ssid, 3u);
        EXPECT_TRUE(s.attr->priv);
        EXPECT_FALSE(s.attr->instr);
        EXPECT_FALSE(s.attr->secure);
    }
}

TEST(DmaMaster, NoSubstreamByDefault) {
    Bench b({});
    sc_core::sc_start();
    ASSERT_FALSE(b.target.seen.empty());
    EXPECT_FALSE(b.target.seen[0].attr->ssid_valid);
}

TEST(DmaMaster, CountAndStats) {
    Bench b({"dma0.count=50", "dma0.size=128", "dma0.read_fraction=0.5"});
    sc_core::sc_start();
    EXPECT_EQ(b.target.seen.size(), 50u);
    EXPECT_EQ(stat("dma0.transactions"), 50);
    EXPECT_EQ(stat("dma0.reads").get<int>() + stat("dma0.writes").get<int>(), 50);
    EXPECT_GT(stat("dma0.reads").get<int>(), 0);
    EXPECT_GT(stat("dma0.writes").get<int>(), 0);
    EXPECT_EQ(stat("dma0.bytes"), 50 * 128);
    EXPECT_EQ(stat("dma0.latency")["count"], 50);
    EXPECT_DOUBLE_EQ(stat("dma0.latency")["min"].get<double>(), 10.0);  // the target's latency
    EXPECT_TRUE(b.dma.finished());
}

TEST(DmaMaster, ReadFractionExtremes) {
    Bench b({"dma0.read_fraction=1", "dma0.count=20"});
    sc_core::sc_start();
    for (const auto& s : b.target.seen) EXPECT_FALSE(s.write);
}

TEST(DmaMaster, WritesOnlyAtReadFractionZero) {
    Bench b({"dma0.read_fraction=0", "dma0.count=20"});
    sc_core::sc_start();
    for (const auto& s : b.target.seen) EXPECT_TRUE(s.write);
}

TEST(DmaMaster, MaxOutstandingLimitsTransactionsInFlight) {
    Bench b({"dma0.max_outstanding=4", "dma0.count=10"});
    b.target.answer = false;
    sc_core::sc_start(sc_time(1, sc_core::SC_US));
    EXPECT_EQ(b.target.seen.size(), 4u);
    b.target.release_responses();
    sc_core::sc_start(sc_time(1, sc_core::SC_US));
    EXPECT_EQ(b.target.seen.size(), 8u);
    b.target.answer = true;
    b.target.release_responses();
    sc_core::sc_start();
    EXPECT_EQ(b.target.seen.size(), 10u);
    EXPECT_EQ(stat("dma0.outstanding")["max"], 4);
}

TEST(DmaMaster, IntervalAndStartTimeSpaceIssues) {
    Bench b({"dma0.interval=10", "dma0.count=5", "dma0.start=100ns", "dma0.pattern=sequential"});
    b.target.latency = sc_time(1, SC_NS);
    sc_core::sc_start();
    ASSERT_EQ(b.target.seen.size(), 5u);
    for (size_t i = 0; i < 5; ++i) {
        EXPECT_EQ(b.target.seen[i].at, sc_time(100 + 10 * double(i), SC_NS));
        EXPECT_EQ(b.target.seen[i].addr, 0x80000000u + 64 * i);
    }
}

TEST(DmaMaster, DisabledIssuesNothing) {
    Bench b({"dma0.enable=false"});
    sc_core::sc_start();
    EXPECT_TRUE(b.target.seen.empty());
    EXPECT_TRUE(b.dma.finished());
}

TEST(DmaMaster, ReplaysATrace) {
    std::string path = temp_trace(
        "# when sid ssid addr size rw\n"
        "@10   7 -  0x80001000 64 w\n"
        "+5    8 2  0x80002000 32 r\n"
        "@100  9 -  0x80003000 4096 r\n");
    Bench b({"dma0.pattern=trace", "dma0.trace=" + path, "dma0.count=0"});
    b.target.latency = sc_time(1, SC_NS);
    sc_core::sc_start();
    ASSERT_EQ(b.target.seen.size(), 3u);
    EXPECT_EQ(b.target.seen[0].at, sc_time(10, SC_NS));
    EXPECT_EQ(b.target.seen[1].at, sc_time(15, SC_NS));
    EXPECT_EQ(b.target.seen[2].at, sc_time(100, SC_NS));
    EXPECT_TRUE(b.target.seen[0].write);
    EXPECT_EQ(b.target.seen[1].attr->sid, 8u);
    EXPECT_TRUE(b.target.seen[1].attr->ssid_valid);
    EXPECT_EQ(b.target.seen[1].attr->ssid, 2u);
    EXPECT_EQ(b.target.seen[2].len, 4096u);
    EXPECT_FALSE(b.target.seen[2].attr->ssid_valid);
    std::remove(path.c_str());
}

TEST(DmaMaster, TraceIssueWaitsForAFreeSlot) {
    std::string path = temp_trace("@0 1 - 0x1000 64 r\n@0 1 - 0x2000 64 r\n+3 1 - 0x3000 64 r\n");
    Bench b({"dma0.pattern=trace", "dma0.trace=" + path, "dma0.max_outstanding=1", "dma0.count=2"});
    b.target.latency = sc_time(100, SC_NS);
    sc_core::sc_start();
    ASSERT_EQ(b.target.seen.size(), 2u);  // count limits the lines replayed
    EXPECT_EQ(b.target.seen[0].at, sc_core::SC_ZERO_TIME);
    EXPECT_EQ(b.target.seen[1].at, sc_time(100, SC_NS));  // after the first completed
    std::remove(path.c_str());
}

TEST(DmaMaster, SizeMustBeAPowerOfTwo) {
    EXPECT_NE(input_error([] { Bench b({"dma0.size=48"}); }).find("'dma0.size': must be a power of two"),
              std::string::npos);
}

TEST(DmaMaster, BaseMustBeAligned) {
    EXPECT_NE(input_error([] { Bench b({"dma0.base=0x80000020"}); }).find("'dma0.base'"), std::string::npos);
}

TEST(DmaMaster, BadStrideIsAnInputError) {
    EXPECT_NE(input_error([] { Bench b({"dma0.pattern=strided", "dma0.stride=0"}); }).find("'dma0.stride'"),
              std::string::npos);
}

TEST(DmaMaster, BadHotSizeIsAnInputError) {
    EXPECT_NE(input_error([] { Bench b({"dma0.pattern=hotset", "dma0.hot_size=1GiB"}); }).find("'dma0.hot_size'"),
              std::string::npos);
}

TEST(DmaMaster, TracePatternNeedsAFile) {
    EXPECT_NE(input_error([] { Bench b({"dma0.pattern=trace"}); }).find("'dma0.trace'"), std::string::npos);
}

TEST(DmaMaster, TraceFileWithoutTracePatternIsRejected) {
    EXPECT_NE(input_error([] { Bench b({"dma0.trace=x.trc"}); }).find("only replayed with pattern 'trace'"),
              std::string::npos);
}

TEST(DmaMaster, MalformedTraceNamesFileAndLine) {
    std::string path = temp_trace("+1 1 - 0x1000 64 r\n+1 1 - 0x1000 64 q\n");
    std::string msg = input_error([&] { Bench b({"dma0.pattern=trace", "dma0.trace=" + path}); });
    EXPECT_NE(msg.find(path + ":2: bad direction 'q'"), std::string::npos) << msg;
    std::remove(path.c_str());
}

TEST(CpuTraffic, CarriesNoStreamAttributes) {
    test::Presets presets({"cpu.count=5"});
    traffic::CpuTraffic cpu("cpu", small());
    test::RecordingTarget target("target");
    cpu.port.socket.bind(target.port.socket);
    sc_core::sc_start();
    ASSERT_EQ(target.seen.size(), 5u);
    EXPECT_FALSE(target.seen[0].attr.has_value());
}

TEST(TrafficGen, RunBudgetIsSharedAndExact) {
    // Device masters share the budget exactly; background CPU traffic (unbounded here) takes
    // no tickets and stops once the budget is spent, so the run ends.
    core::RunControl::instance().configure(1, 25);
    test::Presets presets({"g1.count=100", "g2.count=100", "g3.count=0"});
    traffic::DmaMaster g1("g1", small()), g2("g2", small());
    traffic::CpuTraffic g3("g3", small());
    test::RecordingTarget t1("t1"), t2("t2"), t3("t3");
    g1.port.socket.bind(t1.port.socket);
    g2.port.socket.bind(t2.port.socket);
    g3.port.socket.bind(t3.port.socket);
    sc_core::sc_start();
    EXPECT_EQ(g1.transactions() + g2.transactions(), 25u);
    EXPECT_GT(g1.transactions(), 0u);
    EXPECT_GT(g2.transactions(), 0u);
    EXPECT_GT(g3.transactions(), 0u);
    EXPECT_TRUE(g3.finished());
}

TEST(TrafficGen, JobsIssueTheirTransactionsAndReportCompletion) {
    test::Presets presets({"dma0.enable=false", "dma0.max_outstanding=2"});
    traffic::DmaMaster dma("dma0", small());
    test::RecordingTarget target("target");
    dma.port.socket.bind(target.port.socket);
    std::vector<traffic::DmaJobResult> done;
    traffic::DmaJob j;
    j.sid = 7;
    j.addr = 0x80001000;
    j.size = 128;
    j.write = true;
    j.count = 5;
    j.stride = 256;
    dma.submit(j, [&](const traffic::DmaJobResult& r) { done.push_back(r); });
    j.count = 1;
    j.write = false;
    dma.submit(j, [&](const traffic::DmaJobResult& r) { done.push_back(r); });
    EXPECT_THROW(dma.submit(traffic::DmaJob{0, false, 0, 0x80000040, 96, false, 1, 0}, nullptr), std::invalid_argument);
    EXPECT_THROW(dma.submit(traffic::DmaJob{0, false, 0, 0x80000040, 128, false, 1, 0}, nullptr),
                 std::invalid_argument);
    sc_core::sc_start();
    ASSERT_EQ(done.size(), 2u);
    EXPECT_EQ(done[0].ok, 5u);
    EXPECT_EQ(done[0].errors, 0u);
    EXPECT_LT(done[0].start, done[0].end);
    EXPECT_EQ(dma.transactions(), 6u);  // pattern traffic off: only the jobs
    EXPECT_EQ(test::stat("dma0.writes"), 5);
    EXPECT_EQ(dma.bytes(), 6u * 128);
    ASSERT_EQ(target.seen.size(), 6u);
    for (unsigned i = 0; i < 5; ++i) EXPECT_EQ(target.seen[i].addr, 0x80001000u + 256 * i);
    EXPECT_TRUE(dma.finished());
}

TEST(TrafficGen, JobsDoNotCountAgainstThePatternsCount) {
    test::Presets presets({"dma0.enable=true", "dma0.count=10", "dma0.max_outstanding=2"});
    traffic::DmaMaster dma("dma0", small());
    test::RecordingTarget target("target");
    dma.port.socket.bind(target.port.socket);
    traffic::DmaJob j;
    j.addr = 0x80001000;
    j.size = 64;
    j.count = 8;
    unsigned ok = 0;
    dma.submit(j, [&](const traffic::DmaJobResult& r) { ok = r.ok; });
    sc_core::sc_start();
    EXPECT_EQ(ok, 8u);
    EXPECT_EQ(dma.transactions(), 18u);  // the pattern's 10 and the job's 8
}

TEST(TrafficGen, RandomJobsStayInTheirRegionAlignedToTheirSize) {
    test::Presets presets({"dma0.enable=false"});
    traffic::DmaMaster dma("dma0", small());
    test::RecordingTarget target("target");
    dma.port.socket.bind(target.port.socket);
    traffic::DmaJob j;
    j.addr = 0x80000000;
    j.size = 256;
    j.count = 200;
    j.random_region = 1u << 20;
    bool done = false;
    dma.submit(j, [&](const traffic::DmaJobResult& r) { done = r.ok == 200; });
    sc_core::sc_start();
    EXPECT_TRUE(done);
    ASSERT_EQ(target.seen.size(), 200u);
    std::set<uint64_t> distinct;
    for (const auto& s : target.seen) {
        EXPECT_GE(s.addr, 0x80000000u);
        EXPECT_LT(s.addr, 0x80000000u + (1u << 20));
        EXPECT_EQ(s.addr % 256, 0u);
        distinct.insert(s.addr);
    }
    EXPECT_GT(distinct.size(), 150u);  // 4096 slots: few repeats
}

TEST(TrafficGen, ChromeTraceHasOneEventPerTransactionAndLanesNeverOverlap) {
    const std::string path = "/tmp/gen_trace_" + std::to_string(getpid()) + ".json";
    Bench b({"dma0.count=40", "dma0.max_outstanding=4", "dma0.interval=1"});
    core::TxnTraceWriter::instance().open(path);
    sc_core::sc_start();
    core::TxnTraceWriter::instance().close();
    std::ifstream in(path);
    nlohmann::json j = nlohmann::json::parse(in);
    std::remove(path.c_str());
    std::map<int, std::vector<std::pair<double, double>>> lanes;
    int events = 0;
    for (const auto& e : j["traceEvents"]) {
        EXPECT_TRUE(e.contains("cat")) << e;  // every event, metadata too
        if (e["ph"] != "X") continue;
        ++events;
        EXPECT_EQ(e["cat"], "device");
        EXPECT_TRUE(e["name"] == "dma0 read" || e["name"] == "dma0 write") << e;
        EXPECT_EQ(e["args"]["size"], 64);
        EXPECT_DOUBLE_EQ(e["args"]["latency_ns"].get<double>(), 10.0);
        lanes[e["tid"].get<int>()].emplace_back(e["ts"].get<double>(), e["dur"].get<double>());
    }
    EXPECT_EQ(events, 40);
    EXPECT_EQ(lanes.size(), 4u);  // as many lanes as transactions in flight at once
    for (auto& [tid, ev] : lanes) {
        std::sort(ev.begin(), ev.end());
        for (size_t i = 1; i < ev.size(); ++i) EXPECT_GE(ev[i].first + 1e-9, ev[i - 1].first + ev[i - 1].second);
    }
}
