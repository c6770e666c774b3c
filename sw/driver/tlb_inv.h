#pragma once
// TLB invalidation as Linux issues it (arm_smmu_tlb_inv_range_domain, arm_smmu_tlb_inv_context;
// reference §5.2): by-address commands split with the range algorithm when the SMMU has RIL and
// the driver may use it, one command per granule otherwise; whole-context invalidation by ASID
// or VMID; each ends in one CMD_SYNC.

#include <cstdint>
#include <vector>

#include "models/smmu/arch/commands.h"
#include "sw/driver/cmdq.h"
#include "sw/driver/config.h"

namespace smmusim::sw::driver {

// Whose entries an invalidation targets.
struct InvTarget {
    enum class Kind { S1, S2 } kind = Kind::S1;
    uint16_t asid = 0;  // S1
    uint16_t vmid = 0;  // S2, or the stage 2 under a nested S1
    unsigned min_page_shift = 12;  // smallest page size of the domain (the range TG)
    bool nest_parent = false;      // S2 under nested S1 domains: TLBI_S2_IPA misses combined entries
};

// The by-address commands for [iova, iova + size): `granule` is the leaf size unmapped (leaf)
// or the table granule (walk flush). No CMD_SYNC.
std::vector<smmu::arch::Command> range_commands(const InvTarget& t, uint64_t iova, uint64_t size, uint64_t granule,
                                                bool leaf, bool ril);

class TlbInvalidator {
public:
    TlbInvalidator(CommandQueue& q, const DriverConfig& cfg, bool smmu_ril) : q_(q), cfg_(cfg), ril_(smmu_ril) {}

    bool ril() const { return ril_ && cfg_.range_inv; }
    // Invalidates [iova, iova + size) and waits for the CMD_SYNC. A range of at least
    // cfg.full_flush_pages pages (when set) becomes a whole-context invalidation instead.
    void range(const InvTarget& t, uint64_t iova, uint64_t size, uint64_t granule, bool leaf) {
        run(range_segments(t, iova, size, granule, leaf));
    }
    // Everything of the ASID (S1) or VMID (S2), then CMD_SYNC.
    void context(const InvTarget& t) { run(context_segments(t)); }

    // The same as command lists, each to be issued (in batches of cfg.batch) with one CMD_SYNC
    // at its end: a nesting parent's TLBI_NH_ALL is a list of its own, after the S2 TLBIs'
    // sync (Linux arm_smmu_invs_end_batch).
    using Segments = std::vector<std::vector<smmu::arch::Command>>;
    Segments range_segments(const InvTarget& t, uint64_t iova, uint64_t size, uint64_t granule, bool leaf) const;
    Segments context_segments(const InvTarget& t) const;
    // Each list in turn, waiting for its CMD_SYNC.
    void run(const Segments& s);
    // One list, its CMD_SYNC published but not waited for (CommandQueue::wait).
    CommandQueue::PendingSync post(const std::vector<smmu::arch::Command>& cmds);
    CommandQueue& queue() { return q_; }

private:
    CommandQueue& q_;
    const DriverConfig& cfg_;
    bool ril_;
};

}  // namespace smmusim::sw::driver
