#include "models/smmu/tcu/irq_line.h"

namespace smmusim::smmu::tcu {

IrqLine::IrqLine(sc_core::sc_module_name name, sc_core::sc_time width)
    : sc_module(name), line("line", false), width_(width) {
    SC_METHOD(fall);
    sensitive << fall_;
    dont_initialize();
}

void IrqLine::pulse() {
    ++pulses_;
    line.write(true);
    trace_.set(1);
    fall_.notify(width_);
}

void IrqLine::fall() {
    line.write(false);
    trace_.set(0);
}

}  // namespace smmusim::smmu::tcu
