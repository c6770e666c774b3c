#pragma once
// An IOVA allocator after Linux's (drivers/iommu/iova.c as dma-iommu uses it): sizes are
// rounded up to a power of two of granules and aligned to it; small sizes (up to 32 granules)
// come back from a LIFO cache of recently freed ranges first (the rcache), so a device keeps
// reusing the same few IOVAs; otherwise the highest free range below the limit is used.

#include <cstdint>
#include <map>
#include <vector>

namespace smmusim::sw::workloads {

class IovaAllocator {
public:
    // [base, limit), granule 2^gshift.
    IovaAllocator(uint64_t base, uint64_t limit, unsigned gshift);

    // 0 when the space is exhausted.
    uint64_t alloc(uint64_t size);
    void free(uint64_t iova, uint64_t size);
    uint64_t in_use() const { return in_use_; }

private:
    static constexpr unsigned kCachedMax = 5;  // 2^5 granules (IOVA_RANGE_CACHE_MAX_SIZE - 1)
    uint64_t rounded(uint64_t size) const;

    unsigned gshift_;
    std::map<uint64_t, uint64_t> free_;  // start -> size
    std::vector<std::vector<uint64_t>> cache_;
    uint64_t in_use_ = 0;
};

}  // namespace smmusim::sw::workloads
