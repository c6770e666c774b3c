#pragma once
// Run-wide totals: registered as `sim.*` stats (deterministic, in stats.json) and printed as
// the end-of-run summary together with host time (not deterministic, printed only).

#include <ostream>
#include <string>
#include <vector>

#include "models/core/stats.h"
#include "platforms/platform.h"

namespace smmusim::platforms {

class RunTotals {
public:
    explicit RunTotals(const Platform& p);
    uint64_t transactions() const;
    uint64_t bytes() const;
    uint64_t errors() const;
    void print(std::ostream& os, double host_seconds, const std::vector<std::string>& outputs) const;

private:
    const Platform& platform_;
    core::Formula time_ns_, transactions_, bytes_, errors_, bandwidth_;
};

}  // namespace smmusim::platforms
