#include "sw/driver/domain.h"

#include <algorithm>

#include "models/smmu/arch/atc_inv.h"

namespace smmusim::sw::driver {

const char* domain_kind_name(DomainKind k) {
    switch (k) {
    case DomainKind::S1: return "s1";
    case DomainKind::S2: return "s2";
    case DomainKind::Nested: return "nested";
    case DomainKind::Bypass: return "bypass";
    case DomainKind::Abort: return "abort";
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
    if (spec_.kind == DomainKind::S1 || spec_.kind == DomainKind::Nested)
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
    if (spec_.kind == DomainKind::S1) {
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

void Domain::iotlb_sync(pgtable::Gather& g) {
    if (!g.empty() && !lazy()) invalidate(g.start, g.end - g.start, g.pgsize, true, false);
    g = pgtable::Gather{};
}

// Linux iommu_iotlb_gather_add_page: a page of another size, or one neither adjacent to nor
// overlapping the gathered range, first flushes what was gathered.
void Domain::add_page(pgtable::Gather& g, uint64_t iova, uint64_t size) {
    if (lazy()) return;  // gather->queued: the flush queue covers it
    const bool disjoint = !g.empty() && (iova + size < g.start || iova > g.end);
    if ((g.pgsize && g.pgsize != size) || disjoint) iotlb_sync(g);
    g.add(iova, size);
}

void Domain::flush_walk(uint64_t iova, uint64_t size, uint64_t granule) { invalidate(iova, size, granule, false, false); }

void Domain::flush_all() { invalidate(0, 0, 0, false, true); }

}  // namespace smmusim::sw::driver
