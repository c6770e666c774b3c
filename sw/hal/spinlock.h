#pragma once
// A spinlock of the software (Linux spin_lock_irqsave / spin_unlock_irqrestore). Linux's
// spinlock on arm64 is a queued spinlock (qspinlock, since 4.18): CPUs get the lock in the
// order they asked for it, each handed the lock by its predecessor. The model keeps that order
// with arm64's earlier ticket lock, which is FIFO too: one atomic add (LDADDA) takes a ticket
// from the word's `next` half; while the `owner` half is not that ticket the CPU waits with
// WFE on the word's line (Bus::wait_for_change) until the holder's store-release of owner+1
// (STLRH). (qspinlock waiters spin on their own MCS node instead of the one line: the order and
// the hand-off are the same, the line traffic of many waiters is lower.) An unfair
// test-and-set lock would let a CPU that just released win again and starve others.
// The lock word lives in simulated memory only when there is more than one CPU to contend for
// it (`pa` non-zero); on one CPU a lock is never contended and costs only `cycles` (its
// uncontended cost: masking interrupts, an L1-resident atomic, a store-release), which it
// also costs on many.

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
    // memory word (one CPU), else a 4-byte-aligned zeroed word: owner in bits [15:0], next
    // ticket in [31:16] (free when they are equal).
    SpinLock(Bus& bus, const uint64_t& cycles, uint64_t pa = 0, LockStats* stats = nullptr)
        : bus_(bus), cycles_(cycles), pa_(pa), stats_(stats) {}

    void lock() {
        bus_.work(cycles_);
        if (stats_) ++stats_->acquires;
        if (!pa_) return;
        const uint32_t old = uint32_t(bus_.atomic(pa_, 4, Bus::AtomicOp::Add, uint32_t(1) << 16));
        const uint16_t mine = uint16_t(old >> 16);
        uint32_t v = old;
        if (uint16_t(v) != mine) {
            const uint64_t start = bus_.now();
            if (stats_) ++stats_->contended;
            while (uint16_t(v) != mine) {
                bus_.wait_for_change(pa_, 4, v, 0);
                v = bus_.load32(pa_);
            }
            if (stats_) stats_->spin_cycles += bus_.now() - start;
        }
        ticket_ = mine;  // only the holder reads it, at unlock
    }
    void unlock() {
        if (!pa_) return;
        bus_.dmb();  // release: the critical section's accesses before the store
        const uint16_t owner = uint16_t(ticket_ + 1);
        bus_.write(pa_, &owner, sizeof owner);  // the owner half (little-endian: the low bytes)
    }
    uint64_t address() const { return pa_; }
    // What a lock word says: held (a ticket is being served) or free (owner == next).
    static bool free_word(uint32_t w) { return uint16_t(w) == uint16_t(w >> 16); }
    static bool held_word(uint32_t w) { return uint16_t(uint16_t(w >> 16) - uint16_t(w)) == 1; }

private:
    Bus& bus_;
    const uint64_t& cycles_;
    uint64_t pa_;
    LockStats* stats_;
    uint16_t ticket_ = 0;  // the holder's ticket
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
    bus.cpu_private(pa, bytes);  // no device touches a lock: it lives in the CPUs' caches
    return LockWords(pa);
}

}  // namespace smmusim::sw::hal
