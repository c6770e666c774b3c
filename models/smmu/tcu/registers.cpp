#include "models/smmu/tcu/registers.h"

#include <algorithm>

#include "models/smmu/arch/regs.h"

namespace smmusim::smmu::tcu {

using namespace arch;

namespace {
constexpr uint64_t bits(unsigned hi, unsigned lo) {
    return (hi == 63 ? ~uint64_t(0) : (uint64_t(1) << (hi + 1)) - 1) & ~((uint64_t(1) << lo) - 1);
}
constexpr uint32_t kQueuePtr = queue_ptr::kIndexAndWrapMask;
constexpr uint32_t kOvflg = 1u << 31;
}  // namespace

RegisterFile::RegisterFile(const Features& f, uint32_t gbpa_reset, Hooks hooks)
    : f_(f), hooks_(std::move(hooks)), pa_mask_((uint64_t(1) << f.oas_bits()) - 1), region_(f.region_size()) {
    s_.gbpa = gbpa_reset & ~(1u << 31);
    s_.ecmdq.resize(f.ecmdqs);
}

bool RegisterFile::read(uint32_t offset, unsigned len, uint64_t& value) const {
    if ((len != 4 && len != 8) || offset % len || offset >= region_) return false;
    value = read32(offset);
    if (len == 8) value |= uint64_t(read32(offset + 4)) << 32;
    return true;
}

bool RegisterFile::write(uint32_t offset, unsigned len, uint64_t value) {
    if ((len != 4 && len != 8) || offset % len || offset >= region_) return false;
    write32(offset, uint32_t(value));
    if (len == 8) write32(offset + 4, uint32_t(value >> 32));
    return true;
}

uint32_t RegisterFile::read32(uint32_t off) const {
    auto lo = [](uint64_t r) { return uint32_t(r); };
    auto hi = [](uint64_t r) { return uint32_t(r >> 32); };
    if (f_.ecmdqs && (off >= reg::ECMDQ_PAGE || off == reg::IDR6 ||
                      (off >= reg::CMDQ_CONTROL_PAGE_BASE && off < reg::CMDQ_CONTROL_PAGE_BASE + 0x2000)))
        return read_ecmdq(off);
    switch (off) {
    case reg::IDR0: return f_.idr0();
    case reg::IDR1: return f_.idr1();
    case reg::IDR3: return f_.idr3();
    case reg::IDR5: return f_.idr5();
    case reg::IIDR: return f_.iidr();
    case reg::AIDR: return f_.aidr();
    case reg::CR0: return s_.cr0;
    case reg::CR0ACK: return s_.cr0ack;
    case reg::CR1: return s_.cr1;
    case reg::CR2: return s_.cr2;
    case reg::GBPA: return s_.gbpa;
    case reg::IRQ_CTRL: return s_.irq_ctrl;
    case reg::IRQ_CTRLACK: return s_.irq_ctrlack;
    case reg::GERROR: return s_.gerror;
    case reg::GERRORN: return s_.gerrorn;
    case reg::GERROR_IRQ_CFG0: return lo(s_.gerror_irq_cfg0);
    case reg::GERROR_IRQ_CFG0 + 4: return hi(s_.gerror_irq_cfg0);
    case reg::GERROR_IRQ_CFG1: return s_.gerror_irq_cfg1;
    case reg::GERROR_IRQ_CFG2: return s_.gerror_irq_cfg2;
    case reg::STRTAB_BASE: return lo(s_.strtab_base);
    case reg::STRTAB_BASE + 4: return hi(s_.strtab_base);
    case reg::STRTAB_BASE_CFG: return s_.strtab_base_cfg;
    case reg::CMDQ_BASE: return lo(s_.cmdq_base);
    case reg::CMDQ_BASE + 4: return hi(s_.cmdq_base);
    case reg::CMDQ_PROD: return s_.cmdq_prod;
    case reg::CMDQ_CONS: return s_.cmdq_cons;
    case reg::EVENTQ_BASE: return lo(s_.eventq_base);
    case reg::EVENTQ_BASE + 4: return hi(s_.eventq_base);
    case reg::EVENTQ_IRQ_CFG0: return lo(s_.eventq_irq_cfg0);
    case reg::EVENTQ_IRQ_CFG0 + 4: return hi(s_.eventq_irq_cfg0);
    case reg::EVENTQ_IRQ_CFG1: return s_.eventq_irq_cfg1;
    case reg::EVENTQ_IRQ_CFG2: return s_.eventq_irq_cfg2;
    case reg::EVENTQ_PROD: {
        // Bits [19:LOG2SIZE+1] of the SMMU's PROD read as zero (§7.2).
        const unsigned n = std::min<unsigned>(unsigned(get<queue_base::LOG2SIZE>(s_.eventq_base)), f_.eventqs);
        return s_.eventq_prod & (((2u << n) - 1) | (1u << 31));
    }
    case reg::EVENTQ_CONS: return s_.eventq_cons;
    default: return 0;  // IDR2/IDR4, STATUSR, AGBPA, PRI (not implemented) and RES0 space
    }
}

void RegisterFile::set_half(uint64_t& reg, uint32_t offset, uint32_t value, uint64_t mask) {
    uint64_t v = offset & 4 ? (reg & 0xFFFFFFFFull) | (uint64_t(value) << 32)
                            : (reg & ~0xFFFFFFFFull) | value;
    reg = v & mask;
}

void RegisterFile::write32(uint32_t off, uint32_t v) {
    const uint64_t irq_addr_mask = bits(55, 2) & pa_mask_;
    if (off >= reg::ECMDQ_PAGE) return write_ecmdq(off, v);
    switch (off) {
    case reg::CR0:
        // PRIQEN and VMW are RES0 (no PRI, no VMID wildcards); ATSCHK is RES0 without IDR0.ATS.
        s_.cr0 = v & (f_.ats ? 0x1Du : 0xDu);
        hooks_.cr0_written();
        return;
    case reg::CR1: {
        // TABLE_* only while SMMUEN=0, QUEUE_* only while every queue is disabled (§1.5), an
        // enabled ECMDQ included (§3.5.6.1).
        uint32_t writable =
            (smmuen_any() ? 0u : 0xFC0u) | (cmdqen_any() || eventqen_any() || ecmdq_any() ? 0u : 0x3Fu);
        s_.cr1 = (s_.cr1 & ~writable) | (v & writable);
        return;
    }
    case reg::CR2:
        // E2H needs HYP; PTM is RES0 without broadcast TLB maintenance (IDR0.BTM = 0).
        if (!smmuen_any()) s_.cr2 = v & ((f_.hyp ? 0x3u : 0x2u) | (f_.btm ? 0x4u : 0u));
        return;
    case reg::GBPA:
        // Only a write with Update=1, and none while an update is pending (v3.2, §1.6).
        if ((s_.gbpa >> 31) || !(v >> 31)) return;
        s_.gbpa = v & 0x801F3F1Fu;
        hooks_.gbpa_written();
        return;
    case reg::IRQ_CTRL:
        s_.irq_ctrl = v & 0x5u;  // PRIQ_IRQEN is RES0 without PRI
        hooks_.irq_ctrl_written();
        return;
    case reg::GERRORN:
        s_.gerrorn = v & (gerror::kImplemented | (f_.ecmdqs ? gerror::CMDQP_ERR : 0));
        hooks_.gerrorn_written();
        return;
    case reg::STRTAB_BASE:
    case reg::STRTAB_BASE + 4:
        if (!smmuen_any()) set_half(s_.strtab_base, off, v, (bits(55, 6) & pa_mask_) | bits(62, 62));
        return;
    case reg::STRTAB_BASE_CFG:
        if (!smmuen_any()) s_.strtab_base_cfg = v & 0x307FFu;
        return;
    case reg::CMDQ_BASE:
    case reg::CMDQ_BASE + 4:
        if (!cmdqen_any())
            set_half(s_.cmdq_base, off, v, (bits(55, 5) & pa_mask_) | bits(62, 62) | bits(4, 0));
        return;
    case reg::CMDQ_PROD:
        s_.cmdq_prod = v & kQueuePtr;
        hooks_.cmdq_prod_written();
        return;
    case reg::CMDQ_CONS:
        // Writable only while the queue is disabled; ERR is the SMMU's.
        if (!cmdqen_any()) s_.cmdq_cons = (s_.cmdq_cons & ~kQueuePtr) | (v & kQueuePtr);
        return;
    case reg::EVENTQ_BASE:
    case reg::EVENTQ_BASE + 4:
        if (!eventqen_any())
            set_half(s_.eventq_base, off, v, (bits(55, 5) & pa_mask_) | bits(62, 62) | bits(4, 0));
        return;
    case reg::EVENTQ_PROD:
        if (!eventqen_any()) s_.eventq_prod = v & (kQueuePtr | kOvflg);
        return;
    case reg::EVENTQ_CONS:
        s_.eventq_cons = v & (kQueuePtr | kOvflg);
        hooks_.eventq_cons_written();
        return;
    default:
        break;
    }
    if (!f_.msi) return;  // the MSI configuration registers are RES0 without MSI
    // Each source's MSI configuration is writable only while its IRQEN is 0 in IRQ_CTRL and
    // IRQ_CTRLACK (v3.2: otherwise ignored).
    const uint32_t irqen = s_.irq_ctrl | s_.irq_ctrlack;
    const bool gerror_cfg_ok = !(irqen & 1u), eventq_cfg_ok = !(irqen & 4u);
    switch (off) {
    case reg::GERROR_IRQ_CFG0:
    case reg::GERROR_IRQ_CFG0 + 4:
        if (gerror_cfg_ok) set_half(s_.gerror_irq_cfg0, off, v, irq_addr_mask);
        return;
    case reg::GERROR_IRQ_CFG1:
        if (gerror_cfg_ok) s_.gerror_irq_cfg1 = v;
        return;
    case reg::GERROR_IRQ_CFG2:
        if (gerror_cfg_ok) s_.gerror_irq_cfg2 = v & 0x3Fu;
        return;
    case reg::EVENTQ_IRQ_CFG0:
    case reg::EVENTQ_IRQ_CFG0 + 4:
        if (eventq_cfg_ok) set_half(s_.eventq_irq_cfg0, off, v, irq_addr_mask);
        return;
    case reg::EVENTQ_IRQ_CFG1:
        if (eventq_cfg_ok) s_.eventq_irq_cfg1 = v;
        return;
    case reg::EVENTQ_IRQ_CFG2:
        if (eventq_cfg_ok) s_.eventq_irq_cfg2 = v & 0x3Fu;
        return;
    default: return;  // read-only or RES0
    }
}

}  // namespace smmusim::smmu::tcu
