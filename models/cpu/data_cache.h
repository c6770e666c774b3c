#pragma once
// The CPU cores' write-back data caches (issue 18, cluster.cache.*): which lines each core's
// cache holds and which core holds each line dirty. Tags only: the data is the memory store's
// coherent view (mem::DirtyLines keeps DRAM's older bytes of dirty lines). One level per core,
// set-associative with LRU replacement, write-allocate; lines move between cores MOESI-like:
// several cores may hold a line, one of them responsible for its dirty data; a store makes the
// storing core the only holder and the line dirty there.
//
// The cluster (cluster.cpp) times what these calls decide: a hit, a transfer from another core,
// a fill from memory, the write-back of an evicted dirty line.

#include <bitset>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace smmusim::cpu {

class DataCaches {
public:
    static constexpr unsigned kMaxCores = 256;
    static constexpr uint64_t kLine = 64;
    static constexpr uint64_t kNone = ~uint64_t(0);

    // `bytes` per core, a power of two multiple of ways * kLine.
    DataCaches(unsigned cores, uint64_t bytes, unsigned ways);

    enum class Source { Hit, Transfer, Memory };
    struct Result {
        Source source = Source::Hit;
        uint64_t victim = kNone;  // a dirty line this core evicted (line address): to write back
    };
    // Where a load or a store of core `core` to the line of `addr` would get the line from
    // (nothing changes).
    Source source(unsigned core, uint64_t addr, bool store) const;
    // Core `core` loads from / stores to the line of `addr`. A store takes the line from the
    // other cores and makes it dirty here.
    Result load(unsigned core, uint64_t addr);
    Result store(unsigned core, uint64_t addr);
    // Whether any core holds the line dirty / at all.
    bool dirty(uint64_t addr) const;
    bool held(uint64_t addr) const { return dir_.count(addr / kLine) != 0; }
    bool holds(unsigned core, uint64_t addr) const;
    // DC CVAC's effect: the line is clean everywhere. True if it was dirty (a write-back is due).
    bool clean(uint64_t addr);
    // The line leaves every core's cache (DC CIVAC after the clean, a coherent agent's write).
    void invalidate(uint64_t addr);

private:
    struct Way {
        uint64_t line = kNone;
        uint64_t used = 0;  // LRU stamp
    };
    struct Dir {
        std::bitset<kMaxCores> holders;
        int dirty = -1;  // core responsible for the dirty data, or -1
    };
    Way* find(unsigned core, uint64_t line);
    // Puts `line` in core's cache; returns the dirty line it evicted (kNone if none).
    uint64_t insert(unsigned core, uint64_t line);
    void drop(unsigned core, uint64_t line);

    unsigned ways_;
    uint64_t sets_;
    std::vector<std::vector<Way>> tags_;  // per core: sets_ * ways_
    std::unordered_map<uint64_t, Dir> dir_;  // line -> holders
    uint64_t clock_ = 0;
};

}  // namespace smmusim::cpu
