#pragma once
// Circular-queue PROD/CONS arithmetic (reference §7.2): bits [n-1:0] index, bit [n] wrap,
// n = LOG2SIZE. Empty: index and wrap equal; full: index equal, wrap different.

#include <cstdint>

namespace smmusim::smmu::arch {

class QueueIndex {
public:
    explicit QueueIndex(unsigned log2size) : n_(log2size) {}

    unsigned log2size() const { return n_; }
    uint32_t entries() const { return 1u << n_; }
    // The index and wrap bits of a PROD/CONS value; other bits (ERR, OVFLG) dropped.
    uint32_t pos(uint32_t reg) const { return reg & ((2u << n_) - 1); }
    uint32_t index(uint32_t reg) const { return reg & (entries() - 1); }
    bool wrap(uint32_t reg) const { return (reg >> n_) & 1; }
    bool empty(uint32_t prod, uint32_t cons) const { return pos(prod) == pos(cons); }
    bool full(uint32_t prod, uint32_t cons) const {
        return index(prod) == index(cons) && wrap(prod) != wrap(cons);
    }
    // Entries between CONS and PROD.
    uint32_t used(uint32_t prod, uint32_t cons) const {
        return (pos(prod) - pos(cons)) & ((2u << n_) - 1);
    }
    // The next position, wrapping (the returned value holds only index and wrap bits).
    uint32_t next(uint32_t reg) const { return (pos(reg) + 1) & ((2u << n_) - 1); }

private:
    unsigned n_;
};

}  // namespace smmusim::smmu::arch
