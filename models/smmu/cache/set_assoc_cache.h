#pragma once
// A set-associative cache of entries that cover naturally aligned ranges of 2^shift bytes of
// an input space (a 2 MiB block entry hits for every 4 KiB page inside it). An entry type E
// has `uint64_t base` and `uint8_t shift`; the caller's predicate matches the other tags
// (stream, ASID, VMID, level, ...). Entries are placed by their own size (set = base >>
// shift), so looking an address up probes each size present in the cache.

#include <array>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "models/core/rng.h"
#include "models/smmu/cache/cache_object.h"

namespace smmusim::smmu::cache {

// The input range a by-address invalidation of an entry meets: the entry's own, or (a
// TlbEntry split from a larger leaf) the leaf's (TlbEntry::reach_shift).
template <typename E, typename = void>
struct ReachOf {
    static unsigned of(const E& e) { return e.shift; }
};
template <typename E>
struct ReachOf<E, std::void_t<decltype(std::declval<const E&>().reach_shift())>> {
    static unsigned of(const E& e) { return e.reach_shift(); }
};

template <typename E>
class SetAssocCache : public CacheObject {
public:
    SetAssocCache(const char* name, const CacheDefaults& d, uint64_t seed = 1)
        : CacheObject(name, d),
          slots_(size_t(sets()) * associativity()),
          key_base_(slots_.size(), 0),
          key_shift_(slots_.size(), kInvalid),
          stamps_(slots_.size(), 0),
          rng_(seed) {
        while (tree_ < associativity()) tree_ *= 2;
        tree_words_ = (tree_ + 63) / 64;
        if (policy == Policy::Plru) plru_.assign(size_t(sets()) * tree_words_, 0);
        rr_.assign(sets(), 0);
    }

    struct Found {
        E* entry = nullptr;
        unsigned sizes_probed = 0;
    };

    // The entry covering `addr` that `match` accepts; counts a hit or a miss and, on a hit,
    // updates the replacement state. Sizes are probed smallest first.
    template <typename Match>
    Found lookup(uint64_t addr, Match match) {
        Found f;
        if (!enable) {
            ++misses;
            return f;
        }
        for (uint64_t sizes = live_mask_; sizes; sizes &= sizes - 1) {
            const unsigned shift = unsigned(__builtin_ctzll(sizes));
            ++f.sizes_probed;
            const uint64_t base = addr & ~mask(shift);
            const uint32_t set = set_of(base, shift);
            const size_t first = size_t(set) * associativity();
            for (uint32_t w = 0; w < associativity(); ++w) {
                if (key_base_[first + w] != base || key_shift_[first + w] != shift) continue;
                E& e = slots_[first + w];
                if (match(e)) {
                    touch(set, w);
                    ++hits;
                    f.entry = &e;
                    return f;
                }
            }
        }
        ++misses;
        return f;
    }

    // Stores `e` (replacing an entry with the same range that `same` accepts, else a victim).
    template <typename Same>
    void insert(const E& e, Same same) {
        if (!enable) return;
        const uint32_t set = set_of(e.base, e.shift);
        const size_t first = size_t(set) * associativity();
        uint32_t victim = associativity();
        for (uint32_t w = 0; w < associativity(); ++w) {
            if (key_base_[first + w] == e.base && key_shift_[first + w] == e.shift && same(slots_[first + w])) {
                victim = w;
                break;
            }
        }
        if (victim == associativity()) {
            for (uint32_t w = 0; w < associativity() && victim == associativity(); ++w)
                if (key_shift_[first + w] == kInvalid) victim = w;
        }
        if (victim == associativity()) {
            victim = choose_victim(set);
            ++evictions;
        }
        const size_t i = first + victim;
        if (valid(i)) forget(slots_[i]);
        slots_[i] = e;
        key_base_[first + victim] = e.base;
        key_shift_[first + victim] = e.shift;
        remember(e);
        touch(set, victim);
        count_fill();
    }

    // Removes every entry `match` accepts; returns how many.
    template <typename Match>
    unsigned invalidate_if(Match match) {
        unsigned n = 0;
        if (live_mask_)  // an empty cache (most TBUs' for most broadcasts) has nothing to scan
            for (size_t i = 0; i < slots_.size(); ++i) n += drop_if(i, match);
        invalidated += n;
        return n;
    }

    // The same as invalidate_if for a `match` that accepts only entries whose reach (ReachOf)
    // meets the input addresses [first, last] (by-address TLBIs): only the sets those
    // addresses map to are probed, for each entry size present. Entries whose reach exceeds
    // their size (split from a larger leaf) can be anywhere in it: with any such entry
    // present, or more sets to probe than the cache has, every entry is examined instead.
    template <typename Match>
    unsigned invalidate_range_if(uint64_t first, uint64_t last, Match match) {
        const uint64_t sizes_live = live_mask_;
        uint64_t probes = 0;
        for (uint64_t sizes = sizes_live; sizes && probes < sets(); sizes &= sizes - 1) {
            const unsigned shift = unsigned(__builtin_ctzll(sizes));
            probes += shift >= 64 ? 1 : ((last >> shift) - (first >> shift)) + 1;
        }
        if (split_ || probes >= sets()) return invalidate_if(match);
        unsigned n = 0;
        for (uint64_t sizes = sizes_live; sizes; sizes &= sizes - 1) {
            const unsigned shift = unsigned(__builtin_ctzll(sizes));
            const uint64_t end = last & ~mask(shift);
            for (uint64_t base = first & ~mask(shift);; base += uint64_t(1) << shift) {
                const uint32_t set = set_of(base, shift);
                for (uint32_t w = 0; w < associativity(); ++w) n += drop_if(size_t(set) * associativity() + w, match);
                if (base == end) break;
            }
        }
        invalidated += n;
        return n;
    }

