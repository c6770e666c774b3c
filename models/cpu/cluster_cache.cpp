// The CPU cluster's data caches (cluster.h, "Data caches"): timing and data of cached accesses,
// cache maintenance by line, and the hooks that keep mem::DirtyLines true.

#include <array>

#include "models/cpu/cluster.h"
#include "models/mem/memory.h"

namespace smmusim::cpu {

void Cluster::make_cache_stats() { cache_stats_ = std::make_unique<CacheStats>(); }

void Cluster::attach_memory(mem::Memory& m) {
    if (!caches_) return;
    auto d = std::make_unique<mem::DirtyLines>(m.store());
    // A coherent agent's write takes the line out of every core's cache (snoop invalidation).
    d->on_snoop_invalidate = [this](uint64_t addr) { caches_->invalidate(addr); };
    m.set_dirty_lines(d.get(), core(0).clock.cycles(snoop_cycles));
    memories_.emplace_back(&m, std::move(d));
}

mem::DirtyLines* Cluster::dirty_lines(uint64_t addr) const {
    for (const auto& [m, d] : memories_)
        if (m->contains(addr, 1)) return d.get();
    return nullptr;
}

void Cluster::add_non_cacheable(uint64_t addr, uint64_t len) { add_range(non_cacheable_, addr, len); }

uint64_t Cluster::acquire_line(unsigned i, uint64_t addr, bool store, bool zero, bool& ok) {
    Cpu& cpu = core(i);
    ok = true;
    // The cost first, then the state change, so that nothing happens between the state change
    // and the caller's data access (a coherent write during the wait would find the line gone).
    switch (caches_->source(i, addr, store)) {
    case DataCaches::Source::Hit:
        cpu.work(cached_cycles);
        ++cache_stats_->hits;
        break;
    case DataCaches::Source::Transfer:
        cpu.stall_transfer(atomic_cycles);
        ++cache_stats_->transfers;
        break;
    case DataCaches::Source::Memory:
        if (zero) {
            cpu.work(cached_cycles);  // DC ZVA allocates the line zeroed: no fill
            ++cache_stats_->zeroes;
        } else {
            std::array<uint8_t, kLine> buf;
            ok = cpu.access(false, addr / kLine * kLine, buf.data(), unsigned(kLine));
            ++cache_stats_->fills;
            if (!ok) return DataCaches::kNone;
        }
        break;
    }
    return (store ? caches_->store(i, addr) : caches_->load(i, addr)).victim;
}

bool Cluster::load_cached(unsigned i, uint64_t addr, void* dst, unsigned len) {
    return core(i).debug_access(false, addr, dst, len);
}

bool Cluster::store_cached(unsigned i, uint64_t addr, const void* src, unsigned len) {
    mem::DirtyLines* d = dirty_lines(addr);
    if (!d->dirty(addr)) d->made_dirty(addr);
    d->cpu_storing = true;  // the core's own store: no snoop of its own line
    const bool ok = core(i).debug_access(true, addr, const_cast<void*>(src), len);
    d->cpu_storing = false;
    return ok;
}

void Cluster::write_back(unsigned i, uint64_t line) {
    if (line == DataCaches::kNone) return;
    mem::DirtyLines* d = dirty_lines(line);
    std::array<uint8_t, kLine> buf;
    core(i).debug_access(false, line, buf.data(), unsigned(kLine));
    d->write_back_sent(line);
    ++cache_stats_->write_backs;
    core(i).post_write_back(line, buf.data(), unsigned(kLine));
}

void Cluster::clean_line(unsigned i, uint64_t addr, bool invalidate) {
    core(i).work(cmo_cycles);
    if (!caches_) return;
    ++cache_stats_->cmos;
    if (!cacheable(addr)) return;
    const uint64_t line = addr / kLine * kLine;
    const bool was_dirty = caches_->clean(line);
    if (invalidate) caches_->invalidate(line);
    if (was_dirty) write_back(i, line);
}

}  // namespace smmusim::cpu
