// The CPU cluster (issue 12): cores with their own ports and threads, atomics that stay
// atomic across cores in simulated time, exclusive monitors cleared by any agent's write,
// WFE woken by SEV, the event stream, a monitored write or a timeout, interrupts to one core,
// and the names of a one-core cluster.

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "models/core/blocking_port.h"
#include "models/cpu/cluster.h"
#include "models/mem/memory.h"
#include "models/noc/interconnect.h"
#include "sw/hal/timed_bus.h"
#include "tests/common/presets.h"

using namespace smmusim;
using sc_core::sc_time;
using sc_core::SC_NS;
using sc_core::SC_US;

namespace {

constexpr uint64_t kBase = 0x80000000ull;
constexpr uint64_t kX = kBase + 0x1000;  // a shared variable
constexpr uint64_t kY = kBase + 0x2000;

std::vector<std::string> ports(const cpu::Cluster& c) {
    std::vector<std::string> v;
    for (unsigned i = 0; i < c.size(); ++i) v.push_back(c.core(i).basename());
    v.emplace_back("dev");
    return v;
}

// Another initiator on the interconnect (a device's DMA, the SMMU's MSI writes).
struct Device : sc_core::sc_module {
    core::BlockingPort port{"port"};
    explicit Device(sc_core::sc_module_name n) : sc_module(n) {}
};

// `cpus` cores and a device ("dev", another initiator) on an interconnect in front of DRAM,
// whose writes reach the cluster's monitors. CPU clock 0.5 ns (2 GHz), memory and NoC 1 ns.
struct Bench {
    test::Presets presets;
    cpu::Cluster cluster;
    mem::Memory dram{"dram", {kBase, uint64_t(1) << 20}};
    Device dev{"dev"};
    noc::Interconnect noc;
    sw::hal::TimedBus bus{cluster};

    explicit Bench(const std::vector<std::string>& sets)
        : presets(sets), noc("noc", ports(cluster), {noc::AddressRange{"dram", kBase, uint64_t(1) << 20}}) {
        for (unsigned i = 0; i < cluster.size(); ++i)
            cluster.core(i).port.socket().bind(noc.initiator_socket(cluster.core(i).basename()));
        dev.port.socket().bind(noc.initiator_socket("dev"));
        noc.target_socket("dram").bind(dram.port.socket);
        dram.set_write_observer([this](uint64_t a, uint64_t n) { cluster.memory_written(a, n); });
    }
    uint64_t value(uint64_t pa) {
        uint64_t v = 0;
        dram.store().read(pa, reinterpret_cast<unsigned char*>(&v), 8);
        return v;
    }
    double now_ns() const { return sc_core::sc_time_stamp().to_seconds() * 1e9; }
};

}  // namespace

TEST(Cluster, OneCoreKeepsTheNameCpu) {
    Bench b({});
    ASSERT_EQ(b.cluster.size(), 1u);
    EXPECT_EQ(std::string(b.cluster.core(0).name()), "cpu");
    EXPECT_EQ(b.bus.cpus(), 1u);
}

TEST(Cluster, CoresAreNumberedAndEachThreadKnowsItsCore) {
    Bench b({"cpus=3"});
    ASSERT_EQ(b.cluster.size(), 3u);
    EXPECT_EQ(std::string(b.cluster.core(0).name()), "cpu0");
    EXPECT_EQ(std::string(b.cluster.core(2).name()), "cpu2");
    std::vector<unsigned> seen(3, 99);
    for (unsigned i = 0; i < 3; ++i)
        b.cluster.start(i, "main", [&, i] {
            b.bus.work(10 * (3 - i));
            seen[i] = b.bus.cpu();
            b.bus.load64(kX);  // through this core's own port
        });
    sc_core::sc_start();
    EXPECT_EQ(seen, (std::vector<unsigned>{0, 1, 2}));
    EXPECT_TRUE(b.cluster.finished());
    for (unsigned i = 0; i < 3; ++i) EXPECT_EQ(b.cluster.core(i).port.reads(), 1u);
    EXPECT_EQ(b.bus.cpus(), 3u);
}

TEST(Cluster, AtomicsAreAtomicAcrossFourCores) {
    Bench b({"cpus=4", "cluster.event_stream=0 s"});
    constexpr int kEach = 50;
    for (unsigned i = 0; i < 4; ++i)
        b.cluster.start(i, "main", [&] {
            for (int k = 0; k < kEach; ++k) {
                b.bus.atomic(kX, 8, sw::hal::Bus::AtomicOp::Add, 1);
                b.bus.work(3);
            }
        });
    sc_core::sc_start();
    EXPECT_EQ(b.value(kX), 4u * kEach);
    EXPECT_EQ(b.cluster.failure(), "");
}

