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
// each change either synced at once (gather 1) or gathered over `gather` changes before one
// CMD_SYNC. Break-before-make and removed tables cannot wait: they sync at once.

#include <cstdint>
#include <vector>

#include "sw/driver/smmu_driver.h"
#include "sw/hyp/ownership.h"
#include "sw/pgtable/tlb_ops.h"

namespace smmusim::sw::hyp {

enum class InvPolicy { Range, Page, Vmid };

struct ShadowConfig {
    InvPolicy policy = InvPolicy::Range;
    unsigned gather = 1;          // changes per CMD_SYNC
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

    // A change of ownership: pages leave (unmap) or come back (map).
    void unmap(const Range& r);
    void map(const Range& r);
    // Counts a finished change; at `gather` changes the pending invalidations are issued.
    void end_change();
    // Issues every pending invalidation and one CMD_SYNC.
    void flush();
    size_t pending() const { return pending_.size(); }

    // pgtable::TlbOps
    void add_page(pgtable::Gather& g, uint64_t iova, uint64_t size) override;
    void flush_walk(uint64_t iova, uint64_t size, uint64_t granule) override;
    void flush_all() override;

private:
    struct Pending {
        uint64_t iova, size, granule;
        bool leaf;
    };
    driver::SmmuDriver& drv_;
    ShadowConfig cfg_;
    driver::Domain* d_ = nullptr;
    std::vector<Pending> pending_;
    unsigned changes_ = 0;
};

}  // namespace smmusim::sw::hyp
