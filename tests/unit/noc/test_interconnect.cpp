// Interconnect in isolation: bare initiators and recording targets (or memories).

#include <map>

#include <gtest/gtest.h>

#include "models/core/stats.h"
#include "models/mem/memory.h"
#include "models/noc/interconnect.h"
#include "tests/common/presets.h"
#include "tests/common/recording_target.h"
#include "tests/common/test_initiator.h"
#include "tests/common/test_util.h"

using namespace smmusim;
using smmusim::test::stat;
using sc_core::sc_time;
using sc_core::SC_NS;

namespace {

constexpr uint64_t kT0 = 0x10000000, kT1 = 0x20000000, kSize = 1 << 20;

struct Bench {
    test::Presets presets;
    test::TestInitiator a{"a"}, b{"b"}, c{"c"};
    test::RecordingTarget t0{"t0"}, t1{"t1"};
    noc::Interconnect noc{"noc", {"a", "b", "c"}, {{"t0", kT0, kSize}, {"t1", kT1, kSize}}};
    explicit Bench(std::initializer_list<std::string> sets = {}) : presets(sets) {
        a.port.socket.bind(noc.initiator_socket("a"));
        b.port.socket.bind(noc.initiator_socket("b"));
        c.port.socket.bind(noc.initiator_socket("c"));
        noc.target_socket("t0").bind(t0.port.socket);
        noc.target_socket("t1").bind(t1.port.socket);
    }
};


}  // namespace

