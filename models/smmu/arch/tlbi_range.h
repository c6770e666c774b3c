#pragma once
// What an address-based TLBI covers (reference §5.1): TG/NUM/SCALE give a range of
// (NUM+1) * 2^SCALE granules from Address; TG=0 is a single address; TTL hints the leaf level;
// Leaf limits it to last-level entries. Used by the model to invalidate and by software to
// check what it asked for.

#include <cstdint>
#include <optional>

#include "models/smmu/arch/commands.h"

namespace smmusim::smmu::arch {

struct TlbiRange {
    uint64_t addr = 0;     // first address (VA, or IPA for TLBI_S2_IPA)
    uint64_t size = 0;     // bytes from addr, at most to the top of the space; 0 for TG=0
    unsigned tg_shift = 0;  // granule of the entries hit (12/14/16), 0 for any
    unsigned ttl = 0;       // leaf level hint 1..3, 0 for any
    bool leaf = false;

    bool is_range() const { return tg_shift != 0; }
    // Whether [a, a + len) meets the range (TG=0: whether it holds addr).
    bool overlaps(uint64_t a, uint64_t len) const;
};

// nullopt for the reserved encodings that make the command CERROR_ILL: TG != 0 with
// NUM = SCALE = 0 and TTL = 0 (TTL=01 counts as 0 for 16K without LPA2).
std::optional<TlbiRange> decode_tlbi_range(const Command& c, bool ril);

}  // namespace smmusim::smmu::arch
