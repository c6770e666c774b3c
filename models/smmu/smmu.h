#pragma once
// The SMMU: a TCU and one TBU per upstream device (DESIGN §2). `smmu.*` parameters are the
// architectural features (what the ID registers report); `smmu.tcu.*` and `smmu.tbuN.*`
// are the microarchitecture.

#include <memory>
#include <vector>

#include <systemc>

#include "models/core/params.h"
#include "models/smmu/features.h"
#include "models/smmu/stale_check.h"
#include "models/smmu/tbu/tbu.h"
#include "models/smmu/tcu/tcu.h"

namespace smmusim::smmu {

class Smmu : public sc_core::sc_module {
public:
    Smmu(sc_core::sc_module_name name, unsigned tbus);
    ~Smmu() override;

    FeatureParams feature_params{this};
    core::Param<bool> gbpa_abort{this, "gbpa_abort", false, "",
                                 "GBPA.ABORT after reset: abort (true) or bypass (false) every "
                                 "transaction while SMMUEN=0"};

private:
    Features features_;

public:
    tcu::Tcu tcu;
    tbu::Tbu& tbu(unsigned i) { return *tbus_.at(i); }
    unsigned tbus() const { return unsigned(tbus_.size()); }
    const Features& features() const { return features_; }

private:
    std::vector<std::unique_ptr<tbu::Tbu>> tbus_;
    std::unique_ptr<StaleCheck> stale_check_;  // when StaleCheck::enabled()
};

}  // namespace smmusim::smmu