TEST(Interconnect, RoutesByAddressAndReturnsResponsesToTheirInitiator) {
    Bench bench;
    bench.a.write(kT0 + 0x40, std::vector<unsigned char>(64, 1));
    bench.a.read(kT1 + 0x80, 64);
    bench.b.read(kT1 + 0x100, 32);
    bench.c.read(kT0 + kSize - 8, 8);
    sc_core::sc_start();
    ASSERT_EQ(bench.t0.seen.size(), 2u);
    ASSERT_EQ(bench.t1.seen.size(), 2u);
    std::multiset<uint64_t> at_t0{bench.t0.seen[0].addr, bench.t0.seen[1].addr};
    EXPECT_EQ(at_t0, (std::multiset<uint64_t>{kT0 + 0x40, kT0 + kSize - 8}));
    EXPECT_EQ(bench.a.results.size(), 2u);
    ASSERT_EQ(bench.b.results.size(), 1u);
    EXPECT_EQ(bench.b.results[0].addr, kT1 + 0x100);
    ASSERT_EQ(bench.c.results.size(), 1u);
    EXPECT_EQ(bench.c.results[0].status, tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(stat("noc.t0.requests"), 2);
    EXPECT_EQ(stat("noc.a.requests"), 2);
}

TEST(Interconnect, UnmappedAddressIsDecodeError) {
    Bench bench;
    unsigned gap = bench.a.read(0x30000000, 64);
    unsigned straddle = bench.a.read(kT0 + kSize - 32, 64);  // runs past the end of t0
    sc_core::sc_start();
    EXPECT_EQ(bench.a.result(gap).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(bench.a.result(straddle).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_TRUE(bench.t0.seen.empty());
    EXPECT_TRUE(bench.t1.seen.empty());
    EXPECT_EQ(stat("noc.decode_errors"), 2);
}

TEST(Interconnect, HopLatencyAndWidthTiming) {
    // a: defaults (width 16, hop 1); b: wide port (64) with hop 5; target latency 10 ns.
    Bench bench({"noc.b.width=64", "noc.b.hop_latency=5"});
    unsigned ra = bench.a.read(kT0, 64);
    unsigned wa = bench.a.write(kT0, std::vector<unsigned char>(64, 0), sc_time(100, SC_NS));
    unsigned rb = bench.b.read(kT1, 64, sc_time(200, SC_NS));
    sc_core::sc_start();
    // read: 1 request beat + hops 1+1, target 10, hops 1+1, 64 B back at 16 B/cycle = 4 beats
    EXPECT_EQ(bench.a.result(ra).done, sc_time(1 + 2 + 10 + 2 + 4, SC_NS));
    // write: 4 request beats carry the data, 1 response beat
    EXPECT_EQ(bench.a.result(wa).done - sc_time(100, SC_NS), sc_time(4 + 2 + 10 + 2 + 1, SC_NS));
    // b: hops 5+1 each way, 64 B back in one beat
    EXPECT_EQ(bench.b.result(rb).done - sc_time(200, SC_NS), sc_time(1 + 6 + 10 + 6 + 1, SC_NS));
}

TEST(Interconnect, RoundRobinSharesATargetFairly) {
    Bench bench;
    const int n = 30;
    for (int i = 0; i < n; ++i) {
        bench.a.read(kT0 + 0x00000 + uint64_t(i) * 64, 64);
        bench.b.read(kT0 + 0x10000 + uint64_t(i) * 64, 64);
        bench.c.read(kT0 + 0x20000 + uint64_t(i) * 64, 64);
    }
    sc_core::sc_start();
    ASSERT_EQ(bench.t0.seen.size(), size_t(3 * n));
    // Every window of three consecutive grants serves each initiator exactly once.
    for (size_t w = 0; w + 3 <= bench.t0.seen.size(); w += 3) {
        std::set<uint64_t> who;
        for (size_t k = w; k < w + 3; ++k) who.insert((bench.t0.seen[k].addr - kT0) >> 16);
        EXPECT_EQ(who.size(), 3u) << "window at grant " << w;
    }
    // One grant per cycle on the target port.
    EXPECT_EQ(bench.t0.seen[1].at - bench.t0.seen[0].at, sc_time(1, SC_NS));
    auto wait = stat("noc.t0.grant_wait");
    EXPECT_EQ(wait["count"], 3 * n);
    EXPECT_GT(wait["max"].get<double>(), 0.0);  // contention is visible as grant wait
}

namespace {
struct Releaser : sc_core::sc_module {
    test::RecordingTarget& t;
    SC_HAS_PROCESS(Releaser);
    Releaser(sc_core::sc_module_name n, test::RecordingTarget& target) : sc_module(n), t(target) {
        SC_THREAD(run);
    }
    void run() {
        wait(50, SC_NS);
        t.accept_requests = true;
        t.accept_held();
    }
};
}  // namespace

TEST(Interconnect, FullFifoHoldsEndReq) {
    Bench bench({"noc.buffer=1"});
    bench.t0.accept_requests = false;  // the target holds the first request
    Releaser rel("rel", bench.t0);
    for (int i = 0; i < 3; ++i) bench.a.read(kT0 + uint64_t(i) * 64, 64);
    sc_core::sc_start();
    std::vector<sc_time> acc = bench.a.accepted_times();
    ASSERT_EQ(acc.size(), 3u);
    EXPECT_EQ(acc[0], sc_core::SC_ZERO_TIME);  // into the FIFO
    EXPECT_EQ(acc[1], sc_time(3, SC_NS));      // when the first left the FIFO for the target
    EXPECT_EQ(acc[2], sc_time(50, SC_NS));     // only when the target took the first
    EXPECT_EQ(bench.t0.seen.size(), 3u);
}

TEST(Interconnect, BackdoorPathsReachTheRightMemory) {
    test::Presets presets({"m1.read_latency=10"});
    test::TestInitiator init("init");
    mem::Memory m0("m0", {kT0, kSize}), m1("m1", {kT1, kSize});
    noc::Interconnect noc("noc", {"init"}, {{"m0", kT0, kSize}, {"m1", kT1, kSize}});
    init.port.socket.bind(noc.initiator_socket("init"));
    noc.target_socket("m0").bind(m0.port.socket);
    noc.target_socket("m1").bind(m1.port.socket);

    unsigned char w[4] = {9, 8, 7, 6}, r[4] = {};
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    gp.set_address(kT1 + 0x10);
    gp.set_data_ptr(w);
    gp.set_data_length(4);
    gp.set_streaming_width(4);
    EXPECT_EQ(init.port.socket->transport_dbg(gp), 4u);
    unsigned char direct[4];
    m1.store().read(kT1 + 0x10, direct, 4);
    EXPECT_EQ(direct[3], 6);

    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_data_ptr(r);
    sc_time d = sc_core::SC_ZERO_TIME;
    init.port.socket->b_transport(gp, d);
    EXPECT_TRUE(gp.is_response_ok());
    EXPECT_EQ(r[0], 9);
    // As AT charges it unloaded: request beat, hops, memory beat + latency, hops, response beat.
    EXPECT_EQ(d, sc_time(1 + 2 + 1 + 10 + 2 + 1, SC_NS));

    tlm::tlm_dmi dmi;
    gp.set_address(kT0 + 0x100);
    ASSERT_TRUE(init.port.socket->get_direct_mem_ptr(gp, dmi));
    EXPECT_LE(dmi.get_start_address(), kT0 + 0x100);
    EXPECT_GE(dmi.get_end_address(), kT0 + 0x100);

    gp.set_address(0x30000000);
    EXPECT_EQ(init.port.socket->transport_dbg(gp), 0u);
    EXPECT_FALSE(init.port.socket->get_direct_mem_ptr(gp, dmi));
    d = sc_core::SC_ZERO_TIME;
    init.port.socket->b_transport(gp, d);
    EXPECT_EQ(gp.get_response_status(), tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST(Interconnect, OverlappingTargetsAreAnInputError) {
    EXPECT_THROW(noc::Interconnect("noc", {"a"}, {{"t0", kT0, kSize}, {"t1", kT0 + kSize - 1, kSize}}),
                 InputError);
}
