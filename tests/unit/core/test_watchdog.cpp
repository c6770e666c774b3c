// The host-time watchdog (models/core/watchdog.h, issue 19): a simulation whose time stops
// moving ends with a message naming what is stuck; one that moves is left alone.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <systemc>

#include "models/core/watchdog.h"

using namespace sc_core;

namespace {

struct ZeroTimeLoop : sc_module {
    SC_HAS_PROCESS(ZeroTimeLoop);
    sc_event e;
    explicit ZeroTimeLoop(sc_module_name n) : sc_module(n) {
        SC_METHOD(spin);
        sensitive << e;
    }
    void spin() { e.notify(SC_ZERO_TIME); }  // delta after delta, never a time step
};

struct Ticker : sc_module {
    SC_HAS_PROCESS(Ticker);
    explicit Ticker(sc_module_name n) : sc_module(n) { SC_THREAD(tick); }
    void tick() {
        // 1 ms of host time per simulated nanosecond: the run lasts longer than the watchdog's
        // limit, yet time never stays put for long.
        for (int i = 0; i < 600; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            wait(1, SC_NS);
        }
    }
};

TEST(HostWatchdog, StopsASimulationStuckInDeltaCycles) {
    EXPECT_EXIT(
        {
            ZeroTimeLoop l("loop");
            smmusim::core::HostWatchdog w(0.3);
            sc_start();
        },
        testing::ExitedWithCode(1), "simulated time has stayed at 0 s .*zero-time loop");
}

TEST(HostWatchdog, LeavesAMovingSimulationAlone) {
    Ticker t("ticker");
    smmusim::core::HostWatchdog w(0.3);
    sc_start();
    EXPECT_EQ(sc_time_stamp(), sc_time(600, SC_NS));
}

}  // namespace
