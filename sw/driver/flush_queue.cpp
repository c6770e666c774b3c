#include "sw/driver/flush_queue.h"

#include <stdexcept>

namespace smmusim::sw::driver {

FlushQueue::FlushQueue(hal::Bus& bus, const Config& cfg, Client client, hal::LockWords locks)
    : bus_(bus), cfg_(cfg), client_(std::move(client)), mask_(cfg.entries - 1) {
    if (cfg.entries < 2 || (cfg.entries & (cfg.entries - 1)))
        throw std::invalid_argument("flush queue entries must be a power of two of at least 2");
    const unsigned n = queues(cfg.queues, bus.cpus());
    rings_.reserve(n);
    for (unsigned i = 0; i < n; ++i)
        rings_.push_back(std::make_unique<Ring>(bus, *cfg.lock_cycles, locks.at(i), &stats_.locks, cfg.entries));
}

bool FlushQueue::empty() const {
    for (const auto& r : rings_)
        if (r->head != r->tail) return false;
    return true;
}

// fq_ring_free_locked: the entries, oldest first, that a completed flush covers.
uint64_t FlushQueue::ring_free_locked(Ring& r) {
    const uint64_t done = finish_cnt_;
    uint64_t n = 0;
    for (; r.head != r.tail; r.head = (r.head + 1) & mask_) {
        const Entry& e = r.entries[r.head];
        if (e.counter >= done) break;
        bus_.work(*cfg_.entry_cycles);
        client_.free_iova(e.iova, e.size);
        ++n;
    }
    stats_.freed += n;
    return n;
}

// fq_flush_iotlb. The counters are atomic64 in Linux; the software threads of the model
// run one at a time between simulated waits, so plain updates here are atomic, and the
// flush's own wait (CMD_SYNC) lies between the two, as in Linux.
void FlushQueue::flush_iotlb() {
    ++start_cnt_;
    ++stats_.flushes;
    client_.flush_iotlb_all();
    ++finish_cnt_;
}

void FlushQueue::queue(uint64_t iova, uint64_t size) {
    // smp_mb: the page-table update that unmapped the range is seen before the entry.
    bus_.dmb();
    Ring& r = *rings_[cfg_.queues == FqQueues::Single ? 0 : bus_.cpu() % rings_.size()];
    uint64_t freed = 0;
    bool full_flush = false;
    {
        hal::LockGuard g(r.lock);
        // What flushes on other CPUs already covered goes first, so that the ring is less
        // likely to be full.
        ring_free_locked(r);
        if (full(r)) {
            ++stats_.full_flushes;
            full_flush = true;
            flush_iotlb();
            freed = ring_free_locked(r);
        }
        bus_.work(*cfg_.entry_cycles);
        Entry& e = r.entries[r.tail];
        r.tail = (r.tail + 1) & mask_;
        e.iova = iova;
        e.size = size;
        e.counter = start_cnt_;
        ++stats_.queued;
    }
    if (full_flush && client_.flushed) client_.flushed(freed, false);
    // atomic_xchg(fq_timer_on) + mod_timer: armed once until it fires.
    if (!timer_on_) {
        timer_on_ = true;
        deadline_ = bus_.now() + cfg_.timeout;
    }
}

// fq_flush_timeout: unconditional flush, then every queue frees what it covers.
void FlushQueue::timeout(bool by_timer) {
    timer_on_ = false;
    flush_iotlb();
    uint64_t freed = 0;
    for (auto& r : rings_) {
        hal::LockGuard g(r->lock);
        freed += ring_free_locked(*r);
    }
    if (client_.flushed) client_.flushed(freed, by_timer);
}

bool FlushQueue::run_timer() {
    if (!timer_on_ || bus_.now() < deadline_) return false;
    ++stats_.timeouts;
    timeout(true);
    return true;
}

void FlushQueue::drain() {
    if (empty()) {
        timer_on_ = false;
        return;
    }
    timeout(false);
}

}  // namespace smmusim::sw::driver
