#pragma once
// Hitless update of a live STE or CD (Linux arm_smmu_write_entry; reference §9.2): each
// 64-bit word is one single-copy-atomic store, and the SMMU may read the entry between any two
// stores, so the new entry is reached through states the SMMU may legally use, with a
// configuration invalidation + CMD_SYNC after each step that changed something:
//   - words the current entry does not use are pre-loaded with their new values;
//   - if then only one used word differs, writing it switches over in one store;
//   - otherwise word 0 is cleared (V=0), the rest written, then word 0.

#include <array>
#include <cstdint>
#include <functional>

#include "sw/hal/bus.h"

namespace smmusim::sw::driver {

using Entry = std::array<uint64_t, 8>;

// Which bits of an entry the SMMU uses for its current configuration.
Entry ste_used_bits(const Entry& ste);
Entry cd_used_bits(const Entry& cd);

struct EntryWriteStats {
    unsigned stores = 0;
    unsigned syncs = 0;
    bool breaking = false;  // went through V=0
};

// Updates the entry at `pa`, whose current contents are `cur` (the driver's copy, updated),
// to `target`. `sync` invalidates the SMMU's copy and waits for CMD_SYNC.
EntryWriteStats write_entry(hal::Bus& bus, uint64_t pa, Entry& cur, const Entry& target,
                            Entry (*used)(const Entry&), const std::function<void()>& sync);

}  // namespace smmusim::sw::driver
