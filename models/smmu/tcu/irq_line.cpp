#include "models/smmu/tcu/irq_line.h"

#include "models/core/sim_time.h"

namespace smmusim::smmu::tcu {

IrqLine::IrqLine(sc_core::sc_module_name name, sc_core::sc_time width)
    : sc_module(name), line("line", false), width_(width) {
    SC_METHOD(drive);
    sensitive << drive_;
    dont_initialize();
}

void IrqLine::pulse() {
    ++pulses_;
    pending_ = true;
    // A delta notification overrides a pending timed one; drive() re-arms the fall.
    drive_.notify(sc_core::SC_ZERO_TIME);
}

void IrqLine::drive() {
    const sc_core::sc_time now = core::now();
    if (line.read()) {
        if (now < fall_at_) {
            drive_.notify(fall_at_ - now);
            return;
        }
        line.write(false);
        trace_.set(0);
        if (pending_) drive_.notify(sc_core::SC_ZERO_TIME);  // rise again: a new edge
        return;
    }
    if (!pending_) return;
    pending_ = false;
    line.write(true);
    trace_.set(1);
    fall_at_ = now + width_;
    drive_.notify(width_);
}

}  // namespace smmusim::smmu::tcu
