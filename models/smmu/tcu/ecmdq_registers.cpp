// The enhanced command queues' registers (reference §3.5.6, §6.2.5, §6.3.45-51, §6.3.107-109):
// IDR6 and the Command queue control page registers in page 0, and each ECMDQ's BASE, PROD
// and CONS in the control page. This model has one control page of Features::ecmdqs queues
// spaced 64 KiB >> IDR6.LOG2NUMQ apart, in registers (PRESET = 1).

#include "models/smmu/arch/regs.h"
#include "models/smmu/tcu/registers.h"

namespace smmusim::smmu::tcu {

using namespace arch;

namespace {
// ECMDQ_BASE: RA, ADDR[55:5] below OAS, LOG2SIZE (as CMDQ_BASE).
uint64_t base_mask(uint64_t pa_mask) {
    const uint64_t addr = ~uint64_t(0) << 5 & ((uint64_t(1) << 56) - 1);
    return (addr & pa_mask) | (uint64_t(1) << 62) | 0x1F;
}
}  // namespace

bool RegisterFile::ecmdq_any() const {
    for (const EcmdqRegs& q : s_.ecmdq)
        if (q.en() || q.enack()) return true;
    return false;
}

bool RegisterFile::ecmdq_at(uint32_t offset, unsigned& q, uint32_t& within) const {
    if (!f_.ecmdqs || offset < reg::ECMDQ_PAGE || offset >= reg::ECMDQ_PAGE + reg::ECMDQ_PAGE_SIZE) return false;
    const uint32_t stride = reg::ECMDQ_PAGE_SIZE / f_.ecmdqs;
    q = (offset - reg::ECMDQ_PAGE) / stride;
    within = (offset - reg::ECMDQ_PAGE) % stride;
    return within < 0x10;  // BASE (8 bytes), PROD, CONS; the rest of each slice is RES0
}

uint32_t RegisterFile::read_ecmdq(uint32_t off) const {
    if (off == reg::IDR6) return f_.idr6();
    if (off < reg::ECMDQ_PAGE) {
        // Control page 0 only (IDR6.LOG2NUMP = 0); the registers of pages 1-255 are RES0.
        const uint64_t cp = put<cmdq_cp_base::ADDR>(put<cmdq_cp_base::CMDQGS>(put<cmdq_cp_base::PRESET>(0, 1),
                                                                              cmdq_cp_base::CMDQGS_64K),
                                                    reg::ECMDQ_PAGE >> 16);
        switch (off) {
        case reg::CMDQ_CONTROL_PAGE_BASE: return uint32_t(cp);
        case reg::CMDQ_CONTROL_PAGE_BASE + 4: return uint32_t(cp >> 32);
        case reg::CMDQ_CONTROL_PAGE_CFG:     // EN: RES1
        case reg::CMDQ_CONTROL_PAGE_STATUS:  // ENACK: RES1
            return 1;
        default: return 0;
        }
    }
    unsigned q;
    uint32_t w;
    if (!ecmdq_at(off, q, w)) return 0;
    const EcmdqRegs& e = s_.ecmdq[q];
    switch (w) {
    case reg::ECMDQ_BASE: return uint32_t(e.base);
    case reg::ECMDQ_BASE + 4: return uint32_t(e.base >> 32);
    case reg::ECMDQ_PROD: return e.prod;
    case reg::ECMDQ_CONS: return e.cons;
    default: return 0;
    }
}

void RegisterFile::write_ecmdq(uint32_t off, uint32_t v) {
    unsigned q;
    uint32_t w;
    if (!ecmdq_at(off, q, w)) return;  // RES0
    EcmdqRegs& e = s_.ecmdq[q];
    // BASE and CONS are writable only while the queue is disabled (EN == ENACK == 0); PROD
    // while EN == ENACK, i.e. not during an enable or disable (§6.3.107-109). Otherwise RO.
    const bool disabled = !e.en() && !e.enack();
    switch (w) {
    case reg::ECMDQ_BASE:
    case reg::ECMDQ_BASE + 4:
        if (disabled) set_half(e.base, w, v, base_mask(pa_mask_));
        return;
    case reg::ECMDQ_PROD:
        if (e.en() != e.enack()) return;
        e.prod = v & ecmdq::kProdWritable;
        if (hooks_.ecmdq_prod_written) hooks_.ecmdq_prod_written(q);
        return;
    case reg::ECMDQ_CONS:
        // RD only: ERR, ERR_REASON and ENACK are the SMMU's.
        if (disabled) e.cons = (e.cons & ~queue_ptr::kIndexAndWrapMask) | (v & queue_ptr::kIndexAndWrapMask);
        return;
    default: return;
    }
}

}  // namespace smmusim::smmu::tcu
