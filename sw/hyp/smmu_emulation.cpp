#include "sw/hyp/smmu_emulation.h"

#include "models/smmu/arch/regs.h"

namespace smmusim::sw::hyp {

using namespace smmu::arch;

SmmuEmulation::SmmuEmulation(hal::Bus& bus, uint64_t regs, driver::SmmuDriver& drv,
                             const std::vector<uint32_t>& host_sids, const EmulationConfig& cfg)
    : bus_(bus), regs_(regs), stes_(bus, drv, host_sids), cmdq_(bus, drv, stes_, host_sids, cfg) {
    cmdq_.on_error = [this] { cmdq_error(); };
}

void SmmuEmulation::start(ShadowS2& shadow) {
    stes_.attach_shadow(shadow);
    cmdq_.attach_shadow(shadow);
    for (unsigned i = 0; i < 6; ++i) idr_[i] = bus_.read32(regs_ + reg::IDR0 + 4 * i);
    // No ATS for the host either: its STEs' EATS are cleared in the shadow and its ATC_INVs
    // refused, so an ATS-capable host driver must not see IDR0.ATS.
    idr_[0] &= ~uint32_t(idr0::S2P::mask | idr0::HYP::mask | idr0::MSI::mask | idr0::ATS::mask);
    // No ECMDQs for the host: only the main queue is emulated (and IDR1.ECMDQ needs IDR0.MSI).
    idr_[1] &= ~uint32_t(idr1::ECMDQ::mask);
    iidr_ = bus_.read32(regs_ + reg::IIDR);
    aidr_ = bus_.read32(regs_ + reg::AIDR);
}

// An illegal command: GERROR.CMDQ_ERR toggles (active while it differs from GERRORN).
void SmmuEmulation::cmdq_error() {
    if (!((gerror_ ^ gerrorn_) & gerror::CMDQ_ERR)) gerror_ ^= gerror::CMDQ_ERR;
    if (get<irq_ctrl::GERROR_IRQEN>(irq_ctrl_)) pending_irqs_ |= hal::IRQ_GERROR;
}

uint32_t SmmuEmulation::take_irqs() {
    const uint32_t v = pending_irqs_;
    pending_irqs_ = 0;
    return v;
}

uint64_t SmmuEmulation::trap_read(uint32_t off, unsigned) {
    if (off >= reg::IDR0 && off <= reg::IDR5 && off % 4 == 0) return idr_[(off - reg::IDR0) / 4];
    switch (off) {
    case reg::IIDR: return iidr_;
    case reg::AIDR: return aidr_;
    case reg::CR0:
    case reg::CR0ACK: return cr0_;
    case reg::CR1: return cr1_;
    case reg::CR2: return cr2_;
    case reg::GBPA: return gbpa_;  // updates complete at once: Update reads as 0
    case reg::IRQ_CTRL:
    case reg::IRQ_CTRLACK: return irq_ctrl_;
    case reg::GERROR: return gerror_;
    case reg::GERRORN: return gerrorn_;
    case reg::STRTAB_BASE: return stes_.base();
    case reg::STRTAB_BASE_CFG: return stes_.cfg();
    case reg::CMDQ_BASE: return cmdq_.base();
    case reg::CMDQ_PROD: return cmdq_.prod();
    case reg::CMDQ_CONS: return cmdq_.cons();
    case reg::EVENTQ_BASE: return evtq_base_;
    case reg::EVENTQ_PROD: return evtq_prod_;
    case reg::EVENTQ_CONS: return evtq_cons_;
    default: return 0;
    }
}

void SmmuEmulation::trap_write(uint32_t off, uint64_t v, unsigned) {
    const uint32_t w = uint32_t(v);
    switch (off) {
    case reg::CR0:
        cr0_ = w & cr0::kWritable;
        cmdq_.set_enabled(get<cr0::CMDQEN>(cr0_));
        stes_.set_enabled(get<cr0::SMMUEN>(cr0_));
        break;
    case reg::CR1: cr1_ = w; break;
    case reg::CR2: cr2_ = w; break;
    case reg::GBPA: gbpa_ = w & ~uint32_t(gbpa::Update::mask); break;
    case reg::IRQ_CTRL: irq_ctrl_ = w & 7u; break;
    case reg::GERRORN:
        gerrorn_ = w;
        if (!((gerror_ ^ gerrorn_) & gerror::CMDQ_ERR)) cmdq_.resume();
        break;
    case reg::STRTAB_BASE: stes_.set_base(v); break;
    case reg::STRTAB_BASE_CFG: stes_.set_cfg(w); break;
    case reg::CMDQ_BASE: cmdq_.set_base(v); break;
    case reg::CMDQ_PROD: cmdq_.write_prod(w); break;
    case reg::CMDQ_CONS: cmdq_.write_cons(w); break;
    case reg::EVENTQ_BASE: evtq_base_ = v; break;
    case reg::EVENTQ_PROD: evtq_prod_ = w; break;
    case reg::EVENTQ_CONS: evtq_cons_ = w; break;
    default: break;
    }
}

}  // namespace smmusim::sw::hyp
