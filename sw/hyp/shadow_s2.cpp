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

void ShadowS2::flush() {
    if (pending_.empty()) return;
    const driver::InvTarget t = d_->target();
    driver::CommandBatch batch(drv_.cmdq(), drv_.config().batch);
    if (cfg_.policy == InvPolicy::Vmid) {
        batch.add(cmd::tlbi_s12_vmall(t.vmid));
    } else {
        const bool ril = cfg_.policy == InvPolicy::Range && d_->ril();
        for (const Pending& p : pending_)
            for (const Command& c : driver::range_commands(t, p.iova, p.size, p.granule, p.leaf, ril)) batch.add(c);
        // TLBI_S2_IPA need not remove combined stage-1+2 entries of nested host domains (§9.8).
        if (t.nest_parent) batch.add(cmd::tlbi_nh_all(t.vmid));
    }
    pending_.clear();
    batch.submit();
}

}  // namespace smmusim::sw::hyp
