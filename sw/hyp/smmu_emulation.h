#pragma once
// The SMMU the host sees under trap-and-emulate (the posted pKVM SMMUv3 series): every host
// access to the register frame traps here (TrappedBus). The hypervisor shows:
//   ID registers   the real ones, with IDR0.S2P (stage 2 is the hypervisor's), IDR0.HYP and
//                  IDR0.MSI (the host's CMD_SYNCs are completed by polling, see
//                  CmdqEmulation) cleared
//   CR0/CR0ACK, IRQ_CTRL/ACK, GBPA   kept for the host and acknowledged at once; the real
//                  SMMU stays as the hypervisor set it (host SMMUEN only switches its STEs
//                  between GBPA bypass, the shadow alone, and what its table says)
//   STRTAB_BASE(_CFG)   the host's table, read by SteShadow on CFGI_STE
//   CMDQ_*         the host's queue, emulated by CmdqEmulation
//   GERROR/GERRORN the host's own: CMDQ_ERR when a refused command stops its queue; a
//                  virtual GERROR interrupt if the host enabled it
//   EVENTQ_*       the host's event queue stays empty: event records are the hypervisor's
// Everything else reads as zero and ignores writes.

#include <cstdint>
#include <vector>

#include "sw/driver/smmu_driver.h"
#include "sw/hal/bus.h"
#include "sw/hyp/cmdq_emulation.h"
#include "sw/hyp/ste_shadow.h"
#include "sw/hyp/trapped_bus.h"

namespace smmusim::sw::hyp {

class SmmuEmulation : public MmioTrap {
public:
    // `bus` is the hypervisor's (it reads the real ID registers at `regs` and host memory).
    SmmuEmulation(hal::Bus& bus, uint64_t regs, driver::SmmuDriver& drv, const std::vector<uint32_t>& host_sids,
                  const EmulationConfig& cfg);

    // Once the hypervisor has built the shadow and enabled the SMMU.
    void start(ShadowS2& shadow);

    uint64_t trap_read(uint32_t offset, unsigned bytes) override;
    void trap_write(uint32_t offset, uint64_t value, unsigned bytes) override;
    uint32_t take_irqs() override;

    const CmdqEmulation& cmdq() const { return cmdq_; }
    const SteShadow& stes() const { return stes_; }
    uint32_t host_idr0() const { return idr_[0]; }

private:
    void cmdq_error();

    hal::Bus& bus_;
    uint64_t regs_;
    SteShadow stes_;
    CmdqEmulation cmdq_;
    uint32_t idr_[6] = {}, iidr_ = 0, aidr_ = 0;
    uint32_t cr0_ = 0, cr1_ = 0, cr2_ = 0, gbpa_ = 0, irq_ctrl_ = 0, gerror_ = 0, gerrorn_ = 0;
    uint32_t evtq_prod_ = 0, evtq_cons_ = 0;
    uint64_t evtq_base_ = 0;
    uint32_t pending_irqs_ = 0;
};

}  // namespace smmusim::sw::hyp
