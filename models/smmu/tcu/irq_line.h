#pragma once
// A wired interrupt output: an sc_signal<bool> pulsed high for `width` on each assertion
// (edge-triggered, as the SMMU's SPIs are usually configured), with a pulse count and a
// VCD trace of the line.
//
// Only one process ever writes the signal (`drive`): pulse() just records the request. Two
// processes writing one sc_signal in the same delta is SystemC error E115 even with
// SC_MANY_WRITERS, and a TCU thread pulsing exactly when the previous pulse falls did that
// (issue 19). An assertion while the line is high is not lost: the line falls at the end of
// the current pulse and rises again one delta later, so the receiver sees a second edge.

#include <systemc>

#include "models/core/stats.h"
#include "models/core/vcd.h"

namespace smmusim::smmu::tcu {

class IrqLine : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(IrqLine);
    IrqLine(sc_core::sc_module_name name, sc_core::sc_time width);

    // Pulsed by whichever TCU process raises the interrupt; an interrupt controller waits on
    // its posedge.
    sc_core::sc_signal<bool> line;
    void pulse();
    uint64_t pulses() const { return pulses_.value(); }

private:
    void drive();

    sc_core::sc_time width_;
    sc_core::sc_time fall_at_;
    sc_core::sc_event drive_;
    bool pending_ = false;
    core::Counter pulses_{this, "pulses", "assertions of this interrupt line"};
    core::TraceSignal trace_{this, "level", 1};
};

}  // namespace smmusim::smmu::tcu
