#include "sw/workloads/iova_allocator.h"

#include <iterator>

namespace smmusim::sw::workloads {

IovaAllocator::IovaAllocator(uint64_t base, uint64_t limit, unsigned gshift)
    : gshift_(gshift), cache_(kCachedMax + 1) {
    if (limit > base) free_[base] = limit - base;
}

uint64_t IovaAllocator::rounded(uint64_t size) const {
    uint64_t n = uint64_t(1) << gshift_;
    while (n < size) n <<= 1;
    return n;
}

uint64_t IovaAllocator::alloc(uint64_t size) {
    const uint64_t n = rounded(size);
    const unsigned order = unsigned(__builtin_ctzll(n)) - gshift_;
    if (order <= kCachedMax && !cache_[order].empty()) {
        const uint64_t iova = cache_[order].back();
        cache_[order].pop_back();
        in_use_ += n;
        return iova;
    }
    // Highest aligned slot that fits (top-down, as alloc_iova with size_aligned).
    for (auto it = free_.rbegin(); it != free_.rend(); ++it) {
        const uint64_t start = it->first, end = it->first + it->second;
        if (end < n) continue;
        const uint64_t slot = (end - n) & ~(n - 1);
        if (slot < start) continue;
        free_.erase(start);
        if (slot > start) free_[start] = slot - start;
        if (slot + n < end) free_[slot + n] = end - (slot + n);
        in_use_ += n;
        return slot;
    }
    return 0;
}

void IovaAllocator::free(uint64_t iova, uint64_t size) {
    const uint64_t n = rounded(size);
    in_use_ -= n;
    const unsigned order = unsigned(__builtin_ctzll(n)) - gshift_;
    if (order <= kCachedMax) {
        cache_[order].push_back(iova);
        return;
    }
    uint64_t start = iova, len = n;
    auto next = free_.lower_bound(iova);
    if (next != free_.end() && next->first == start + len) {
        len += next->second;
        next = free_.erase(next);
    }
    if (next != free_.begin()) {
        auto prev = std::prev(next);
        if (prev->first + prev->second == start) {
            start = prev->first;
            len += prev->second;
            free_.erase(prev);
        }
    }
    free_[start] = len;
}

}  // namespace smmusim::sw::workloads
