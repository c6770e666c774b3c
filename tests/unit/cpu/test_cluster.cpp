// The CPU cluster (issue 12): cores with their own ports and threads, atomics that stay
// atomic across cores in simulated time, exclusive monitors cleared by any agent's write,
// WFE woken by SEV, the event stream, a monitored write or a timeout, interrupts to one core,
// and the names of a one-core cluster.

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "tests/unit/cpu/cluster_bench.h"

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

// CPU-only data (Bus::cpu_private) lives in the cores' caches: after its first touch (a
// memory read) a core's accesses to a line it holds cost cluster.cached_cycles and reach no
// memory; another core's access pays one transfer (cluster.atomic_cycles); values stay right.
TEST(Cluster, PrivateLinesAreCacheHitsAfterTheFirstTouch) {
    Bench b({"cpus=2", "cluster.atomic_cycles=1000", "cluster.cached_cycles=4", "cluster.event_stream=0 s"});
    b.bus.cpu_private(kY, 64);
    double first = 0, ten = 0, moved = 0;
    uint64_t reads_before = 0, reads_after = 0;
    b.cluster.start(0, "main", [&] {
        double t = b.now_ns();
        b.bus.atomic(kY, 8, sw::hal::Bus::AtomicOp::Add, 1);
        first = b.now_ns() - t;
        reads_before = b.cluster.core(0).reads_made();
        t = b.now_ns();
        for (int k = 0; k < 10; ++k) {
            b.bus.atomic(kY, 8, sw::hal::Bus::AtomicOp::Add, 1);
            b.bus.store64(kY + 8, b.bus.load64(kY + 8) + 1);
        }
        ten = b.now_ns() - t;
        reads_after = b.cluster.core(0).reads_made();
    });
    b.cluster.start(1, "main", [&] {
        b.bus.work(100000);  // 50 us: after core 0
        const double t = b.now_ns();
        b.bus.atomic(kY, 8, sw::hal::Bus::AtomicOp::Add, 1);
        moved = b.now_ns() - t;
    });
    sc_core::sc_start();
    EXPECT_EQ(b.value(kY), 12u);
    EXPECT_EQ(b.value(kY + 8), 10u);
    EXPECT_GT(first, 50.0);                 // a memory read through the interconnect
    EXPECT_EQ(reads_after, reads_before);   // hits: no memory access
    EXPECT_DOUBLE_EQ(ten, 30 * 4 * 0.5);    // 30 hits of 4 cycles at 2 GHz
    EXPECT_DOUBLE_EQ(moved, 1000 * 0.5);    // one transfer from core 0
}

// A store to a private line by one core wakes another core waiting for it to change, and a
// lock word there works as a lock across cores.
TEST(Cluster, APrivateStoreWakesTheWaiter) {
    Bench b({"cpus=2", "cluster.event_stream=0 s"});
    b.bus.cpu_private(kY, 64);
    uint64_t got = 0;
    int waits = 0;
    b.cluster.start(0, "waiter", [&] {
        uint64_t v;
        while ((v = b.bus.wait_for_change(kY, 8, 0, 0)) == 0) ++waits;
        got = v;
    });
    b.cluster.start(1, "writer", [&] {
        b.bus.work(20000);
        b.bus.store64(kY, 9);
    });
    sc_core::sc_start();
    EXPECT_EQ(got, 9u);
    EXPECT_EQ(waits, 1);
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

TEST(Cluster, AConnectedEventSignalIsAnSevToEveryCore) {
    // The platform connects the SMMU's event signal (IDR0.SEV) this way.
    Bench b({"cpus=2", "cluster.event_stream=0 s"});
    sc_core::sc_event smmu_sev;
    b.cluster.connect_sev(smmu_sev);
    double woke[2] = {0, 0};
    for (unsigned i = 0; i < 2; ++i)
        b.cluster.start(i, "sleeper", [&, i] {
            b.bus.wfe(0);
            woke[i] = b.now_ns();
        });
    sc_core::sc_spawn([&] {
        sc_core::wait(2, SC_US);
        smmu_sev.notify(sc_core::SC_ZERO_TIME);
    });
    sc_core::sc_start();
    EXPECT_DOUBLE_EQ(woke[0], 2000.0);
    EXPECT_DOUBLE_EQ(woke[1], 2000.0);
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

TEST(Cluster, WaitingTakesTimeEvenWhileMemoryIsUntimed) {
    // Boot-time setup runs with untimed memory; a wait for another agent must still let
    // simulated time pass (or a polling loop would never see the device move).
    Bench b({"cpus=2", "cluster.event_stream=0 s"});
    double t = 0;
    b.cluster.start(0, "main", [&] {
        b.bus.set_untimed(true);
        b.bus.wait_for_change(kX, 8, 0, 1000);  // 500 ns
        t = b.now_ns();
        b.bus.set_untimed(false);
    });
    sc_core::sc_start();
    EXPECT_DOUBLE_EQ(t, 500.0);
}
