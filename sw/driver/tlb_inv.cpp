#include "sw/driver/tlb_inv.h"

#include <algorithm>

#include "models/smmu/arch/command_builders.h"
#include "sw/driver/cmd_batch.h"

namespace smmusim::sw::driver {

using namespace smmu::arch;

namespace {

unsigned log2_of(uint64_t v) { return 63u - unsigned(__builtin_clzll(v)); }

Command base_command(const InvTarget& t) {
    if (t.kind == InvTarget::Kind::S2) return cmd::tlbi_by_address(op::TLBI_S2_IPA, 0, t.vmid);
    return cmd::tlbi_by_address(op::TLBI_NH_VA, t.asid, t.vmid);
}

}  // namespace

std::vector<Command> range_commands(const InvTarget& t, uint64_t iova, uint64_t size, uint64_t granule, bool leaf,
                                    bool ril) {
    std::vector<Command> out;
    if (size == 0) return out;
    const uint64_t end = iova + size;
    const unsigned tg = t.min_page_shift;
    uint64_t num_pages = 0;
    unsigned tg_field = 0, ttl = 0;
    if (ril) {
        tg_field = tlbi_tg(tg);
        num_pages = size >> tg;
        if (leaf) ttl = 4 - ((log2_of(granule) - 3) / (tg - 3));
        else if ((num_pages & 31) == 1) ++num_pages;  // NUM=SCALE=TTL=0 is reserved: over-invalidate one page
    }
    while (iova < end) {
        Command c = base_command(t);
        uint64_t step = granule;
        if (ril) {
            if (num_pages == 0) break;  // a size below one page: nothing left to name
            // SCALE has 5 bits: a count of 2^32 pages or more is consumed in pieces.
            const unsigned scale = std::min(31u, unsigned(__builtin_ctzll(num_pages)));
            const uint64_t num = scale < 31 ? (num_pages >> scale) & 31 : std::min<uint64_t>(num_pages >> 31, 32);
            cmd::set_range(c, iova, leaf, tg_field, ttl, unsigned(num - 1), scale);
            step = num << (scale + tg);
            num_pages -= num << scale;
        } else {
            cmd::set_range(c, iova, leaf, 0, 0, 0, 0);
        }
        out.push_back(c);
        iova += step;
    }
    return out;
}

TlbInvalidator::Segments TlbInvalidator::range_segments(const InvTarget& t, uint64_t iova, uint64_t size,
                                                        uint64_t granule, bool leaf) const {
    if (cfg_.full_flush_pages && (size >> t.min_page_shift) >= cfg_.full_flush_pages) return context_segments(t);
    Segments s{range_commands(t, iova, size, granule, leaf, ril())};
    // Linux (nesting parents): TLBI_S2_IPA need not remove combined stage-1+2 entries.
    if (t.kind == InvTarget::Kind::S2 && t.nest_parent) s.push_back({cmd::tlbi_nh_all(t.vmid)});
    return s;
}

TlbInvalidator::Segments TlbInvalidator::context_segments(const InvTarget& t) const {
    if (t.kind == InvTarget::Kind::S2) return {{cmd::tlbi_s12_vmall(t.vmid)}};
    return {{cmd::tlbi_nh_asid(t.asid, t.vmid)}};
}

void TlbInvalidator::run(const Segments& s) {
    for (const std::vector<Command>& cmds : s) {
        CommandBatch batch(q_, cfg_.batch);
        for (const Command& c : cmds) batch.add(c);
        batch.submit();
    }
}

CommandQueue::PendingSync TlbInvalidator::post(const std::vector<Command>& cmds) {
    CommandBatch batch(q_, cfg_.batch);
    for (const Command& c : cmds) batch.add(c);
    return batch.post();
}

}  // namespace smmusim::sw::driver
