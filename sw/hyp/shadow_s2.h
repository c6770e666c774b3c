#pragma once
// The hypervisor's SMMU stage 2 that shadows the host's (reference §9.8, seed 004): an
// identity map (IPA == PA) of every page host devices may reach, fully populated (devices
// never fault on host memory), one VMID for every host device. When the host gives pages away
// they leave the shadow and the TLBs are invalidated by policy (`sw.hyp.policy`):
//   page    the posted pKVM series (v6): the shadow holds 4 KiB pages only (its io-pgtable
//           no longer splits blocks), and every page removed is invalidated at once, alone:
//           TLBI_S2_IPA, CMD_SYNC, then (nh_all, v6) TLBI_NH_ALL of the host VMID, CMD_SYNC,
//           each command published with its own CMDQ_PROD write (smmu_tlb_add_page).
//   range   4 KiB shadow, one range TLBI_S2_IPA (Linux's algorithm) per donation, one sync
//   vmid    4 KiB shadow, one TLBI_S12_VMALL per donation (the thread's "full invalidation")
//   gather  4 KiB shadow, the hypercall's pages gathered: one TLBI_S2_IPA per page issued
//           together, one sync (the thread's "proper gather flow", within one hypercall)
//   blocks  the largest blocks alignment allows, split when pages leave (break-before-make
//           unless the SMMU has BBML2), one range TLBI per donation
// Every policy but `page` ends the change with one CMD_SYNC (flush) before it returns: a
// hypercall that gives pages away completes only once no host device can reach them.
// Break-before-make and removed tables cannot wait for the end of the change: they sync at
// once. TLBI_S2_IPA need not remove combined stage-1+2 entries of the host's nested domains
// (§9.8): with those, TLBI_NH_ALL of the VMID is issued even when nh_all is off.

#include <cstdint>
#include <vector>

#include "sw/driver/smmu_driver.h"
#include "sw/hyp/ownership.h"
#include "sw/pgtable/tlb_ops.h"

namespace smmusim::sw::hyp {

enum class InvPolicy { Page, Range, Vmid, Gather, Blocks };

struct ShadowConfig {
    InvPolicy policy = InvPolicy::Page;
    bool nh_all = true;           // TLBI_NH_ALL + CMD_SYNC after the TLBI_S2_IPAs (series v6)
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
    // Whether the shadow's domain exists yet (it is built at the hypervisor's initialisation).
    bool built() const { return d_ != nullptr; }
    const driver::Domain& domain() const { return *d_; }
    const ShadowConfig& config() const { return cfg_; }

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
    // The series' eager invalidation of one leaf, page by page.
    void invalidate_now(uint64_t iova, uint64_t size);
    bool nh_all() const;

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