    // Calls `fn` on every valid entry (which must not change the entry's base or shift).
    template <typename Fn>
    void for_each(Fn fn) {
        for (size_t i = 0; i < slots_.size(); ++i)
            if (valid(i)) fn(slots_[i]);
    }

    size_t valid_entries() const {
        size_t n = 0;
        for (size_t i = 0; i < slots_.size(); ++i) n += valid(i);
        return n;
    }
    // Distinct entry sizes present (what a serial lookup probes).
    unsigned live_sizes() const { return unsigned(__builtin_popcountll(live_mask_)); }

private:
    static uint64_t mask(unsigned shift) { return shift >= 64 ? ~uint64_t(0) : (uint64_t(1) << shift) - 1; }
    uint32_t set_of(uint64_t base, unsigned shift) const {
        const uint64_t n = shift >= 64 ? 0 : base >> shift;
        const uint64_t h = n ^ (n >> 17);
        const uint32_t s = sets();
        return uint32_t((s & (s - 1)) == 0 ? h & (s - 1) : h % s);  // a power of two: no division
    }
    bool valid(size_t i) const { return key_shift_[i] != kInvalid; }
    void remember(const E& e) {
        if (live_[e.shift]++ == 0) live_mask_ |= uint64_t(1) << e.shift;
        split_ += ReachOf<E>::of(e) > e.shift;
    }
    void forget(const E& e) {
        if (--live_[e.shift] == 0) live_mask_ &= ~(uint64_t(1) << e.shift);
        split_ -= ReachOf<E>::of(e) > e.shift;
    }
    template <typename Match>
    unsigned drop_if(size_t i, Match& match) {
        if (!valid(i) || !match(slots_[i])) return 0;
        key_shift_[i] = kInvalid;
        forget(slots_[i]);
        return 1;
    }

    // Tree pseudo-LRU over `tree_` leaves (the associativity rounded up to a power of two,
    // so any way count works): node n's bit (nodes 1 .. tree_-1, tree_words_ words per set)
    // says which half the next victim comes from (1: right).
    bool plru_bit(uint32_t set, unsigned node) const {
        return (plru_[size_t(set) * tree_words_ + node / 64] >> (node % 64)) & 1;
    }
    void set_plru_bit(uint32_t set, unsigned node, bool v) {
        uint64_t& w = plru_[size_t(set) * tree_words_ + node / 64];
        const uint64_t b = uint64_t(1) << (node % 64);
        w = v ? (w | b) : (w & ~b);
    }

    void touch(uint32_t set, uint32_t way) {
        stamps_[size_t(set) * associativity() + way] = ++clock_;
        if (plru_.empty()) return;
        // Point every node on the way's path away from it.
        unsigned node = 1;
        for (uint32_t span = tree_; span > 1; span /= 2) {
            const bool right = (way % span) >= span / 2;
            set_plru_bit(set, node, !right);
            node = node * 2 + (right ? 1 : 0);
        }
    }

    uint32_t choose_victim(uint32_t set) {
        switch (policy.value()) {
        case Policy::RoundRobin:
            return rr_[set]++ % associativity();
        case Policy::Random:
            return uint32_t(rng_.below(associativity()));
        case Policy::Plru: {
            unsigned node = 1;
            uint32_t way = 0;  // always a real way: the left half is never empty
            for (uint32_t span = tree_; span > 1; span /= 2) {
                // A right half beyond the last real way (a non-power-of-two associativity)
                // holds nothing to evict.
                const bool right = plru_bit(set, node) && way + span / 2 < associativity();
                if (right) way += span / 2;
                node = node * 2 + (right ? 1 : 0);
            }
            return way;
        }
        case Policy::Lru:
        default: {
            const uint64_t* stamp = &stamps_[size_t(set) * associativity()];
            uint32_t victim = 0;
            for (uint32_t w = 1; w < associativity(); ++w)
                if (stamp[w] < stamp[victim]) victim = w;
            return victim;
        }
        }
    }

    std::vector<E> slots_;  // the entries; validity and tags in the arrays below
    // Each slot's base and shift, kInvalid for an empty slot (its only validity flag), in arrays
    // of their own: a lookup scans these 9 bytes a way, not the whole slot (a fully associative
    // micro TLB has 32 ways).
    static constexpr uint8_t kInvalid = 0xff;
    std::vector<uint64_t> key_base_;
    std::vector<uint8_t> key_shift_;
    std::vector<uint64_t> stamps_;  // LRU: each slot's last use (scanned for a victim on a fill)
    uint32_t tree_ = 1;
    size_t tree_words_ = 1;
    std::vector<uint64_t> plru_;  // PLRU tree bits, tree_words_ per set (empty unless plru)
    std::vector<uint32_t> rr_;
    std::array<unsigned, 64> live_{};  // valid entries per size
    uint64_t live_mask_ = 0;           // sizes with at least one valid entry
    size_t split_ = 0;                 // valid entries whose reach exceeds their size
    uint64_t clock_ = 0;
    core::Rng rng_;
};

}  // namespace smmusim::smmu::cache
