#pragma once
// How the table builder asks its user (the SMMU driver, the hypervisor) for TLB maintenance,
// after Linux's iommu_flush_ops. The builder only says what changed; the user turns it into
// TLBI commands and CMD_SYNCs (reference §9.2):
//   add_page    a leaf is gone (or, with BBML2, a block was replaced by a table): gather it,
//               invalidate later; unmap() never syncs, the caller does (iommu_iotlb_sync).
//   flush_walk  a table descriptor went invalid (table removed, or a block broken before a
//               split): invalidate [iova, iova + size) including walk caches AND wait for
//               completion, now. The builder frees or reuses nothing before it returns.
//   flush_all   the whole context, before destroy() frees the tables.

#include <cstdint>

namespace smmusim::sw::pgtable {

// Invalidations the user has gathered and not yet issued (Linux iommu_iotlb_gather). The
// builder never reads it; it only hands it back through add_page().
struct Gather {
    uint64_t start = ~uint64_t(0);  // lowest iova gathered
    uint64_t end = 0;               // one past the highest
    uint64_t pgsize = 0;            // smallest leaf size gathered (0: none yet)
    uint64_t pages = 0;             // add_page calls gathered

    bool empty() const { return pages == 0; }
    // The simplest policy: one range covering everything gathered.
    void add(uint64_t iova, uint64_t size) {
        start = iova < start ? iova : start;
        end = iova + size > end ? iova + size : end;
        pgsize = pgsize == 0 || size < pgsize ? size : pgsize;
        ++pages;
    }
};

class TlbOps {
public:
    virtual ~TlbOps() = default;
    virtual void add_page(Gather& gather, uint64_t iova, uint64_t size) = 0;
    // `granule`: the page size for a removed table (as Linux), the block size for a broken block.
    virtual void flush_walk(uint64_t iova, uint64_t size, uint64_t granule) = 0;
    virtual void flush_all() = 0;
};

}  // namespace smmusim::sw::pgtable