TEST(Cluster, ContendedCasLoopsLoseNoIncrementAndPayForTheLine) {
    Bench b({"cpus=4"});
    constexpr int kEach = 30;
    int failed = 0;
    for (unsigned i = 0; i < 4; ++i)
        b.cluster.start(i, "main", [&] {
            for (int k = 0; k < kEach; ++k) {
                uint64_t old = b.bus.load64(kY);
                for (;;) {
                    const uint64_t seen = b.bus.cas64(kY, old, old + 1);
                    if (seen == old) break;
                    ++failed;
                    old = seen;
                }
            }
        });
    sc_core::sc_start();
    EXPECT_EQ(b.value(kY), 4u * kEach);
    EXPECT_GT(failed, 0);  // the cores did contend
}

TEST(Cluster, AtomicsOnOneLineSerializeAndPayTheTransfer) {
    // Two cores, one atomic each at the same time on one line: the second waits for the first
    // and then for the line to move (cluster.atomic_cycles).
    Bench b({"cpus=2", "cluster.atomic_cycles=1000"});
    double done[2] = {0, 0};
    for (unsigned i = 0; i < 2; ++i)
        b.cluster.start(i, "main", [&, i] {
            b.bus.atomic(kX, 8, sw::hal::Bus::AtomicOp::Swap, 7 + i);
            done[i] = b.now_ns();
        });
    sc_core::sc_start();
    // Core 0 first (asked first); core 1's atomic starts after it and after 1000 cycles (500 ns).
    EXPECT_LT(done[0], done[1]);
    EXPECT_GE(done[1] - done[0], 500.0);
    EXPECT_EQ(b.value(kX), 8u);
}

TEST(Cluster, AStoreByAnotherCoreWakesWaitForChange) {
    Bench b({"cpus=2", "cluster.event_stream=0 s"});
    double woke = 0, stored = 0;
    uint64_t got = 0;
    int waits = 0;
    b.cluster.start(0, "waiter", [&] {
        uint64_t v;
        while ((v = b.bus.wait_for_change(kX, 8, 0, 0)) == 0) ++waits;
        got = v;
        woke = b.now_ns();
    });
    b.cluster.start(1, "writer", [&] {
        b.bus.work(20000);  // 10 us
        b.bus.store64(kX, 5);
        b.bus.barrier();
        stored = b.now_ns();
    });
    sc_core::sc_start();
    EXPECT_EQ(got, 5u);
    EXPECT_EQ(waits, 1);  // slept once, woken by the store (not before)
    EXPECT_GE(woke, 10000.0);
    EXPECT_LT(woke, stored + 1000.0);
}

TEST(Cluster, ADeviceWriteToTheLineWakesTheWaiter) {
    Bench b({"cpus=2", "cluster.event_stream=0 s"});
    double woke = 0;
    b.cluster.start(1, "waiter", [&] {
        while (b.bus.wait_for_change(kX + 8, 4, 0, 0) == 0) {
        }
        woke = b.now_ns();
    });
    sc_core::sc_spawn([&] {
        sc_core::wait(5, SC_US);
        const uint32_t one = 1;
        // An MSI-like 32-bit write elsewhere in the same line clears the monitor too.
        b.dev.port.write(kX + 8, &one, 4);
    });
    sc_core::sc_start();
    EXPECT_GE(woke, 5000.0);
    EXPECT_LT(woke, 6000.0);
    EXPECT_GE(b.cluster.core(1).port.reads(), 2u);
}

TEST(Cluster, AWriteToAnotherLineDoesNotWake) {
    Bench b({"cpus=2", "cluster.event_stream=0 s"});
    bool woke_early = false;
    b.cluster.start(0, "waiter", [&] {
        b.bus.wait_for_change(kX, 8, 0, 20000);  // 10 us timeout
        woke_early = b.now_ns() < 9999.0;
    });
    b.cluster.start(1, "writer", [&] {
        b.bus.work(2000);
        b.bus.store64(kX + 64, 1);  // the next line
        b.bus.barrier();
    });
    sc_core::sc_start();
    EXPECT_FALSE(woke_early);
}

