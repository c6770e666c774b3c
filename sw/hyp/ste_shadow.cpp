#include "sw/hyp/ste_shadow.h"

#include <algorithm>

#include "models/smmu/arch/regs.h"
#include "models/smmu/arch/ste.h"

namespace smmusim::sw::hyp {

using namespace smmu::arch;

bool SteShadow::host_sid(uint32_t sid) const { return std::find(sids_.begin(), sids_.end(), sid) != sids_.end(); }

void SteShadow::set_enabled(bool on) {
    if (on == enabled_) return;
    enabled_ = on;
    for (uint32_t sid : sids_) sync(sid);
}

// The host's table as its STRTAB_BASE_CFG describes it (linear, or 2-level with SPLIT); a
// StreamID beyond it or under an invalid L1 descriptor reads as V=0.
driver::Entry SteShadow::read_host_ste(uint32_t sid) {
    driver::Entry e{};
    const uint64_t log2 = get<strtab_base_cfg::LOG2SIZE>(cfg_);
    if (log2 < 32 && (uint64_t(sid) >> log2)) return e;
    const uint64_t base = strtab_base::ADDR::address(base_);
    uint64_t at = 0;
    if (get<strtab_base_cfg::FMT>(cfg_) == strtab_base_cfg::FMT_2LVL) {
        const unsigned split = unsigned(get<strtab_base_cfg::SPLIT>(cfg_));
        L1Std l1;
        l1.dw[0] = bus_.load64(base + (uint64_t(sid) >> split) * 8);
        const uint64_t span = l1.get<L1Std::Span>();
        const uint64_t index = sid & ((uint64_t(1) << split) - 1);
        if (span == 0 || index >= (uint64_t(1) << (span - 1))) return e;
        at = l1.address<L1Std::L2Ptr>() + index * 64;
    } else {
        at = base + uint64_t(sid) * 64;
    }
    bus_.read(at, e.data(), sizeof e);
    return e;
}

driver::Entry SteShadow::compose(const driver::Entry& host) {
    const driver::Entry s2 = drv_.stage2_ste(shadow_->domain());
    if (!enabled_) return s2;
    Ste h;
    h.dw = host;
    if (!h.get<Ste::V>()) return driver::Entry{};
    const uint64_t config = h.get<Ste::Config>();
    if (ste_config::is_abort(config)) return driver::abort_ste();
    if (config == ste_config::BYPASS) return s2;
    if (config != ste_config::S1_TRANS) return driver::Entry{};
    Ste r = h;
    r.set<Ste::Config>(ste_config::NESTED);
    r.set<Ste::EATS>(0);
    r.set<Ste::STRW>(strw::NS_EL1);
    for (unsigned w = 2; w < 8; ++w) r.dw[w] = s2[w];
    // TLBI_S2_IPA now also has combined stage-1+2 entries to remove (TLBI_NH_ALL).
    shadow_->domain().add_nested_child();
    return r.dw;
}

void SteShadow::sync(uint32_t sid) {
    if (!shadow_ || !host_sid(sid)) return;
    const driver::Entry host = enabled_ ? read_host_ste(sid) : driver::Entry{};
    drv_.install_ste(sid, compose(host));
    ++installed_;
}

void SteShadow::sync_range(uint32_t first, uint64_t count) {
    for (uint32_t sid : sids_)
        if (sid >= first && sid - first < count) sync(sid);
}

}  // namespace smmusim::sw::hyp
