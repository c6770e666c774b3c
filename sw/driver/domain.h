#pragma once
// An IOMMU domain (Linux arm_smmu_domain): a translation context devices attach to. Stage-1
// domains have an ASID and a stage-1 table; stage-2 domains a VMID and a stage-2 table;
// nested domains a stage-1 table whose outputs are IPAs of their parent stage-2 domain (the
// STE combines both); bypass and abort domains have no table. A domain is also the table's
// TLB-maintenance user (pgtable::TlbOps): it gathers unmapped pages as Linux's
// iommu_iotlb_gather does and turns walk flushes into TLBIs + CMD_SYNC.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sw/driver/config.h"
#include "sw/driver/flush_queue.h"
#include "sw/driver/inv_array.h"
#include "sw/driver/tlb_inv.h"
#include "sw/hal/page_alloc.h"
#include "sw/pgtable/io_pgtable.h"

namespace smmusim::sw::driver {

// Sva: a process address space shared with devices (Linux's IOMMU_DOMAIN_SVA): its stage-1
// table is the process's own page table, which the CPUs use too; its maps and unmaps are the
// process's (pinned pages populated, munmap), invalidated as the CPU does (sw/mm/tlb_flush.h)
// with the SMMU's secondary TLBs told through the mmu notifier (sva_invalidate).
enum class DomainKind { S1, S2, Nested, Bypass, Abort, Sva };
const char* domain_kind_name(DomainKind k);

struct DomainSpec {
    std::string name;
    DomainKind kind = DomainKind::S1;
    unsigned granule_shift = 12;
    unsigned ias = 48;           // input bits (VA for S1 and nested, IPA for S2)
    std::string parent;          // nested: the stage-2 domain
    bool blocks = true;          // block leaves where alignment allows; false: pages only
    // Who maintains the TLBs for this domain's table (a hypervisor's own policy); null: the
    // domain itself, with the driver's policy.
    pgtable::TlbOps* tlb_ops = nullptr;
    // Sva: the process's ASID on the CPUs (Linux ASID(mm)).
    uint16_t cpu_asid = 0;
};

class Domain : public pgtable::TlbOps {
public:
    Domain(DomainSpec spec, TlbInvalidator& inv, const DriverConfig& cfg);
    ~Domain() override;

    const DomainSpec& spec() const { return spec_; }
    const std::string& name() const { return spec_.name; }
    DomainKind kind() const { return spec_.kind; }
    bool has_table() const { return pgt_ != nullptr; }
    pgtable::IoPgtable& table() { return *pgt_; }
    const pgtable::IoPgtable& table() const { return *pgt_; }
    Domain* parent() const { return parent_; }
    uint16_t asid() const { return asid_; }
    uint16_t vmid() const { return parent_ ? parent_->vmid_ : vmid_; }
    InvTarget target() const;

    // Set up by the driver: the IDs on the instance that created the domain (its home).
    void set_ids(uint16_t asid, uint16_t vmid);
    void set_parent(Domain* p) { parent_ = p; }
    void set_table(std::unique_ptr<pgtable::IoPgtable> t) { pgt_ = std::move(t); }
    void add_nested_child();

    // Shared across SMMU instances (inv_array.h). The home instance's entry is there from the
    // start (the model invalidates a domain's home even before any attach, as it always did);
    // join() adds another instance's, with that instance's driver's invalidator and ID.
    unsigned home() const { return cfg_.instance; }
    bool on(unsigned instance) const;
    void join(unsigned instance, TlbInvalidator& inv, uint16_t id);
    // An attachment on `instance` (not the home) went away: the entries it no longer uses.
    std::vector<InvEntry> leave(unsigned instance) { return invs_.unref(instance); }
    // The ASID / VMID the domain has on `instance` (its home's elsewhere).
    uint16_t asid_on(unsigned instance) const;
    uint16_t vmid_on(unsigned instance) const;
    const InvArray& invs() const { return invs_; }
    // The domain's ATS-enabled attachments (Linux: the domain's devices list, master->ats_enabled):
    // each of its invalidations ends with a CMD_ATC_INV per attachment on that instance's queue,
    // after the TLBIs' CMD_SYNC (arm_smmu_atc_inv_domain), then a CMD_SYNC of its own.
    // `full`: the attachment is a nested domain's on this stage-2 parent; the ATC caches
    // IOVA -> PA translations whose IPAs the parent cannot tell, so each of the parent's
    // invalidations empties the device's whole ATC (Linux nested_ats_flush, INV_TYPE_ATS_FULL).
    void add_ats(TlbInvalidator& inv, uint32_t sid, std::optional<uint32_t> ssid, bool full = false);
    void remove_ats(TlbInvalidator& inv, uint32_t sid, std::optional<uint32_t> ssid, bool full = false);
    bool has_ats() const { return !ats_.empty(); }
    bool shared() const { return invs_.instances() > 1; }
    // Every command queue the domain's invalidation reaches (the home's first).
    std::vector<CommandQueue*> queues() const;
    // Memory for stage-1 tables and CDs behind this stage-2 domain, identity-mapped in it.
    hal::PageAllocator* guest_memory() const { return guest_mem_; }
    void set_guest_memory(std::unique_ptr<hal::PageAllocator> m) {
        owned_guest_mem_ = std::move(m);
        guest_mem_ = owned_guest_mem_.get();
    }
    // Memory the domain already maps identically (a hypervisor's shadow of host memory).
    void use_guest_memory(hal::PageAllocator& m) { guest_mem_ = &m; }
    std::vector<std::pair<uint32_t, std::optional<uint32_t>>>& streams() { return streams_; }

