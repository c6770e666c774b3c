#pragma once
// A pKVM-style hypervisor after the posted SMMUv3 series (seed 004): it owns the SMMU (its
// driver runs at EL2 on the real registers and queue), keeps the ownership of host memory,
// and isolates host DMA with a shadow stage 2 of that memory (ShadowS2) that every host device
// uses, alone or under the host's own stage-1 tables (nested). The host's own SMMU driver is
// trapped and emulated (SmmuEmulation); memory ownership changes are hypercalls, each costing
// `hvc_cycles` of CPU time on entry and exit.

#include <cstdint>
#include <memory>
#include <vector>

#include "sw/driver/smmu_driver.h"
#include "sw/hal/bus.h"
#include "sw/hal/page_alloc.h"
#include "sw/hyp/ownership.h"
#include "sw/hyp/shadow_s2.h"

namespace smmusim::sw::hyp {

struct HypConfig {
    ShadowConfig shadow;
    uint64_t hvc_cycles = 300;  // hypercall entry and exit
    // The host CPU's side of a donation (what the series pays before the SMMU's): the
    // hypervisor updates the host's CPU stage 2 (one descriptor and one TLBI IPAS2E1IS per
    // page) and waits for the broadcast TLBIs with one DSB ISH. Estimates, not calibrated.
    uint64_t cpu_s2_page_cycles = 60;
    uint64_t cpu_dsb_cycles = 500;
};

// What the hypervisor reports (the platform turns it into stats). Cycles are CPU cycles of
// the whole hypercall; commands and syncs those it issued.
class HypObserver {
public:
    virtual ~HypObserver() = default;
    enum class Op { Donate, Reclaim, Share, Unshare };
    virtual void hypercall(Op, uint64_t /*bytes*/, uint64_t /*cycles*/, uint64_t /*commands*/, uint64_t /*syncs*/) {}
};

class Hypervisor {
public:
    // `host_mem` is host memory the host's IOMMU tables come from (it must be in `owners`).
    Hypervisor(hal::Bus& bus, driver::SmmuDriver& drv, Ownership& owners, hal::PageAllocator& host_mem,
               const HypConfig& cfg, HypObserver& obs);

    // Resets the SMMU, builds the shadow and puts every host device on it (stage 2 only).
    void init(const std::vector<uint32_t>& host_sids);

    // Hypercalls (HypError when the pages are not in the state the call needs).
    void donate(uint64_t pa, uint64_t size, bool to_guest);
    void reclaim(uint64_t pa, uint64_t size);
    void share(uint64_t pa, uint64_t size);
    void unshare(uint64_t pa, uint64_t size);

    // Refuses (DriverError) output pages the host may not reach.
    void check_host_pages(uint64_t pa, uint64_t size, const char* what) const;

    ShadowS2& shadow() { return *shadow_; }
    // Whether the shadow stage 2 exists yet (built at initialisation, before the host runs).
    bool shadow_built() const { return shadow_ && shadow_->built(); }
    const Ownership& ownership() const { return owners_; }
    driver::SmmuDriver& driver() { return drv_; }
    uint64_t shadow_table_bytes() const;

private:
    template <typename F>
    void hypercall(HypObserver::Op op, uint64_t bytes, F&& body);

    hal::Bus& bus_;
    driver::SmmuDriver& drv_;
    Ownership& owners_;
    hal::PageAllocator& host_mem_;
    HypConfig cfg_;
    HypObserver& obs_;
    std::unique_ptr<ShadowS2> shadow_;
    std::vector<uint32_t> host_sids_;
};

}  // namespace smmusim::sw::hyp
