// Memory in isolation: a bare initiator bound straight to its socket.

#include <gtest/gtest.h>

#include "models/core/param_registry.h"
#include "models/core/stats.h"
#include "models/mem/memory.h"
#include "tests/common/presets.h"
#include "tests/common/test_initiator.h"

using namespace smmusim;
using sc_core::sc_time;
using sc_core::SC_NS;

namespace {

constexpr uint64_t kBase = 0x80000000;

mem::Memory::Defaults defaults() { return {kBase, uint64_t(1) << 30}; }

struct Bench {
    test::Presets presets;
    mem::Memory mem{"mem", defaults()};
    test::TestInitiator init{"init"};
    explicit Bench(std::initializer_list<std::string> sets = {}) : presets(sets) {
        init.port.socket.bind(mem.port.socket);
    }
};

}  // namespace

TEST(Memory, ReadLatencyIsTransferPlusLatency) {
    Bench b({"mem.read_latency=100", "mem.bytes_per_cycle=32", "mem.clock=1ns"});
    auto& init = b.init;
    init.read(kBase, 64);
    sc_core::sc_start();
    ASSERT_EQ(init.results.size(), 1u);
    EXPECT_EQ(init.results[0].status, tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(init.results[0].accepted, sc_core::SC_ZERO_TIME);
    EXPECT_EQ(init.results[0].done, sc_time(2 + 100, SC_NS));  // 64 B at 32 B/cycle, then 100
}

TEST(Memory, WriteLatencyAndClockScale) {
    Bench b({"mem.write_latency=10", "mem.bytes_per_cycle=16", "mem.clock=500 MHz"});
    auto& init = b.init;
    init.write(kBase, std::vector<unsigned char>(64, 1));
    sc_core::sc_start();
    ASSERT_EQ(init.results.size(), 1u);
    EXPECT_EQ(init.results[0].done, sc_time(2 * (4 + 10), SC_NS));  // 2 ns cycles
}

TEST(Memory, WriteThenReadReturnsData) {
    Bench b({});
    auto& init = b.init;
    std::vector<unsigned char> data(256);
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<unsigned char>(i * 7);
    init.write(kBase + 0x1000, data);
    unsigned rd = init.read(kBase + 0x1000, 256, sc_time(1, sc_core::SC_US));
    unsigned fresh = init.read(kBase + 0x9000, 16, sc_time(1, sc_core::SC_US));
    sc_core::sc_start();
    EXPECT_EQ(init.result(rd).data, data);
    EXPECT_EQ(init.result(fresh).data, std::vector<unsigned char>(16, 0));  // untouched reads zero
}

TEST(Memory, BandwidthLimitsBackToBackRequests) {
    Bench b({"mem.read_latency=100", "mem.bytes_per_cycle=32", "mem.max_outstanding=1000"});
    auto& init = b.init;
    const int n = 100;
    for (int i = 0; i < n; ++i) init.read(kBase + uint64_t(i) * 256, 256);
    sc_core::sc_start();
    ASSERT_EQ(init.results.size(), size_t(n));
    // 256 B = 8 cycles on the data port each: completions 8 ns apart.
    for (int i = 1; i < n; ++i) EXPECT_EQ(init.results[i].done - init.results[i - 1].done, sc_time(8, SC_NS));
    EXPECT_EQ(init.results.back().done, sc_time(n * 8 + 100, SC_NS));
    // The later requests waited for the data port: that is the queue delay.
    auto q = core::StatsRegistry::instance().find("mem.queue_delay")->to_json();
    EXPECT_EQ(q["count"], n);
    EXPECT_DOUBLE_EQ(q["max"].get<double>(), (n - 1) * 8.0);
}

TEST(Memory, MaxOutstandingDelaysEndReq) {
    Bench b({"mem.max_outstanding=2", "mem.read_latency=100", "mem.bytes_per_cycle=64"});
    auto& init = b.init;
    for (int i = 0; i < 4; ++i) init.read(kBase + uint64_t(i) * 64, 64);
    sc_core::sc_start();
    std::vector<sc_time> acc = init.accepted_times();
    ASSERT_EQ(acc.size(), 4u);
    EXPECT_EQ(acc[0], sc_core::SC_ZERO_TIME);
    EXPECT_EQ(acc[1], sc_core::SC_ZERO_TIME);
    EXPECT_EQ(acc[2], sc_time(101, SC_NS));  // waits until the first response is taken
    EXPECT_EQ(acc[3], sc_time(102, SC_NS));
    auto occ = core::StatsRegistry::instance().find("mem.occupancy")->to_json();
    EXPECT_EQ(occ["max"], 2);
}

TEST(Memory, OutOfRangeIsAddressError) {
    Bench b({"mem.size=4KiB"});
    auto& init = b.init;
    unsigned below = init.read(kBase - 64, 64);
    unsigned above = init.read(kBase + 4096, 64);
    unsigned straddle = init.read(kBase + 4096 - 32, 64);
    unsigned inside = init.read(kBase + 4096 - 64, 64);
    sc_core::sc_start();
    EXPECT_EQ(init.result(below).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(init.result(above).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(init.result(straddle).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(init.result(inside).status, tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(core::StatsRegistry::instance().find("mem.errors")->to_json(), 3);
}

TEST(Memory, BlockingTransportAddsLatency) {
    Bench b({"mem.read_latency=20", "mem.bytes_per_cycle=8"});
    auto& init = b.init;
    std::vector<unsigned char> buf(32, 0xab), back(32);
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    gp.set_address(kBase + 8);
    gp.set_data_ptr(buf.data());
    gp.set_data_length(32);
    gp.set_streaming_width(32);
    sc_time d = sc_core::SC_ZERO_TIME;
    init.port.socket->b_transport(gp, d);
    EXPECT_TRUE(gp.is_response_ok());
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_data_ptr(back.data());
    d = sc_core::SC_ZERO_TIME;
    init.port.socket->b_transport(gp, d);
    EXPECT_TRUE(gp.is_response_ok());
    EXPECT_EQ(d, sc_time(4 + 20, SC_NS));
    EXPECT_EQ(back, buf);
    gp.set_address(kBase - 8);
    init.port.socket->b_transport(gp, d);
    EXPECT_EQ(gp.get_response_status(), tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST(Memory, DebugTransportAndDmiShareTheStore) {
    Bench b({"mem.read_latency=7"});
    auto& init = b.init;
    tlm::tlm_generic_payload gp;
    unsigned char w[4] = {1, 2, 3, 4}, r[4] = {};
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    gp.set_address(kBase + 0x2010);
    gp.set_data_ptr(w);
    gp.set_data_length(4);
    EXPECT_EQ(init.port.socket->transport_dbg(gp), 4u);

    tlm::tlm_dmi dmi;
    gp.set_address(kBase + 0x2000);
    ASSERT_TRUE(init.port.socket->get_direct_mem_ptr(gp, dmi));
    EXPECT_LE(dmi.get_start_address(), kBase + 0x2000);
    EXPECT_GE(dmi.get_end_address(), kBase + 0x2fff);
    EXPECT_TRUE(dmi.is_read_write_allowed());
    EXPECT_EQ(dmi.get_read_latency(), sc_time(7, SC_NS));
    unsigned char* p = dmi.get_dmi_ptr() + (kBase + 0x2010 - dmi.get_start_address());
    EXPECT_EQ(p[2], 3);
    p[0] = 9;  // a DMI write is seen by debug reads
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(kBase + 0x2010);
    gp.set_data_ptr(r);
    EXPECT_EQ(init.port.socket->transport_dbg(gp), 4u);
    EXPECT_EQ(r[0], 9);
    EXPECT_EQ(r[3], 4);

    gp.set_address(kBase - 4);
    EXPECT_EQ(init.port.socket->transport_dbg(gp), 0u);
    EXPECT_FALSE(init.port.socket->get_direct_mem_ptr(gp, dmi));
}

TEST(Memory, DmiCanBeDisabled) {
    Bench b({"mem.dmi=false"});
    auto& init = b.init;
    tlm::tlm_generic_payload gp;
    tlm::tlm_dmi dmi;
    gp.set_address(kBase);
    EXPECT_FALSE(init.port.socket->get_direct_mem_ptr(gp, dmi));
}

TEST(Memory, ByteEnablesAndStreamingWidth) {
    Bench b({});
    auto& init = b.init;
    auto& mem = b.mem;
    std::vector<unsigned char> ones(8, 0x11);
    init.write(kBase, ones);
    sc_core::sc_start(sc_time(1, sc_core::SC_US));
    // The enable pattern {ff, 00} repeats: only even bytes are written.
    unsigned char data[8] = {0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa};
    unsigned char be[2] = {0xff, 0x00};
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    gp.set_address(kBase);
    gp.set_data_ptr(data);
    gp.set_data_length(8);
    gp.set_streaming_width(8);
    gp.set_byte_enable_ptr(be);
    gp.set_byte_enable_length(2);
    sc_time d;
    init.port.socket->b_transport(gp, d);
    ASSERT_TRUE(gp.is_response_ok());
    unsigned char out[8];
    mem.store().read(kBase, out, 8);
    for (int i = 0; i < 8; ++i) EXPECT_EQ(out[i], i % 2 ? 0x11 : 0xaa) << i;

    gp.set_byte_enable_ptr(nullptr);
    gp.set_streaming_width(4);  // streaming is not supported by a memory
    init.port.socket->b_transport(gp, d);
    EXPECT_EQ(gp.get_response_status(), tlm::TLM_BURST_ERROR_RESPONSE);
}

TEST(Memory, BadParametersAreInputErrors) {
    core::ParamRegistry::instance().apply_set("mem.bytes_per_cycle=0");
    EXPECT_THROW(mem::Memory("mem", defaults()), InputError);
}

TEST(Memory, SizeWrapIsAnInputError) {
    core::ParamRegistry::instance().apply_set("mem.base=0xffffffff00000000");
    core::ParamRegistry::instance().apply_set("mem.size=8GiB");
    EXPECT_THROW(mem::Memory("mem", defaults()), InputError);
}
