#include "sw/driver/domain.h"

#include <algorithm>

#include "models/smmu/arch/atc_inv.h"
#include "models/smmu/arch/geometry.h"

namespace smmusim::sw::driver {

namespace {
// The level of a leaf of `size` bytes in the CPU's 4 KiB granule (the TTL hint), 0 for none.
unsigned leaf_level(uint64_t size) {
    const smmu::arch::Granule g{12};
    for (int level = 1; level <= 3; ++level)
        if (size == g.level_size(level)) return unsigned(level);
    return 0;
}
}  // namespace

const char* domain_kind_name(DomainKind k) {
    switch (k) {
    case DomainKind::S1: return "s1";
    case DomainKind::S2: return "s2";
    case DomainKind::Nested: return "nested";
    case DomainKind::Bypass: return "bypass";
    case DomainKind::Abort: return "abort";
    case DomainKind::Sva: return "sva";
    }
    return "?";
}

Domain::Domain(DomainSpec spec, TlbInvalidator& inv, const DriverConfig& cfg)
    : spec_(std::move(spec)), inv_(inv), cfg_(cfg) {}

// The table goes before the guest memory it may live in.
Domain::~Domain() { pgt_.reset(); }

InvTarget Domain::target() const {
    InvTarget t;
    t.kind = spec_.kind == DomainKind::S2 ? InvTarget::Kind::S2 : InvTarget::Kind::S1;
    t.asid = asid_;
    t.vmid = vmid();  // S1 alone: 0 (Linux); nested: the parent's
    t.min_page_shift = spec_.granule_shift;
    t.nest_parent = nest_parent_;
    return t;
}

void Domain::set_ids(uint16_t asid, uint16_t vmid) {
    asid_ = asid, vmid_ = vmid;
    if (spec_.kind == DomainKind::S1 || spec_.kind == DomainKind::Nested || spec_.kind == DomainKind::Sva)
        invs_.merge({entry(home(), inv_, InvType::S1Asid, asid)});
    else if (spec_.kind == DomainKind::S2)
        invs_.merge({entry(home(), inv_, InvType::S2Vmid, vmid)});
}

InvEntry Domain::entry(unsigned instance, TlbInvalidator& inv, InvType type, uint16_t id) const {
    InvEntry e;
    e.instance = instance;
    e.inv = &inv;
    e.type = type;
    e.id = id;
    return e;
}

// Linux arm_smmu_master_build_invs: a nesting parent's S2_VMID is followed by S2_VMID_S1_CLEAR
// on each instance.
void Domain::add_nested_child() {
    if (nest_parent_) return;
    nest_parent_ = true;
    std::vector<InvEntry> add;
    for (const InvEntry& e : invs_.entries())
        if (e.type == InvType::S2Vmid) add.push_back(entry(e.instance, *e.inv, InvType::S2VmidS1Clear, e.id));
    invs_.merge(std::move(add));
}

bool Domain::on(unsigned instance) const {
    for (const InvEntry& e : invs_.entries())
        if (e.instance == instance) return true;
    return false;
}

void Domain::join(unsigned instance, TlbInvalidator& inv, uint16_t id) {
    if (spec_.kind == DomainKind::S1 || spec_.kind == DomainKind::Sva) {
        invs_.merge({entry(instance, inv, InvType::S1Asid, id)});
    } else if (spec_.kind == DomainKind::S2) {
        std::vector<InvEntry> add{entry(instance, inv, InvType::S2Vmid, id)};
        if (nest_parent_) add.push_back(entry(instance, inv, InvType::S2VmidS1Clear, id));
        invs_.merge(std::move(add));
    }
}

uint16_t Domain::asid_on(unsigned instance) const {
    if (instance == home()) return asid_;
    const InvEntry* e = invs_.find(instance, InvType::S1Asid);
    return e ? e->id : asid_;
}

uint16_t Domain::vmid_on(unsigned instance) const {
    if (parent_) return parent_->vmid_on(instance);
    if (instance == home()) return vmid_;
    const InvEntry* e = invs_.find(instance, InvType::S2Vmid);
    return e ? e->id : vmid_;
}

std::vector<CommandQueue*> Domain::queues() const {
    std::vector<CommandQueue*> v{&inv_.queue()};
    for (const InvEntry& e : invs_.entries())
        if (std::find(v.begin(), v.end(), &e.inv->queue()) == v.end()) v.push_back(&e.inv->queue());
    return v;
}

// One instance: the driver's invalidator, as before the array. Several: the array's walk.
void Domain::invalidate(uint64_t iova, uint64_t size, uint64_t granule, bool leaf, bool whole) {
    const std::vector<AtsInvs> atcs = atc_invalidations(whole ? 0 : iova, whole ? 0 : size);
    if (!shared()) {
        if (whole) inv_.context(target());
        else inv_.range(target(), iova, size, granule, leaf);
        for (const AtsInvs& a : atcs) a.inv->run({a.cmds});
    } else {
        invalidate_array(invs_, target(), iova, size, granule, leaf, whole, cfg_.inv_instances, atcs);
    }
}

void Domain::add_ats(TlbInvalidator& inv, uint32_t sid, std::optional<uint32_t> ssid, bool full) {
    ats_.push_back({&inv, sid, ssid, full});
}

void Domain::remove_ats(TlbInvalidator& inv, uint32_t sid, std::optional<uint32_t> ssid, bool full) {
    for (auto it = ats_.begin(); it != ats_.end(); ++it)
        if (it->inv == &inv && it->sid == sid && it->ssid == ssid && it->full == full) {
            ats_.erase(it);
            return;
        }
}

// arm_smmu_atc_inv_domain: once the TLBIs are synced (so that a Translation Request cannot
// refill the ATC from a stale TLB entry), one CMD_ATC_INV per ATS attachment, SSV set for a
// PASID attachment (arm_smmu_atc_inv_to_cmd), size 0 = everything; one CMD_SYNC per
// instance's queue, which completes only when the endpoints have (reference §4.7.3).
std::vector<AtsInvs> Domain::atc_invalidations(uint64_t iova, uint64_t size) const {
    std::vector<AtsInvs> v;
    for (const AtsStream& a : ats_) {
        auto it = std::find_if(v.begin(), v.end(), [&](const AtsInvs& x) { return x.inv == a.inv; });
        if (it == v.end()) it = v.insert(v.end(), AtsInvs{a.inv, {}});
        it->cmds.push_back(a.full ? smmu::arch::cmd::atc_inv(a.sid, false, 0, 0, 0)
                                  : smmu::arch::cmd::atc_inv(a.sid, a.ssid.has_value(), a.ssid.value_or(0), iova, size));
    }
    return v;
}

// The mainline driver (v6.17 arm-smmu-v3-sva.c): without range invalidation a range of
// CMDQ_MAX_TLBI_OPS (512) pages or more, and a whole-mm flush, invalidate the ASID; else
// TLBI_NH_VA by page or range with Leaf = 0 (the CPU may have freed tables), one CMD_SYNC;
// then the ATC of every ATS attachment. With broadcast TLB maintenance the CPU's own TLBIs
// did the TLBs (the SVA BTM patches skip the command-queue TLBI), the ATCs still need theirs.
void Domain::sva_invalidate(uint64_t start, uint64_t end) {
    const uint64_t page = uint64_t(1) << spec_.granule_shift;
    const bool whole = end == ~uint64_t(0) || (!ril() && end - start >= 512 * page);
    if (broadcast_) {
        for (const AtsInvs& a : atc_invalidations(whole ? 0 : start, whole ? 0 : end - start)) a.inv->run({a.cmds});
        return;
    }
    invalidate(whole ? 0 : start, whole ? 0 : end - start, page, false, whole);
}

void Domain::iotlb_sync(pgtable::Gather& g) {
    if (!g.empty() && !lazy()) invalidate(g.start, g.end - g.start, g.pgsize, true, false);
    g = pgtable::Gather{};
}

// Linux iommu_iotlb_gather_add_page: a page of another size, or one neither adjacent to nor
// overlapping the gathered range, first flushes what was gathered.
void Domain::add_page(pgtable::Gather& g, uint64_t iova, uint64_t size) {
    if (spec_.kind == DomainKind::Sva) {
        // The process's munmap flushes what it cleared after the walk (munmap); what sizes it
        // cleared sets that flush's stride and TTL, as the mmu_gather's cleared_* levels do.
        if (in_munmap_) {
            cleared_min_ = std::min(cleared_min_, size);
            cleared_max_ = std::max(cleared_max_, size);
        }
        return;
    }
    if (lazy()) return;  // gather->queued: the flush queue covers it
    const bool disjoint = !g.empty() && (iova + size < g.start || iova > g.end);
    if ((g.pgsize && g.pgsize != size) || disjoint) iotlb_sync(g);
    g.add(iova, size);
}

// tlb_finish_mmu's flush: leaves only unless tables were freed; the TTL hint and stride of the
// cleared leaves when they were all one size (tlb_get_level, tlb_get_unmap_size), else none
// (mixed sizes, or a block split without a break, whose old block is gathered as a leaf).
void Domain::munmap(uint64_t start, const std::function<uint64_t()>& clear_ptes) {
    in_munmap_ = true;
    freed_tables_ = false;
    cleared_min_ = ~uint64_t(0);
    cleared_max_ = 0;
    const uint64_t bytes = clear_ptes();
    in_munmap_ = false;
    if (!bytes) return;
    const bool uniform = cleared_max_ && cleared_min_ == cleared_max_;
    const unsigned level = uniform ? leaf_level(cleared_max_) : 0;
    mm_flush_(start, start + bytes, !freed_tables_, level ? cleared_max_ : 4096, level);
}

void Domain::flush_walk(uint64_t iova, uint64_t size, uint64_t granule) {
    if (spec_.kind == DomainKind::Sva) {
        if (granule == size) {
            // The break of a block split (break-before-make): Linux's pmdp_invalidate flushes the
            // block at once, one TLBI per block (flush_pmd_tlb_range: stride and TTL of the block).
            mm_flush_(iova, iova + size, false, size, leaf_level(size));
        } else {
            // A table about to be freed (io-pgtable frees it on return): flushed now, before the
            // page can be reused. Linux's mmu_gather defers the free past its one final flush
            // instead (tlb_remove_table); the model pays one flush more per freed table.
            if (in_munmap_) freed_tables_ = true;
            mm_flush_(iova, iova + size, false, 4096, 0);
        }
        return;
    }
    invalidate(iova, size, granule, false, false);
}

void Domain::flush_all() {
    if (spec_.kind == DomainKind::Sva) return mm_flush_(0, ~uint64_t(0), false, 4096, 0);
    invalidate(0, 0, 0, false, true);
}

}  // namespace smmusim::sw::driver
