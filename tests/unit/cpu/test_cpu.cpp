// The CPU model in isolation: software threads, timed accesses through its port (and the
// timed bus's split into cache lines), CPU work, edge-triggered interrupts with timeouts, and
// a software failure stopping the simulation instead of crashing it.

#include <gtest/gtest.h>

#include <stdexcept>

#include "models/cpu/cluster.h"
#include "sw/hal/timed_bus.h"
#include "tests/common/presets.h"
#include "tests/common/recording_target.h"

using namespace smmusim;
using sc_core::sc_time;
using sc_core::SC_NS;

namespace {
struct Bench {
    test::Presets presets{{"cpu.clock=1ns"}};
    cpu::Cluster cluster;  // one core, named cpu
    cpu::Cpu& cpu{cluster.core(0)};
    test::RecordingTarget mem{"mem"};
    sc_core::sc_signal<bool> line{"line"};
    sw::hal::TimedBus bus{cluster};
    Bench() {
        cpu.port.socket().bind(mem.port.socket);
        cpu.connect_irq(2, line);
    }
};
}  // namespace

TEST(Cpu, StoresArePostedInLinesAndARegisterWriteWaitsForThem) {
    Bench b;
    uint64_t t_stored = 99, t_after = 0;
    b.cpu.start("main", [&] {
        uint8_t buf[200] = {};
        b.bus.write(0x1030, buf, sizeof buf);  // 0x1030..0x10F7: lines at 0x1030(16), 0x1040, 0x1080, 0x10C0(56)
        t_stored = b.bus.now();                 // posted: the CPU went on at once
        b.bus.write32(0x2000, 5);               // waits for the stores, then its own response
        b.bus.work(100);
        t_after = b.bus.now();
    });
    sc_core::sc_start();
    ASSERT_EQ(b.mem.seen.size(), 5u);
    EXPECT_EQ(b.mem.seen[0].addr, 0x1030u);
    EXPECT_EQ(b.mem.seen[0].len, 16u);
    EXPECT_EQ(b.mem.seen[1].addr, 0x1040u);
    EXPECT_EQ(b.mem.seen[3].len, 200u - 16 - 128);
    EXPECT_EQ(b.mem.seen[4].len, 4u);
    EXPECT_EQ(t_stored, 0u);
    // The register write left only once the stores were answered (10 ns target latency).
    EXPECT_GE(b.mem.seen[4].at, b.mem.seen[3].at + sc_time(10, SC_NS));
    EXPECT_EQ(t_after, 10u + 10u + 100u);
    EXPECT_TRUE(b.cpu.finished());
    EXPECT_EQ(b.cpu.failure(), "");
}

TEST(Cpu, WriteBufferLimitsPostedStores) {
    Bench b;
    b.mem.latency = sc_time(100, SC_NS);
    uint64_t t = 0;
    b.cpu.start("main", [&] {
        uint64_t v = 0;
        for (int i = 0; i < 20; ++i) b.bus.store64(0x1000 + 64 * i, v);  // 16 in flight, then waits
        t = b.bus.now();
    });
    sc_core::sc_start();
    EXPECT_EQ(t, 100u);  // the 17th store waited for the first to finish
}

TEST(Cpu, InterruptsAreEdgesTakenOnceAndWaitsTimeOut) {
    Bench b;
    uint32_t first = 99, second = 99, third = 99;
    uint64_t t_first = 0;
    sc_core::sc_spawn([&] {
        sc_core::wait(50, SC_NS);
        b.line.write(true);
        sc_core::wait(5, SC_NS);
        b.line.write(false);
    });
    b.cpu.start("main", [&] {
        first = b.bus.wait_irq(sw::hal::IRQ_CMDQ_SYNC, 0);
        t_first = b.bus.now();
        second = b.bus.wait_irq(sw::hal::IRQ_CMDQ_SYNC, 30);  // nothing pending: times out
        third = b.bus.wait_irq(sw::hal::IRQ_EVENTQ, 10);
    });
    sc_core::sc_start();
    EXPECT_EQ(first, sw::hal::IRQ_CMDQ_SYNC);
    EXPECT_EQ(t_first, 50u);
    EXPECT_EQ(second, 0u);
    EXPECT_EQ(third, 0u);
    EXPECT_EQ(sc_core::sc_time_stamp(), sc_time(90, SC_NS));
}

TEST(Cpu, ASoftwareFailureStopsTheRunAndIsKept) {
    Bench b;
    b.mem.latency = sc_time(10, SC_NS);
    b.cpu.start("main", [&] {
        b.bus.work(10);
        throw std::runtime_error("scenario step 3 went wrong");
    });
    b.cpu.start("idle", [&] { b.bus.wait_irq(sw::hal::IRQ_EVENTQ, 0); }, false);
    sc_core::sc_start();
    EXPECT_EQ(b.cpu.failure(), "main: scenario step 3 went wrong");
    ASSERT_TRUE(b.cpu.failure_exception());
    EXPECT_THROW(std::rethrow_exception(b.cpu.failure_exception()), std::runtime_error);
}

TEST(Cpu, AnErrorResponseIsABusError) {
    Bench b;
    std::string what;
    b.mem.respond_error = true;
    b.cpu.start("main", [&] {
        try {
            b.bus.read32(0x100);
        } catch (const sw::hal::BusError& e) {
            what = e.what();
        }
    });
    sc_core::sc_start();
    EXPECT_EQ(what, "read of 4 bytes at 0x100 answered with an error");
}
