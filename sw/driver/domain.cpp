#include "sw/driver/domain.h"

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

void Domain::iotlb_sync(pgtable::Gather& g) {
    if (!g.empty() && !lazy()) inv_.range(target(), g.start, g.end - g.start, g.pgsize, true);
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

void Domain::flush_walk(uint64_t iova, uint64_t size, uint64_t granule) {
    inv_.range(target(), iova, size, granule, false);
}

void Domain::flush_all() { inv_.context(target()); }

}  // namespace smmusim::sw::driver
