#pragma once
// Interrupt delivery: GERROR activation (toggle protocol, reference §1.7 and §9.6), the
// event-queue and CMD_SYNC interrupts, each as an MSI (a 32-bit memory write, when
// IDR0.MSI and the address is non-zero) or a pulse on the wired line. Called from TCU
// threads, because an MSI is a timed write.

#include <cstdint>

#include "models/core/blocking_port.h"
#include "models/core/stats.h"
#include "models/smmu/features.h"
#include "models/smmu/tcu/irq_line.h"
#include "models/smmu/tcu/registers.h"

namespace smmusim::smmu::tcu {

class Interrupts {
public:
    Interrupts(sc_core::sc_module& owner, RegState& regs, const Features& f, core::BlockingPort& mem,
               const sc_core::sc_time& pulse_width);

    // Activates GERROR bit `bit` unless already active, and signals the GERROR interrupt.
    void gerror(uint32_t bit);
    // The event queue went from empty to non-empty.
    void eventq();
    // CMD_SYNC completion with CS=SIG_IRQ; false if its MSI write was aborted.
    bool cmd_sync(uint64_t msi_addr, uint32_t msi_data);
    // A WFE wake-up event to the PEs when IDR0.SEV (CMD_SYNC with CS=SIG_SEV, the command
    // queue becoming non-full); nothing otherwise (SIG_SEV is then SIG_NONE, §4.7.3).
    void sev();

    IrqLine gerror_irq, eventq_irq, cmdq_sync_irq;
    // Notified for each WFE wake-up event: the system's event signal to the PEs (the platform
    // connects it to the CPU cluster).
    sc_core::sc_event sev_event;

private:
    bool msi_write(uint64_t addr, uint32_t data);

    RegState& regs_;
    Features f_;
    core::BlockingPort& mem_;
    core::Counter msis_;
    core::Counter msi_aborts_;
    core::Counter sevs_;
};

}  // namespace smmusim::smmu::tcu
