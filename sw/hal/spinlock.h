#pragma once
// A spinlock of the software (Linux spin_lock_irqsave / spin_unlock_irqrestore), as arm64
// takes one: an atomic compare-and-swap on a word in normal memory, and while another CPU
// holds it, WFE on the word's line until the holder's store-release wakes the waiter
// (Bus::wait_for_change). The lock word lives in simulated memory only when there is more
// than one CPU to contend for it (`pa` non-zero); on one CPU a lock is never contended and
// costs only `cycles` (its uncontended cost: masking interrupts, an L1-resident exclusive
// pair, a store-release), which it also costs on many.

#include <cstdint>

#include "sw/hal/bus.h"
#include "sw/hal/page_alloc.h"

namespace smmusim::sw::hal {

struct LockStats {
    uint64_t acquires = 0, contended = 0, spin_cycles = 0;
};

class SpinLock {
public:
    // `cycles` is read at every acquire (a parameter the owner may change); `pa` 0: no
    // memory word (one CPU), else a 4-byte-aligned word holding 0 (free) or 1 (held).
    SpinLock(Bus& bus, const uint64_t& cycles, uint64_t pa = 0, LockStats* stats = nullptr)
        : bus_(bus), cycles_(cycles), pa_(pa), stats_(stats) {}

    void lock() {
        bus_.work(cycles_);
        if (stats_) ++stats_->acquires;
        if (!pa_) return;
        if (bus_.cas32(pa_, 0, 1) == 0) return;
        const uint64_t start = bus_.now();
        if (stats_) ++stats_->contended;
        while (bus_.cas32(pa_, 0, 1) != 0) bus_.wait_for_change(pa_, 4, 1, 0);
        if (stats_) stats_->spin_cycles += bus_.now() - start;
    }
    void unlock() {
        if (!pa_) return;
        bus_.dmb();  // release: the critical section's accesses before the store
        bus_.atomic(pa_, 4, Bus::AtomicOp::Swap, 0);
    }
    uint64_t address() const { return pa_; }

private:
    Bus& bus_;
    const uint64_t& cycles_;
    uint64_t pa_;
    LockStats* stats_;
};

// Holds a SpinLock for a scope.
class LockGuard {
public:
    explicit LockGuard(SpinLock& l) : l_(l) { l_.lock(); }
    ~LockGuard() { l_.unlock(); }
    LockGuard(const LockGuard&) = delete;
    LockGuard& operator=(const LockGuard&) = delete;

private:
    SpinLock& l_;
};

// Lock words for `n` locks, one 64-byte line each (Linux aligns per-CPU data to lines so
// that CPUs do not false-share): none on one CPU (every address 0).
class LockWords {
public:
    static constexpr uint64_t kLine = 64;
    LockWords() = default;
    // `base` 0: none; else `n` lines from `base`, zeroed by the caller.
    explicit LockWords(uint64_t base) : base_(base) {}
    uint64_t at(unsigned i) const { return base_ ? base_ + uint64_t(i) * kLine : 0; }
    static uint64_t bytes(unsigned n) { return uint64_t(n) * kLine; }

private:
    uint64_t base_ = 0;
};

// Zeroed lock words for `n` locks from `mem` when the bus has more than one CPU; else none.
inline LockWords alloc_lock_words(Bus& bus, PageAllocator* mem, unsigned n) {
    if (bus.cpus() <= 1 || !mem) return {};
    const uint64_t bytes = LockWords::bytes(n), pa = mem->alloc(bytes);
    bus.fill(pa, 0, bytes);
    return LockWords(pa);
}

}  // namespace smmusim::sw::hal
