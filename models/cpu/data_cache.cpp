#include "models/cpu/data_cache.h"

#include <stdexcept>

namespace smmusim::cpu {

DataCaches::DataCaches(unsigned cores, uint64_t bytes, unsigned ways) : ways_(ways) {
    if (!ways || bytes % (ways * kLine)) throw std::invalid_argument("cache size not a multiple of ways * 64");
    sets_ = bytes / (ways * kLine);
    if (sets_ & (sets_ - 1)) throw std::invalid_argument("cache sets not a power of two");
    if (cores > kMaxCores) throw std::invalid_argument("too many cores for the cache directory");
    tags_.assign(cores, std::vector<Way>(sets_ * ways_));
}

DataCaches::Way* DataCaches::find(unsigned core, uint64_t line) {
    Way* set = &tags_[core][(line & (sets_ - 1)) * ways_];
    for (unsigned w = 0; w < ways_; ++w)
        if (set[w].line == line) return &set[w];
    return nullptr;
}

bool DataCaches::holds(unsigned core, uint64_t addr) const {
    auto it = dir_.find(addr / kLine);
    return it != dir_.end() && it->second.holders.test(core);
}

bool DataCaches::dirty(uint64_t addr) const {
    auto it = dir_.find(addr / kLine);
    return it != dir_.end() && it->second.dirty >= 0;
}

uint64_t DataCaches::insert(unsigned core, uint64_t line) {
    Way* set = &tags_[core][(line & (sets_ - 1)) * ways_];
    Way* victim = &set[0];
    for (unsigned w = 0; w < ways_; ++w) {
        if (set[w].line == kNone) {
            victim = &set[w];
            break;
        }
        if (set[w].used < victim->used) victim = &set[w];
    }
    uint64_t written_back = kNone;
    if (victim->line != kNone) {
        auto it = dir_.find(victim->line);
        if (it->second.dirty == int(core)) {
            written_back = victim->line * kLine;
            it->second.dirty = -1;
        }
        it->second.holders.reset(core);
        // A dirty line another core holds stays dirty there (MOESI Owned elsewhere).
        if (it->second.holders.none()) dir_.erase(it);
    }
    victim->line = line;
    victim->used = ++clock_;
    dir_[line].holders.set(core);
    return written_back;
}

void DataCaches::drop(unsigned core, uint64_t line) {
    if (Way* w = find(core, line)) w->line = kNone;
}

DataCaches::Source DataCaches::source(unsigned core, uint64_t addr, bool store) const {
    auto it = dir_.find(addr / kLine);
    if (it == dir_.end()) return Source::Memory;
    if (it->second.holders.test(core) && (!store || it->second.holders.count() == 1)) return Source::Hit;
    return Source::Transfer;
}

DataCaches::Result DataCaches::load(unsigned core, uint64_t addr) {
    const uint64_t line = addr / kLine;
    Result r;
    if (Way* w = find(core, line)) {
        w->used = ++clock_;
        return r;
    }
    auto it = dir_.find(line);
    r.source = it != dir_.end() ? Source::Transfer : Source::Memory;
    r.victim = insert(core, line);
    return r;
}

DataCaches::Result DataCaches::store(unsigned core, uint64_t addr) {
    const uint64_t line = addr / kLine;
    Result r;
    auto it = dir_.find(line);
    const bool here = find(core, line) != nullptr;
    const bool alone = it != dir_.end() && it->second.holders.count() == 1;
    if (here && alone) {
        find(core, line)->used = ++clock_;
    } else {
        r.source = here || it != dir_.end() ? Source::Transfer : Source::Memory;
        if (it != dir_.end())
            for (unsigned c = 0; c < tags_.size(); ++c)
                if (c != core && it->second.holders.test(c)) {
                    drop(c, line);
                    it->second.holders.reset(c);
                }
        if (!here) r.victim = insert(core, line);
        else find(core, line)->used = ++clock_;
    }
    dir_[line].dirty = int(core);  // the dirty data moves with the ownership
    return r;
}

bool DataCaches::clean(uint64_t addr) {
    auto it = dir_.find(addr / kLine);
    if (it == dir_.end() || it->second.dirty < 0) return false;
    it->second.dirty = -1;
    return true;
}

void DataCaches::invalidate(uint64_t addr) {
    const uint64_t line = addr / kLine;
    auto it = dir_.find(line);
    if (it == dir_.end()) return;
    for (unsigned c = 0; c < tags_.size(); ++c)
        if (it->second.holders.test(c)) drop(c, line);
    dir_.erase(it);
}

}  // namespace smmusim::cpu
