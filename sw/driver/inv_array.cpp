#include "sw/driver/inv_array.h"

#include <algorithm>
#include <tuple>

#include "sw/driver/cmd_batch.h"

namespace smmusim::sw::driver {

namespace {

// arm_smmu_inv_cmp.
bool before(const InvEntry& l, const InvEntry& r) {
    return std::tie(l.instance, l.type, l.id) < std::tie(r.instance, r.type, r.id);
}
bool same(const InvEntry& l, const InvEntry& r) { return !before(l, r) && !before(r, l); }

// One instance's part of the walk: its TLBI target and the CMD_SYNC-ended command lists.
struct InstancePlan {
    TlbInvalidator* inv = nullptr;
    TlbInvalidator::Segments segments;
};

}  // namespace

void InvArray::merge(std::vector<InvEntry> add) {
    std::sort(add.begin(), add.end(), before);
    std::vector<InvEntry> out;
    out.reserve(inv_.size() + add.size());
    size_t i = 0, j = 0;
    while (i < inv_.size() || j < add.size()) {
        if (j == add.size() || (i < inv_.size() && before(inv_[i], add[j]))) {
            out.push_back(inv_[i++]);
        } else if (i == inv_.size() || before(add[j], inv_[i])) {
            if (!out.empty() && same(out.back(), add[j])) out.back().users += add[j].users;
            else out.push_back(add[j]);
            ++j;
        } else {  // the same entry: one more user
            out.push_back(inv_[i++]);
            out.back().users += add[j++].users;
        }
    }
    inv_ = std::move(out);
}

std::vector<InvEntry> InvArray::unref(unsigned instance) {
    std::vector<InvEntry> gone, kept;
    for (InvEntry& e : inv_) {
        if (e.instance == instance && e.users) --e.users;
        (e.users ? kept : gone).push_back(e);
    }
    inv_ = std::move(kept);
    return gone;
}

size_t InvArray::instances() const {
    size_t n = 0;
    for (size_t i = 0; i < inv_.size(); ++i)
        if (i == 0 || inv_[i].instance != inv_[i - 1].instance) ++n;
    return n;
}

const InvEntry* InvArray::find(unsigned instance, InvType type) const {
    for (const InvEntry& e : inv_)
        if (e.instance == instance && e.type == type) return &e;
    return nullptr;
}

void invalidate_array(const InvArray& a, const InvTarget& base, uint64_t iova, uint64_t size, uint64_t granule,
                      bool leaf, bool whole, InvInstances order, const std::vector<AtsInvs>& ats) {
    // Group the sorted entries by instance: S1_ASID or S2_VMID gives the TLBIs' target,
    // S2_VMID_S1_CLEAR the nesting parent's TLBI_NH_ALL after them.
    std::vector<InstancePlan> plans;
    const auto& e = a.entries();
    for (size_t i = 0; i < e.size();) {
        InvTarget t = base;
        TlbInvalidator* inv = e[i].inv;
        const unsigned instance = e[i].instance;
        for (; i < e.size() && e[i].instance == instance; ++i) {
            if (e[i].users == 0) continue;  // trash, to be purged
            switch (e[i].type) {
            case InvType::S1Asid: t.kind = InvTarget::Kind::S1, t.asid = e[i].id; break;
            case InvType::S2Vmid: t.kind = InvTarget::Kind::S2, t.vmid = e[i].id; break;
            case InvType::S2VmidS1Clear: t.nest_parent = true; break;
            }
        }
        plans.push_back({inv, whole ? inv->context_segments(t) : inv->range_segments(t, iova, size, granule, leaf)});
        for (const AtsInvs& x : ats)
            if (x.inv == inv && !x.cmds.empty()) plans.back().segments.push_back(x.cmds);
    }
    if (order == InvInstances::Serial) {
        for (const InstancePlan& p : plans) p.inv->run(p.segments);
        return;
    }
    // Parallel: round r publishes every instance's r-th CMD_SYNC-ended list, then waits for
    // each of those syncs (an instance's lists stay in order: S1_CLEAR after its S2 TLBIs).
    size_t rounds = 0;
    for (const InstancePlan& p : plans) rounds = std::max(rounds, p.segments.size());
    for (size_t r = 0; r < rounds; ++r) {
        std::vector<std::pair<CommandQueue*, CommandQueue::PendingSync>> pending;
        for (const InstancePlan& p : plans)
            if (r < p.segments.size()) pending.emplace_back(&p.inv->queue(), p.inv->post(p.segments[r]));
        for (auto& [q, s] : pending) q->wait(s);
    }
}

}  // namespace smmusim::sw::driver
