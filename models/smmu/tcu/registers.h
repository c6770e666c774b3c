#pragma once
// The SMMU's programming interface, pages 0 and 1 (reference §1): ID registers from the
// features, control registers with their write guards, queue pointers, MSI configuration.
// Accesses are 32-bit, or 64-bit at an 8-byte aligned offset (a 64-bit register, or two
// adjacent 32-bit ones); other sizes or alignments are refused. Updates with an architected
// delay (CR0, IRQ_CTRL, GBPA) are completed by the TCU through the hooks.

#include <cstdint>
#include <functional>
#include <vector>

#include "models/smmu/features.h"

namespace smmusim::smmu::tcu {

// One enhanced command queue's registers (ECMDQ_BASE/PROD/CONS, reference §3.5.6).
struct EcmdqRegs {
    uint64_t base = 0;
    uint32_t prod = 0, cons = 0;
    bool en() const { return prod >> 31; }
    bool enack() const { return cons >> 31; }
    // ERRACK != ERR after an error: the queue consumes nothing (§3.5.6.3).
    bool error_pending() const { return ((prod ^ cons) >> 23) & 1; }
};

struct RegState {
    uint32_t cr0 = 0, cr0ack = 0, cr1 = 0, cr2 = 0;
    uint32_t gbpa = 0;
    uint32_t irq_ctrl = 0, irq_ctrlack = 0;
    uint32_t gerror = 0, gerrorn = 0;
    uint64_t gerror_irq_cfg0 = 0;
    uint32_t gerror_irq_cfg1 = 0, gerror_irq_cfg2 = 0;
    uint64_t strtab_base = 0;
    uint32_t strtab_base_cfg = 0;
    uint64_t cmdq_base = 0;
    uint32_t cmdq_prod = 0, cmdq_cons = 0;
    uint64_t eventq_base = 0;
    uint32_t eventq_prod = 0, eventq_cons = 0;
    uint64_t eventq_irq_cfg0 = 0;
    uint32_t eventq_irq_cfg1 = 0, eventq_irq_cfg2 = 0;
    std::vector<EcmdqRegs> ecmdq;  // Features::ecmdqs of them

    // Effective (acknowledged) enables.
    bool smmuen() const { return cr0ack & 1u; }
    bool eventqen() const { return cr0ack & 4u; }
    bool cmdqen() const { return cr0ack & 8u; }
    // GERROR bit `b` is active while GERROR and GERRORN differ in it (reference §1.7).
    bool gerror_active(uint32_t b) const { return (gerror ^ gerrorn) & b; }
};

class RegisterFile {
public:
    struct Hooks {
        std::function<void()> cr0_written;
        std::function<void()> irq_ctrl_written;
        std::function<void()> gbpa_written;
        std::function<void()> gerrorn_written;
        std::function<void()> cmdq_prod_written;
        std::function<void()> eventq_cons_written;
        // ECMDQ_PROD of queue i written (EN may have changed).
        std::function<void(unsigned)> ecmdq_prod_written;
    };

    RegisterFile(const Features& f, uint32_t gbpa_reset, Hooks hooks);

    bool read(uint32_t offset, unsigned len, uint64_t& value) const;
    bool write(uint32_t offset, unsigned len, uint64_t value);

    RegState& state() { return s_; }
    const RegState& state() const { return s_; }

private:
    uint32_t read32(uint32_t offset) const;
    void write32(uint32_t offset, uint32_t value);
    // The Command queue control page registers in page 0 and the ECMDQ page (ecmdq_registers.cpp).
    uint32_t read_ecmdq(uint32_t offset) const;
    void write_ecmdq(uint32_t offset, uint32_t value);
    // Which ECMDQ an offset in the ECMDQ page is in, and the offset within its registers;
    // false for the page's RES0 space.
    bool ecmdq_at(uint32_t offset, unsigned& q, uint32_t& within) const;
    static void set_half(uint64_t& reg, uint32_t offset, uint32_t value, uint64_t mask);
    bool smmuen_any() const { return (s_.cr0 | s_.cr0ack) & 1u; }
    bool cmdqen_any() const { return (s_.cr0 | s_.cr0ack) & 8u; }
    bool eventqen_any() const { return (s_.cr0 | s_.cr0ack) & 4u; }
    bool ecmdq_any() const;  // some ECMDQ has EN or ENACK set

    Features f_;
    Hooks hooks_;
    RegState s_;
    uint64_t pa_mask_;  // address bits below OAS
    uint32_t region_;   // Features::region_size()
};

}  // namespace smmusim::smmu::tcu
