#pragma once
// A device's context-descriptor table (Linux arm_smmu_alloc_cd_tables; reference §3.2):
// linear (one CD per SubstreamID) when the SMMU lacks CD2L or the device has at most 1024
// SubstreamIDs, otherwise 2-level with 64 KiB leaves of 1024 CDs, allocated on first use of an
// SSID in their range: the L1CD is written with one store and followed by CFGI_CD(Leaf=0) +
// CMD_SYNC, because an invalid L1CD may have been cached.

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "sw/driver/entry_writer.h"
#include "sw/hal/bus.h"
#include "sw/hal/page_alloc.h"

namespace smmusim::sw::driver {

class CdTable {
public:
    static constexpr unsigned kLeafLog2 = 10;  // CDs per 2-level leaf (64 KiB)

    CdTable(hal::Bus& bus, hal::PageAllocator& mem, unsigned ssid_bits, bool cd2l);
    ~CdTable();
    CdTable(const CdTable&) = delete;
    CdTable& operator=(const CdTable&) = delete;

    // STE fields: S1ContextPtr, S1Fmt, S1CDMax.
    uint64_t context_ptr() const { return base_; }
    uint64_t s1fmt() const;
    unsigned s1cdmax() const { return ssid_bits_; }
    bool two_level() const { return two_level_; }

    // The CD of `ssid`, allocating its leaf; `sync_l1` runs after a new L1CD is written.
    // Returns 0 for an SSID beyond the table.
    uint64_t cd_address(uint32_t ssid, const std::function<void()>& sync_l1);
    Entry& cd(uint32_t ssid) { return cds_[ssid]; }

    uint64_t table_bytes() const { return bytes_; }

private:
    uint64_t alloc(uint64_t bytes);

    hal::Bus& bus_;
    hal::PageAllocator& mem_;
    unsigned ssid_bits_;
    bool two_level_;
    uint64_t base_;
    std::vector<uint64_t> leaves_;
    std::vector<uint64_t> blocks_;
    std::map<uint32_t, Entry> cds_;
    uint64_t bytes_ = 0;
};

}  // namespace smmusim::sw::driver
