#pragma once
// An independent reference of what a translation stage maps: intervals [in, in + size) to
// an output base, kept apart from the model's tables and caches. The randomized stale test
// asks it, after every change and its invalidation, what a device may reach.

#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <vector>

namespace smmusim::test {

class MappingReference {
public:
    struct Range {
        uint64_t in, size, out;
        int level;        // translation-table level of the leaves
        bool global;      // stage 1: nG = 0
        bool contiguous;  // leaves carry the contiguous hint (one run)
        uint64_t end() const { return in + size; }
    };

    void add(const Range& r) { ranges_[r.in] = r; }
    void remove(uint64_t in) { ranges_.erase(in); }

    // The range holding `addr`, if mapped.
    const Range* find(uint64_t addr) const {
        auto it = ranges_.upper_bound(addr);
        if (it == ranges_.begin()) return nullptr;
        --it;
        return addr < it->second.end() ? &it->second : nullptr;
    }
    std::optional<uint64_t> translate(uint64_t addr) const {
        const Range* r = find(addr);
        if (!r) return std::nullopt;
        return r->out + (addr - r->in);
    }
    // True when nothing in [in, in + size) is mapped.
    bool free(uint64_t in, uint64_t size) const {
        auto it = ranges_.lower_bound(in);
        if (it != ranges_.end() && it->first < in + size) return false;
        if (it == ranges_.begin()) return true;
        return std::prev(it)->second.end() <= in;
    }
    bool empty() const { return ranges_.empty(); }
    size_t size() const { return ranges_.size(); }
    // The n-th range in address order (n < size()).
    const Range& nth(size_t n) const { return std::next(ranges_.begin(), long(n))->second; }

private:
    std::map<uint64_t, Range> ranges_;
};

}  // namespace smmusim::test
