#include "models/core/histogram.h"

#include <algorithm>
#include <cmath>

namespace smmusim::core {
uint64_t LogLinearHistogram::lower_bound_of(size_t index) {
    if (index < kSub) return index;
    uint64_t octave = index / kSub - 1;  // e - kSubBits
    uint64_t sub = index % kSub;
    return (kSub + sub) << octave;
}

uint64_t LogLinearHistogram::width_of(size_t index) {
    return index < kSub ? 1 : uint64_t(1) << (index / kSub - 1);
}

uint64_t LogLinearHistogram::percentile(double p) const {
    if (count_ == 0) return 0;
    if (p >= 100.0) return max_;
    uint64_t rank = uint64_t(std::ceil(p / 100.0 * double(count_)));
    rank = std::max<uint64_t>(rank, 1);
    uint64_t seen = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
        seen += counts_[i];
        if (seen >= rank) {
            uint64_t mid = lower_bound_of(i) + (width_of(i) - 1) / 2;
            return std::clamp(mid, min_, max_);
        }
    }
    return max_;
}

std::vector<std::pair<uint64_t, uint64_t>> LogLinearHistogram::buckets() const {
    std::vector<std::pair<uint64_t, uint64_t>> out;
    for (size_t i = 0; i < counts_.size(); ++i)
        if (counts_[i]) out.emplace_back(lower_bound_of(i), counts_[i]);
    return out;
}

void LogLinearHistogram::clear() {
    counts_.clear();
    count_ = min_ = max_ = 0;
    sum_ = 0;
}

}  // namespace smmusim::core