TEST(Cluster, WaitForChangeTimesOut) {
    Bench b({"cpus=2", "cluster.event_stream=0 s"});
    double t = 0;
    uint64_t v = 99;
    b.cluster.start(0, "main", [&] {
        v = b.bus.wait_for_change(kX, 8, 0, 4000);
        t = b.now_ns();
    });
    sc_core::sc_start();
    EXPECT_EQ(v, 0u);
    EXPECT_GE(t, 2000.0);  // 4000 cycles of 0.5 ns from the start of the WFE
    EXPECT_LT(t, 2500.0);
    EXPECT_FALSE(b.cluster.monitoring(0));
}

TEST(Cluster, SevWakesEveryCoreInWfe) {
    Bench b({"cpus=4", "cluster.event_stream=0 s"});
    double woke[3] = {0, 0, 0};
    for (unsigned i = 0; i < 3; ++i)
        b.cluster.start(i, "sleeper", [&, i] {
            b.bus.wfe(0);
            woke[i] = b.now_ns();
        });
    b.cluster.start(3, "sender", [&] {
        b.bus.work(6000);  // 3 us
        b.bus.sev();
    });
    sc_core::sc_start();
    for (double w : woke) EXPECT_DOUBLE_EQ(w, 3000.0);
}

TEST(Cluster, AnEventBeforeWfeMakesItReturnAtOnce) {
    Bench b({"cpus=2", "cluster.event_stream=0 s"});
    double first = -1, second = -1;
    b.cluster.start(0, "main", [&] {
        b.bus.work(2000);  // 1 us: core 1 has sent its SEV
        b.bus.wfe(0);      // the event register is set: returns at once, clearing it
        first = b.now_ns();
        b.bus.wfe(1000);   // nothing more: times out after 500 ns
        second = b.now_ns();
    });
    b.cluster.start(1, "sender", [&] { b.bus.sev(); });
    sc_core::sc_start();
    EXPECT_DOUBLE_EQ(first, 1000.0);
    EXPECT_DOUBLE_EQ(second, 1500.0);
}

TEST(Cluster, TheEventStreamWakesWfe) {
    Bench b({"cpus=2", "cluster.event_stream=10 us"});
    double t1 = 0, t2 = 0;
    b.cluster.start(0, "main", [&] {
        b.bus.wfe(0);
        t1 = b.now_ns();
        b.bus.wfe(0);
        t2 = b.now_ns();
    });
    sc_core::sc_start(sc_time(100, SC_US));
    EXPECT_DOUBLE_EQ(t1, 10000.0);
    EXPECT_DOUBLE_EQ(t2, 20000.0);
}

TEST(Cluster, InterruptsGoToTheChosenCore) {
    Bench b({"cpus=4", "cluster.irq_cpu=2", "cluster.event_stream=0 s"});
    sc_core::sc_signal<bool> line{"line"};
    b.cluster.connect_irq(0, line);
    uint32_t on2 = 0, on0 = 99;
    double wfe_woke = 0;
    b.cluster.start(2, "irq", [&] { on2 = b.bus.wait_irq(1u, 0); });
    b.cluster.start(2, "sleeper", [&] {
        b.bus.wfe(0);  // an interrupt to this core is a wake-up event
        wfe_woke = b.now_ns();
    });
    b.cluster.start(0, "other", [&] { on0 = b.bus.wait_irq(1u, 10000); });
    sc_core::sc_spawn([&] {
        sc_core::wait(1, SC_US);
        line.write(true);
    });
    sc_core::sc_start();
    EXPECT_EQ(on2, 1u);
    EXPECT_EQ(on0, 0u);  // core 0 never sees it
    EXPECT_DOUBLE_EQ(wfe_woke, 1000.0);
}

TEST(Cluster, AFailureOnOneCoreEndsTheRunAndIsReported) {
    Bench b({"cpus=2"});
    b.cluster.start(0, "main", [&] { b.bus.wfe(0); });
    b.cluster.start(1, "main", [&] {
        b.bus.work(10);
        throw std::runtime_error("core 1 went wrong");
    });
    sc_core::sc_start();
    EXPECT_EQ(b.cluster.failure(), "main: core 1 went wrong");
    EXPECT_TRUE(b.cluster.failure_exception());
}

TEST(Cluster, IrqCpuMustBeACore) {
    EXPECT_THROW(Bench({"cpus=2", "cluster.irq_cpu=2"}), std::exception);
}
