#include "models/mem/dirty_lines.h"

#include <algorithm>
#include <cstring>

namespace smmusim::mem {

void DirtyLines::made_dirty(uint64_t addr) {
    const uint64_t n = addr / kLine;
    auto [it, fresh] = lines_.try_emplace(n);
    // A line already stale (a write-back in flight) keeps DRAM's bytes: they are still older.
    if (fresh) store_.read(n * kLine, it->second.dram.data(), kLine);
    it->second.dirty = true;
}

void DirtyLines::write_back_sent(uint64_t addr) {
    auto it = lines_.find(addr / kLine);
    if (it == lines_.end()) return;
    it->second.dirty = false;
    ++it->second.in_flight;
}

void DirtyLines::maybe_drop(uint64_t line) {
    auto it = lines_.find(line);
    if (it != lines_.end() && !it->second.dirty && !it->second.in_flight) lines_.erase(it);
}

// Calls f(line number, offset in the line, offset in the access, bytes) for each line piece.
template <typename F>
static void by_line(uint64_t addr, uint64_t len, F f) {
    for (uint64_t done = 0; done < len;) {
        const uint64_t a = addr + done;
        const uint64_t off = a % DirtyLines::kLine;
        const uint64_t n = std::min(len - done, DirtyLines::kLine - off);
        f(a / DirtyLines::kLine, unsigned(off), done, unsigned(n));
        done += n;
    }
}

void DirtyLines::read_dram(uint64_t addr, unsigned len, uint8_t* dst) const {
    if (lines_.empty()) return;
    by_line(addr, len, [&](uint64_t line, unsigned off, uint64_t at, unsigned n) {
        auto it = lines_.find(line);
        if (it != lines_.end()) std::memcpy(dst + at, it->second.dram.data() + off, n);
    });
}

void DirtyLines::write_dram(uint64_t addr, unsigned len, const uint8_t* src) {
    by_line(addr, len, [&](uint64_t line, unsigned off, uint64_t at, unsigned n) {
        auto it = lines_.find(line);
        if (it != lines_.end()) std::memcpy(it->second.dram.data() + off, src + at, n);
        else store_.write(addr + at, src + at, n);
    });
}

void DirtyLines::write_back_arrived(uint64_t addr, unsigned len, const uint8_t* src) {
    by_line(addr, len, [&](uint64_t line, unsigned off, uint64_t at, unsigned n) {
        auto it = lines_.find(line);
        if (it == lines_.end()) return;  // a coherent write made DRAM the view meanwhile
        std::memcpy(it->second.dram.data() + off, src + at, n);
        if (it->second.in_flight) --it->second.in_flight;
        maybe_drop(line);
    });
}

bool DirtyLines::coherent_write(uint64_t addr, uint64_t len) {
    if (cpu_storing || !len) return false;
    bool hit = false;
    by_line(addr, len, [&](uint64_t line, unsigned, uint64_t, unsigned) {
        auto it = lines_.find(line);
        if (it != lines_.end()) {
            hit = hit || it->second.dirty;
            lines_.erase(it);  // the dirty data is merged with the write: DRAM takes the view
        }
        if (on_snoop_invalidate) on_snoop_invalidate(line * kLine);
    });
    return hit;
}

bool DirtyLines::coherent_read(uint64_t addr, uint64_t len) const {
    if (lines_.empty() || !len) return false;
    bool hit = false;
    by_line(addr, len, [&](uint64_t line, unsigned, uint64_t, unsigned) {
        auto it = lines_.find(line);
        hit = hit || (it != lines_.end() && it->second.dirty);
    });
    return hit;
}

}  // namespace smmusim::mem
