#pragma once
// Physical memory for software structures (tables, queues): a buddy allocator over one region
// of simulated DRAM. Blocks are powers of two from 4 KiB, aligned to their size, as the
// SMMU's tables and queues require. Deterministic: the lowest free block of a size is used.

#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <vector>

namespace smmusim::sw::hal {

class OutOfMemory : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class PageAllocator {
public:
    static constexpr unsigned kMinShift = 12;

    // [base, base + size): base aligned to 4 KiB, size a multiple of 4 KiB.
    PageAllocator(uint64_t base, uint64_t size);

    // A block of at least `bytes`, aligned to its (power-of-two) size. Throws OutOfMemory.
    uint64_t alloc(uint64_t bytes);
    // `pa` must be the start of a block alloc() returned.
    void free(uint64_t pa);
    // The size of the block at `pa`.
    uint64_t block_size(uint64_t pa) const;

    uint64_t base() const { return base_; }
    uint64_t size() const { return size_; }
    uint64_t bytes_in_use() const { return in_use_; }
    uint64_t peak_bytes() const { return peak_; }
    uint64_t blocks_in_use() const { return used_.size(); }

private:
    static unsigned order_of(uint64_t bytes);
    uint64_t base_, size_;
    std::vector<std::set<uint64_t>> free_;  // by shift: offsets of free blocks
    std::map<uint64_t, unsigned> used_;     // offset -> shift
    uint64_t in_use_ = 0, peak_ = 0;
};

}  // namespace smmusim::sw::hal
