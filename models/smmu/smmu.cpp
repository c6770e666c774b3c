#include "models/smmu/smmu.h"

#include <string>

namespace smmusim::smmu {

namespace {
// GBPA resets with SHCFG = incoming (as QEMU does) and ABORT as configured (reference §1.6).
uint32_t gbpa_reset(bool abort) { return 0x1000u | (abort ? 1u << 20 : 0u); }
}  // namespace

Smmu::Smmu(sc_core::sc_module_name name, unsigned tbus)
    : sc_module(name),
      features_(feature_params.features()),
      tcu("tcu", features_, tbus, gbpa_reset(gbpa_abort)) {
    const dti::GlobalState reset{false, bool(gbpa_abort), uint64_t(1) << features_.oas_bits()};
    for (unsigned i = 0; i < tbus; ++i) {
        tbus_.push_back(std::make_unique<tbu::Tbu>(("tbu" + std::to_string(i)).c_str(), reset));
        tbu::Tbu& t = *tbus_.back();
        t.dti.bind(tcu.dti(i));
        tcu.to_tbu(i).bind(t.from_tcu);
        tcu.set_link_latency(i, t.link_latency());
    }
    if (StaleCheck::enabled()) {
        std::vector<tbu::Tbu*> v;
        for (auto& t : tbus_) v.push_back(t.get());
        stale_check_ = std::make_unique<StaleCheck>(tcu.caches(), std::move(v));
        tcu.set_watch(stale_check_.get());
    }
}

Smmu::~Smmu() = default;

}  // namespace smmusim::smmu
