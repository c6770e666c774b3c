#pragma once
// Lazy (non-strict) unmap as Linux's dma-iommu does it (drivers/iommu/dma-iommu.c, 5.17 on:
// iommu_dma_init_fq, queue_iova, fq_flush_iotlb, fq_ring_free, fq_flush_timeout). An unmapped
// IOVA range is not invalidated at once: it waits in a flush queue (a ring) until a
// whole-domain IOTLB flush covers it, and only after that flush has *completed* is it given
// back to the IOVA allocator, so a device can never reach memory through a freed IOVA that a
// new mapping reuses.
//
//   - Per-CPU queues (the default; IOMMU_DMA_OPTS_PER_CPU_QUEUE, IOVA_DEFAULT_FQ_SIZE 256,
//     IOVA_DEFAULT_FQ_TIMEOUT 10 ms) or one queue shared by every CPU
//     (IOMMU_DMA_OPTS_SINGLE_QUEUE, IOVA_SINGLE_FQ_SIZE 32768, IOVA_SINGLE_FQ_TIMEOUT 1000 ms;
//     Linux uses it for IOMMUs whose flushes shadow, e.g. virtualised ones). Each queue has
//     its own spinlock; a ring of N entries holds N-1 (fq_full).
//   - Two counters per domain: fq_flush_start_cnt before each flush, fq_flush_finish_cnt
//     after it. An entry records start_cnt when queued and is freed once finish_cnt has
//     passed it: a flush already running on another CPU when the entry was queued does not
//     count, since it may have invalidated before the entry's page-table update.
//   - queue_iova frees what finished flushes cover, flushes when its ring is full, and arms
//     the domain's one timer (fq_timer_on) if it is not armed; the timer flushes and frees
//     every queue.

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "sw/hal/bus.h"
#include "sw/hal/spinlock.h"

namespace smmusim::sw::driver {

enum class FqQueues { PerCpu, Single };

// Linux's values (dma-iommu.c iommu_dma_init_options).
constexpr unsigned linux_fq_entries(FqQueues q) { return q == FqQueues::Single ? 32768 : 256; }
constexpr unsigned linux_fq_timeout_ms(FqQueues q) { return q == FqQueues::Single ? 1000 : 10; }

struct FqStats {
    uint64_t queued = 0;
    uint64_t flushes = 0;       // fq_flush_iotlb: whole-domain invalidations
    uint64_t full_flushes = 0;  // of which a full ring asked for
    uint64_t timeouts = 0;      // of which the timer did
    uint64_t freed = 0;         // entries given back to the IOVA allocator
    hal::LockStats locks;
};

class FlushQueue {
public:
    struct Config {
        FqQueues queues = FqQueues::PerCpu;
        unsigned entries = 256;        // a power of two
        uint64_t timeout = 20000000;   // cycles (10 ms at 2 GHz)
        const uint64_t* entry_cycles;  // CPU work per entry queued or freed
        const uint64_t* lock_cycles;   // an uncontended spin_lock_irqsave + unlock
    };
    // What the queue does to the domain: its whole-domain IOTLB flush, waited for
    // (flush_iotlb_all: TLBI + CMD_SYNC), giving an IOVA range back, and a report of each
    // flush with the entries it freed at once.
    struct Client {
        std::function<void()> flush_iotlb_all;
        std::function<void(uint64_t iova, uint64_t size)> free_iova;
        std::function<void(uint64_t freed, bool timeout)> flushed;
    };

    // How many lock words the queues need on `cpus` CPUs.
    static unsigned queues(FqQueues q, unsigned cpus) { return q == FqQueues::Single ? 1 : cpus; }

    FlushQueue(hal::Bus& bus, const Config& cfg, Client client, hal::LockWords locks);

    // queue_iova: on the calling CPU's queue (or the single one).
    void queue(uint64_t iova, uint64_t size);
    // The timer: fires (fq_flush_timeout) if armed and due; true if it did.
    bool run_timer();
    // The cycle the armed timer is due (0: not armed).
    uint64_t deadline() const { return timer_on_ ? deadline_ : 0; }
    // End of a run: what the timer would do, now, if anything is queued.
    void drain();

    bool empty() const;
    const FqStats& stats() const { return stats_; }

private:
    struct Entry {
        uint64_t iova = 0, size = 0, counter = 0;
    };
    struct Ring {
        Ring(hal::Bus& bus, const uint64_t& cycles, uint64_t pa, hal::LockStats* s, unsigned n)
            : lock(bus, cycles, pa, s), entries(n) {}
        hal::SpinLock lock;
        unsigned head = 0, tail = 0;
        std::vector<Entry> entries;
    };
    bool full(const Ring& r) const { return ((r.tail + 1) & mask_) == r.head; }
    uint64_t ring_free_locked(Ring& r);
    void flush_iotlb();
    void timeout(bool by_timer);

    hal::Bus& bus_;
    Config cfg_;
    Client client_;
    unsigned mask_;
    std::vector<std::unique_ptr<Ring>> rings_;
    uint64_t start_cnt_ = 0, finish_cnt_ = 0;  // atomic64 in Linux; see flush_iotlb
    bool timer_on_ = false;
    uint64_t deadline_ = 0;
    FqStats stats_;
};

}  // namespace smmusim::sw::driver
