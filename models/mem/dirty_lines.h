#pragma once
// What DRAM holds where the CPUs' write-back data caches (cluster.cache.*) hold newer data
// (issue 18). The memory store always holds the coherent view: what a CPU load or a coherent
// agent's read returns, the caches' dirty data included. For each line a CPU cache holds dirty
// this keeps DRAM's older bytes, the line's "image", which a non-coherent agent's read (an SMMU
// with IDR0.COHACC = 0, core::MemAttr::non_coherent) returns instead of the coherent view: the
// stale descriptor a missing clean to the point of coherency leaves.
//
// A line's life:
// - a CPU store to a clean line: its image is taken (the coherent view before the store);
// - a clean (DC CVAC / CIVAC) or an eviction: a write-back carries the line's data at that
//   instant; when it reaches memory (MemAttr::write_back) it becomes the image, and the image
//   goes once the line is clean and no write-back of it is in flight (DRAM equals the view);
// - a coherent agent's write (DMA, a coherent SMMU's MSI, the CPUs' untimed boot-time writes):
//   snoops the line out of every CPU cache (on_snoop_invalidate) and DRAM takes the view;
// - a non-coherent agent's write: goes to the image of a line that has one (the CPU's later
//   write-back overwrites it, as in hardware), to the store for the others.
// Limitation: a non-coherent write to a line a CPU cache holds clean is seen by that CPU at
// once (the model keeps no stale clean copy); Linux never reads such memory through the cache.

#include <array>
#include <cstdint>
#include <functional>
#include <unordered_map>

#include "models/mem/sparse_store.h"

namespace smmusim::mem {

class DirtyLines {
public:
    static constexpr uint64_t kLine = 64;

    explicit DirtyLines(SparseStore& store) : store_(store) {}

    // ---- CPU side (models/cpu) ----
    // A CPU cache is about to store into the line of `addr` (not dirty in any CPU cache yet):
    // DRAM keeps what the line holds now.
    void made_dirty(uint64_t addr);
    // The line of `addr` was cleaned or evicted: its write-back is on its way.
    void write_back_sent(uint64_t addr);
    bool dirty(uint64_t addr) const {
        auto it = lines_.find(addr / kLine);
        return it != lines_.end() && it->second.dirty;
    }
    // Whether the line's DRAM bytes differ from the coherent view (an image is kept).
    bool stale(uint64_t addr) const { return lines_.count(addr / kLine) != 0; }
    // Set by the cluster: a coherent write to the line of `addr` removes it from every CPU cache.
    std::function<void(uint64_t addr)> on_snoop_invalidate;
    // While set, memory writes are the CPUs' own cached stores (debug transport): no snoop.
    bool cpu_storing = false;

    // ---- memory side (models/mem/memory.cpp) ----
    // A non-coherent read: the bytes of lines with an image are DRAM's.
    void read_dram(uint64_t addr, unsigned len, uint8_t* dst) const;
    // A non-coherent write: into the images of lines that have one, into the store for the rest.
    void write_dram(uint64_t addr, unsigned len, const uint8_t* src);
    // A write-back's arrival at memory: its data is DRAM's (the store keeps the view).
    void write_back_arrived(uint64_t addr, unsigned len, const uint8_t* src);
    // A coherent write of [addr, addr + len) (before it lands): the lines leave the CPU caches.
    // Returns whether any was dirty (a snoop hit).
    bool coherent_write(uint64_t addr, uint64_t len);
    // A coherent read: whether it touches a line dirty in a CPU cache (a snoop hit).
    bool coherent_read(uint64_t addr, uint64_t len) const;
    bool empty() const { return lines_.empty(); }

private:
    struct Line {
        std::array<uint8_t, kLine> dram{};
        bool dirty = false;        // held dirty by a CPU cache
        unsigned in_flight = 0;    // write-backs sent, not arrived
    };
    void maybe_drop(uint64_t line);

    SparseStore& store_;
    std::unordered_map<uint64_t, Line> lines_;  // line number -> state
};

}  // namespace smmusim::mem
