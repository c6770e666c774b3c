#include "sw/hyp/shadow_s2.h"

#include <string>

#include "models/smmu/arch/command_builders.h"
#include "sw/driver/cmd_batch.h"
#include "sw/hal/hex.h"

namespace smmusim::sw::hyp {

using smmu::arch::Command;
namespace cmd = smmu::arch::cmd;
using hal::hex;

ShadowS2::ShadowS2(driver::SmmuDriver& drv, const ShadowConfig& cfg) : drv_(drv), cfg_(cfg) {}

void ShadowS2::build(const std::vector<Range>& ranges) {
    driver::DomainSpec spec;
    spec.name = kDomain;
    spec.kind = driver::DomainKind::S2;
    spec.granule_shift = cfg_.granule_shift;
    spec.ias = cfg_.ias;
    spec.tlb_ops = this;
    spec.blocks = cfg_.policy == InvPolicy::Blocks;
    d_ = &drv_.create_domain(spec);
    for (const Range& r : ranges) map(r);
}

void ShadowS2::map(const Range& r) {
    const pgtable::Result res = d_->table().map(r.base, r.base, r.size, pgtable::Prot::rw());
    if (!res.ok())
        throw HypError("shadow stage 2: cannot map [" + hex(r.base) + ", +" + hex(r.size) +
                       "): " + pgtable::error_name(res.error));
}

void ShadowS2::unmap(const Range& r) {
    pgtable::Gather g;
    const pgtable::Result res = d_->table().unmap(r.base, r.size, g);
    // Whatever happens next, nothing the shadow no longer maps stays reachable.
    flush();
    if (res.bytes != r.size)
        throw HypError("shadow stage 2: unmapped " + hex(res.bytes) + " of " + hex(r.size) +
                       " bytes: " + pgtable::error_name(res.error));
}

// A leaf left (or, with BBML2, a block was replaced by a table): invalidated with the rest.
void ShadowS2::add_page(pgtable::Gather&, uint64_t iova, uint64_t size) {
    if (cfg_.policy == InvPolicy::Page) {
        invalidate_now(iova, size);
        return;
    }
    // Adjacent leaves of one size become one range (what a gather does).
    if (!pending_.empty()) {
        Pending& b = pending_.back();
        if (b.leaf && b.granule == size && b.iova + b.size == iova) {
            b.size += size;
            return;
        }
    }
    pending_.push_back({iova, size, size, true});
}

// A table or block descriptor went invalid: the next step reuses or frees it, so now.
void ShadowS2::flush_walk(uint64_t iova, uint64_t size, uint64_t granule) {
    pending_.push_back({iova, size, granule, false});
    flush();
}

void ShadowS2::flush_all() {
    pending_.clear();
    d_->flush_all();
}

bool ShadowS2::nh_all() const { return cfg_.nh_all || d_->target().nest_parent; }

// One page at a time, each command its own CMDQ_PROD write and each TLBI its own CMD_SYNC
// (the series' smmu_tlb_add_page -> smmu_tlb_inv_range_smmu for one granule, then sync).
void ShadowS2::invalidate_now(uint64_t iova, uint64_t size) {
    const driver::InvTarget t = d_->target();
    driver::CommandQueue& q = drv_.cmdq();
    const uint64_t page = uint64_t(1) << cfg_.granule_shift;
    const uint64_t step = size < page ? size : page;
    for (uint64_t a = iova; a < iova + size; a += step) {
        for (const Command& c : driver::range_commands(t, a, step, step, true, d_->ril())) q.issue(c, false);
        q.issue(nullptr, 0, true);
        if (nh_all()) {
            q.issue(cmd::tlbi_nh_all(t.vmid), false);
            q.issue(nullptr, 0, true);
        }
    }
}

void ShadowS2::flush() {
    if (pending_.empty()) return;
    const driver::InvTarget t = d_->target();
    driver::CommandBatch batch(drv_.cmdq(), drv_.config().batch);
    if (cfg_.policy == InvPolicy::Vmid) {
        batch.add(cmd::tlbi_s12_vmall(t.vmid));
    } else {
        // gather names every page; the others use the range algorithm when the SMMU has RIL.
        const bool ril = cfg_.policy != InvPolicy::Gather && d_->ril();
        for (const Pending& p : pending_)
            for (const Command& c : driver::range_commands(t, p.iova, p.size, p.granule, p.leaf, ril)) batch.add(c);
        if (nh_all()) batch.add(cmd::tlbi_nh_all(t.vmid));
    }
    pending_.clear();
    batch.submit();
}

}  // namespace smmusim::sw::hyp
