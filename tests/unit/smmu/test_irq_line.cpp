// The SMMU's wired interrupt outputs (models/smmu/tcu/irq_line.h): one process drives the
// signal, so no timing of assertions makes SystemC throw E115 (issue 19, item 1), and an
// assertion during a pulse gives the receiver a second edge.

#include <gtest/gtest.h>

#include <systemc>

#include "models/smmu/tcu/irq_line.h"

using namespace sc_core;
using smmusim::smmu::tcu::IrqLine;

namespace {

// Two threads assert the line: `a` at 0 and exactly one pulse width later (the delta in which
// the first pulse falls), `b` at that same instant too.
struct Harness : sc_module {
    SC_HAS_PROCESS(Harness);
    IrqLine irq{"irq", sc_time(4, SC_NS)};
    unsigned edges = 0;
    explicit Harness(sc_module_name n) : sc_module(n) {
        SC_THREAD(a);
        SC_THREAD(b);
        SC_METHOD(count);
        sensitive << irq.line.posedge_event();
        dont_initialize();
    }
    void a() {
        irq.pulse();
        wait(4, SC_NS);
        irq.pulse();
        wait(1, SC_NS);
        irq.pulse();  // while high: a new edge after the fall
    }
    void b() {
        wait(4, SC_NS);
        irq.pulse();
    }
    void count() { ++edges; }
};

TEST(IrqLine, PulsesAtTheFallingDeltaNeverThrowAndEachGivesAnEdge) {
    Harness h("h");
    EXPECT_NO_THROW(sc_start(sc_time(100, SC_NS)));
    EXPECT_EQ(h.irq.pulses(), 4u);
    // The pulse at 0, the two merged at 4 ns, and the one asserted while those were high.
    EXPECT_EQ(h.edges, 3u);
    EXPECT_FALSE(h.irq.line.read());
}

}  // namespace
