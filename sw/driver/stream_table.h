#pragma once
// The stream table in memory (Linux arm_smmu_init_strtab; reference §1.9, §2.4): linear, or
// 2-level with SPLIT=8 when the SMMU supports it and has more than 8 StreamID bits. Level-2
// tables (256 STEs, 16 KiB) are allocated when a device with a StreamID in their span is
// added, filled with abort STEs, and hooked in with one 64-bit L1STD store (Linux issues no
// CFGI for it: an invalid L1STD is never cached). Every STE starts as abort (V=1, Config=0).

#include <cstdint>
#include <map>
#include <vector>

#include "sw/driver/entry_writer.h"
#include "sw/hal/bus.h"
#include "sw/hal/page_alloc.h"

namespace smmusim::sw::driver {

class StreamTable {
public:
    static constexpr unsigned kSplit = 8;

    StreamTable(hal::Bus& bus, hal::PageAllocator& mem, unsigned sid_bits, bool two_level);

    uint64_t base_register() const;  // STRTAB_BASE
    uint32_t cfg_register() const;   // STRTAB_BASE_CFG
    bool two_level() const { return two_level_; }
    unsigned sid_bits() const { return sid_bits_; }

    // Makes the STE of `sid` exist (allocating its level-2 table); false if `sid` is out of range.
    bool add_stream(uint32_t sid);
    // The STE's address and the driver's copy of it (add_stream first).
    uint64_t ste_address(uint32_t sid) const;
    Entry& ste(uint32_t sid) { return stes_.at(sid); }

    uint64_t table_bytes() const { return bytes_; }

private:
    hal::Bus& bus_;
    hal::PageAllocator& mem_;
    unsigned sid_bits_;
    bool two_level_;
    unsigned log2size_;  // StreamIDs the table covers
    uint64_t base_;
    std::vector<uint64_t> l2_;          // 2-level: level-2 table address per L1 index (0: none)
    std::map<uint32_t, Entry> stes_;    // copies of the STEs the driver has made
    uint64_t bytes_ = 0;
};

// The abort STE every unused StreamID holds.
Entry abort_ste();

}  // namespace smmusim::sw::driver
