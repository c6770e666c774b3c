#pragma once
// A wired interrupt output: an sc_signal<bool> pulsed high for `width` on each assertion
// (edge-triggered, as the SMMU's SPIs are usually configured), with a pulse count and a
// VCD trace of the line.

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
    sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS> line;
    void pulse();
    uint64_t pulses() const { return pulses_.value(); }

private:
    void fall();

    sc_core::sc_time width_;
    sc_core::sc_event fall_;
    core::Counter pulses_{this, "pulses", "assertions of this interrupt line"};
    core::TraceSignal trace_{this, "level", 1};
};

}  // namespace smmusim::smmu::tcu
