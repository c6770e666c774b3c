#pragma once
// The hypervisor's SMMU stage 2 that shadows the host's (reference §9.8, seed 004): an
// identity map (IPA == PA) of every page host devices may reach, built with the largest
// blocks alignment allows and fully populated (devices never fault on host memory), one VMID
// for every host device. When the host gives pages away they leave the shadow: blocks are
// split (break-before-make unless the SMMU has BBML2), leaves cleared, and the TLBs are
// invalidated by policy:
//   range  TLBI_S2_IPA with Linux's range algorithm (per granule without RIL)
//   page   one TLBI_S2_IPA per page (or per block) removed
//   vmid   TLBI_S12_VMALL: every entry of every host device
// What one change removes is gathered (adjacent leaves of a size into one range) and issued
// with one CMD_SYNC before the change returns (flush): a hypercall that gives pages away
// completes only once no host device can reach them. Break-before-make and removed tables
// cannot wait for the end of the change: they sync at once.

#include <cstdint>
#include <vector>

#include "sw/driver/smmu_driver.h"
#include "sw/hyp/ownership.h"
#include "sw/pgtable/tlb_ops.h"

namespace smmusim::sw::hyp {

enum class InvPolicy { Range, Page, Vmid };

struct ShadowConfig {
    InvPolicy policy = InvPolicy::Range;
    unsigned granule_shift = 12;
    unsigned ias = 40;            // IPA bits: must cover host memory
};

class ShadowS2 : public pgtable::TlbOps {
public:
    static constexpr const char* kDomain = "host_s2";

    ShadowS2(driver::SmmuDriver& drv, const ShadowConfig& cfg);

    // Creates the stage-2 domain and maps every range in `ranges` identically.
    void build(const std::vector<Range>& ranges);
    driver::Domain& domain() { return *d_; }

    // A change of ownership: pages leave (unmap: invalidated and synced before it returns)
    // or come back (map).
    void unmap(const Range& r);
    void map(const Range& r);

    // pgtable::TlbOps
    void add_page(pgtable::Gather& g, uint64_t iova, uint64_t size) override;
    void flush_walk(uint64_t iova, uint64_t size, uint64_t granule) override;
    void flush_all() override;

private:
    // Issues every pending invalidation and one CMD_SYNC.
    void flush();

    struct Pending {
        uint64_t iova, size, granule;
        bool leaf;
    };
    driver::SmmuDriver& drv_;
    ShadowConfig cfg_;
    driver::Domain* d_ = nullptr;
    std::vector<Pending> pending_;
};

}  // namespace smmusim::sw::hyp