    // Strict: the gathered leaves, invalidated with one range (iommu_iotlb_sync). Lazy:
    // nothing (the flush queue invalidates the whole context later).
    void iotlb_sync(pgtable::Gather& g);
    bool lazy() const { return cfg_.policy == InvPolicy::Lazy; }
    // Range TLBIs are in use (the SMMU has RIL and the driver may use it).
    bool ril() const { return inv_.ril(); }

    // Lazy mode: the domain's flush queues (dma-iommu's cookie), set up by the driver.
    FlushQueue* fq() const { return fq_.get(); }
    void set_fq(std::unique_ptr<FlushQueue> q) { fq_ = std::move(q); }

    // ---- Sva ----
    // The CPU's TLB flush of the process's [start, end) after its PTEs changed (`last_level`:
    // only leaves; `stride` and `level`: the size and level of what changed, 0 unknown), which
    // ends in the notifier (sva_invalidate); set by the driver.
    using MmFlush = std::function<void(uint64_t start, uint64_t end, bool last_level, uint64_t stride, unsigned level)>;
    void set_mm_flush(MmFlush f) { mm_flush_ = std::move(f); }
    // A munmap: the tables it frees are flushed with its leaves, once, at its end (the mmu_gather's
    // freed_tables makes tlb_finish_mmu's __flush_tlb_range not last-level).
    // `clear_ptes` unmaps from `start` and returns the bytes it unmapped.
    void munmap(uint64_t start, const std::function<uint64_t()>& clear_ptes);
    // The CD names the CPU's ASID and the CPUs' broadcast TLBIs keep the SMMU's TLBs right (BTM).
    void set_broadcast(bool on) { broadcast_ = on; }
    bool broadcast() const { return broadcast_; }
    // Linux arm_smmu_mm_arch_invalidate_secondary_tlbs for [start, end) (end = ~0: the whole mm).
    void sva_invalidate(uint64_t start, uint64_t end);

    // pgtable::TlbOps
    void add_page(pgtable::Gather& g, uint64_t iova, uint64_t size) override;
    void flush_walk(uint64_t iova, uint64_t size, uint64_t granule) override;
    void flush_all() override;

private:
    DomainSpec spec_;
    TlbInvalidator& inv_;
    const DriverConfig& cfg_;
    uint16_t asid_ = 0, vmid_ = 0;
    Domain* parent_ = nullptr;
    bool nest_parent_ = false;
    hal::PageAllocator* guest_mem_ = nullptr;
    std::unique_ptr<hal::PageAllocator> owned_guest_mem_;
    std::unique_ptr<pgtable::IoPgtable> pgt_;
    std::vector<std::pair<uint32_t, std::optional<uint32_t>>> streams_;
    std::unique_ptr<FlushQueue> fq_;
    InvArray invs_;
    struct AtsStream {
        TlbInvalidator* inv;
        uint32_t sid;
        std::optional<uint32_t> ssid;  // the PASID attached, or none (SSV=0)
        bool full;  // a nested domain's device on this parent: its whole ATC (ATS_FULL)
    };
    std::vector<AtsStream> ats_;
    MmFlush mm_flush_;
    bool broadcast_ = false;
    bool in_munmap_ = false, freed_tables_ = false;
    uint64_t cleared_min_ = 0, cleared_max_ = 0;  // leaf sizes the munmap cleared
    std::vector<AtsInvs> atc_invalidations(uint64_t iova, uint64_t size) const;
    // The domain's invalidation: [iova, iova + size), or all of it (whole).
    void invalidate(uint64_t iova, uint64_t size, uint64_t granule, bool leaf, bool whole);
    InvEntry entry(unsigned instance, TlbInvalidator& inv, InvType type, uint16_t id) const;
};

}  // namespace smmusim::sw::driver
