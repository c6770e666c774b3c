#pragma once
// Log-linear histogram of non-negative integers: values below 128 are exact, larger values fall
// in buckets 1/128 of their power of two wide, so percentiles are within 0.8 % of the truth at
// a bounded memory cost (about 7,500 counters at most, allocated as values appear).

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace smmusim::core {

class LogLinearHistogram {
public:
    // Inline: every transaction samples a few histograms.
    void add(uint64_t v) {
        const size_t i = index_of(v);
        if (i >= counts_.size()) counts_.resize(i + 1, 0);
        ++counts_[i];
        if (count_ == 0 || v < min_) min_ = v;
        if (v > max_) max_ = v;
        ++count_;
        sum_ += v;
    }
    uint64_t count() const { return count_; }
    uint64_t min() const { return count_ ? min_ : 0; }
    uint64_t max() const { return max_; }
    double mean() const { return count_ ? double(sum_) / double(count_) : 0.0; }
    // p in [0, 100]. Returns a representative value of the bucket holding the rank,
    // clamped to [min, max]; exact below 128.
    uint64_t percentile(double p) const;
    // Non-empty buckets as (lower bound, count), ascending.
    std::vector<std::pair<uint64_t, uint64_t>> buckets() const;
    void clear();

    static size_t index_of(uint64_t v) {
        if (v < kSub) return size_t(v);
        const unsigned e = 63u - unsigned(__builtin_clzll(v));  // >= kSubBits
        const uint64_t sub = (v >> (e - kSubBits)) - kSub;
        return size_t(kSub * (e - kSubBits + 1) + sub);
    }
    static uint64_t lower_bound_of(size_t index);
    static uint64_t width_of(size_t index);

    static constexpr unsigned kSubBits = 7;
    static constexpr uint64_t kSub = uint64_t(1) << kSubBits;  // 128 sub-buckets per power of two

private:
    std::vector<uint64_t> counts_;
    uint64_t count_ = 0, min_ = 0, max_ = 0;
    __extension__ unsigned __int128 sum_ = 0;  // exact mean even for ps-valued samples
};

}  // namespace smmusim::core
