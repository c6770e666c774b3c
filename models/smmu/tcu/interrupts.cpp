#include "models/smmu/tcu/interrupts.h"

#include "models/smmu/arch/regs.h"

namespace smmusim::smmu::tcu {

using namespace arch;

Interrupts::Interrupts(sc_core::sc_module& owner, RegState& regs, const Features& f,
                       core::BlockingPort& mem, const sc_core::sc_time& pulse_width)
    : gerror_irq("gerror_irq", pulse_width),
      eventq_irq("eventq_irq", pulse_width),
      cmdq_sync_irq("cmdq_sync_irq", pulse_width),
      regs_(regs),
      f_(f),
      mem_(mem),
      msis_(&owner, "msi_writes", "MSI writes issued (GERROR, event queue, CMD_SYNC)"),
      msi_aborts_(&owner, "msi_aborts", "MSI writes that got an error response"),
      sevs_(&owner, "sevs", "WFE wake-up events sent (IDR0.SEV: CMD_SYNC with SIG_SEV, command queue non-full)") {}

void Interrupts::sev() {
    if (!f_.sev) return;
    ++sevs_;
    sev_event.notify(sc_core::SC_ZERO_TIME);
}

bool Interrupts::msi_write(uint64_t addr, uint32_t data) {
    ++msis_;
    unsigned char bytes[4] = {uint8_t(data), uint8_t(data >> 8), uint8_t(data >> 16), uint8_t(data >> 24)};
    bool ok = mem_.write(addr, bytes, 4) == tlm::TLM_OK_RESPONSE;
    if (!ok) ++msi_aborts_;
    return ok;
}

void Interrupts::gerror(uint32_t bit) {
    if (regs_.gerror_active(bit)) return;  // one activation until software acknowledges it
    regs_.gerror ^= bit;
    // An aborted GERROR MSI is recorded but does not interrupt again (§6.3.16).
    if (bit == gerror::MSI_GERROR_ABT_ERR) return;
    if (!get<irq_ctrl::GERROR_IRQEN>(regs_.irq_ctrlack)) return;
    const uint64_t addr = irq_cfg::ADDR::address(regs_.gerror_irq_cfg0);
    if (f_.msi && addr) {
        if (!msi_write(addr, regs_.gerror_irq_cfg1)) gerror(gerror::MSI_GERROR_ABT_ERR);
    } else {
        gerror_irq.pulse();
    }
}

void Interrupts::eventq() {
    if (!get<irq_ctrl::EVENTQ_IRQEN>(regs_.irq_ctrlack)) return;
    const uint64_t addr = irq_cfg::ADDR::address(regs_.eventq_irq_cfg0);
    if (f_.msi && addr) {
        if (!msi_write(addr, regs_.eventq_irq_cfg1)) gerror(gerror::MSI_EVENTQ_ABT_ERR);
    } else {
        eventq_irq.pulse();
    }
}

bool Interrupts::cmd_sync(uint64_t msi_addr, uint32_t msi_data) {
    // The wired cmdq-sync line pulses on every CS=SIG_IRQ completion; it has no enable (§4.7.3).
    cmdq_sync_irq.pulse();
    if (!f_.msi || !msi_addr) return true;
    // The whole MSIAddress field decides whether there is an MSI; the write goes to the
    // address truncated to OAS (§4.7.3).
    if (msi_write(msi_addr & ((uint64_t(1) << f_.oas_bits()) - 1), msi_data)) return true;
    gerror(gerror::MSI_CMDQ_ABT_ERR);
    return false;
}

}  // namespace smmusim::smmu::tcu
