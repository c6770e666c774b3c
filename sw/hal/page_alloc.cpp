#include "sw/hal/page_alloc.h"

#include <algorithm>
#include <string>

namespace smmusim::sw::hal {

namespace {
constexpr unsigned kMaxShift = 63;
}

PageAllocator::PageAllocator(uint64_t base, uint64_t size) : base_(base), size_(size), free_(kMaxShift + 1) {
    const uint64_t page = uint64_t(1) << kMinShift;
    if (base % page || size % page || size == 0)
        throw std::invalid_argument("PageAllocator: region must be 4 KiB aligned and non-empty");
    // Carve the region into the largest naturally aligned blocks (offsets relative to base,
    // so alignment holds when base is aligned to the block; base alignment caps block size).
    uint64_t off = 0;
    while (off < size) {
        unsigned s = kMinShift;
        while (s + 1 < kMaxShift) {
            const uint64_t b = uint64_t(1) << (s + 1);
            if ((base + off) % b || off + b > size) break;
            ++s;
        }
        free_[s].insert(off);
        off += uint64_t(1) << s;
    }
}

unsigned PageAllocator::order_of(uint64_t bytes) {
    unsigned s = kMinShift;
    while (s < kMaxShift && (uint64_t(1) << s) < bytes) ++s;
    return s;
}

uint64_t PageAllocator::alloc(uint64_t bytes) {
    const unsigned want = order_of(bytes);
    unsigned s = want;
    while (s <= kMaxShift && free_[s].empty()) ++s;
    if (s > kMaxShift)
        throw OutOfMemory("software memory exhausted: no free block of " + std::to_string(bytes) + " bytes");
    uint64_t off = *free_[s].begin();
    free_[s].erase(free_[s].begin());
    while (s > want) {  // split, keeping the lower half
        --s;
        free_[s].insert(off + (uint64_t(1) << s));
    }
    used_[off] = want;
    in_use_ += uint64_t(1) << want;
    if (in_use_ > peak_) peak_ = in_use_;
    return base_ + off;
}

void PageAllocator::free(uint64_t pa) {
    auto it = used_.find(pa - base_);
    if (pa < base_ || it == used_.end()) throw std::invalid_argument("PageAllocator::free: not an allocated block");
    uint64_t off = it->first;
    unsigned s = it->second;
    used_.erase(it);
    in_use_ -= uint64_t(1) << s;
    for (; s < kMaxShift; ++s) {  // merge with a free buddy
        const uint64_t buddy = off ^ (uint64_t(1) << s);
        if ((base_ + std::min(off, buddy)) % (uint64_t(1) << (s + 1))) break;
        auto b = free_[s].find(buddy);
        if (b == free_[s].end()) break;
        free_[s].erase(b);
        off = std::min(off, buddy);
    }
    free_[s].insert(off);
}

uint64_t PageAllocator::block_size(uint64_t pa) const {
    auto it = used_.find(pa - base_);
    return it == used_.end() ? 0 : uint64_t(1) << it->second;
}

}  // namespace smmusim::sw::hal
