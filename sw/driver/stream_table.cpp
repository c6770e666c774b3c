#include "sw/driver/stream_table.h"

#include <algorithm>
#include <vector>

#include "models/smmu/arch/regs.h"
#include "models/smmu/arch/ste.h"

namespace smmusim::sw::driver {

using namespace smmu::arch;

namespace {
constexpr uint64_t kSteBytes = 64;
constexpr unsigned kMaxL1Log2 = 17;  // Linux caps the L1 table at 2^17 descriptors (1 MiB)

// `count` abort STEs at `pa`, written a cache line (one STE) at a time.
void fill_abort(hal::Bus& bus, uint64_t pa, uint64_t count) {
    unsigned char bytes[kSteBytes];
    Ste s;
    s.dw = abort_ste();
    s.store(bytes);
    for (uint64_t i = 0; i < count; ++i) bus.write(pa + i * kSteBytes, bytes, kSteBytes);
}
}  // namespace

Entry abort_ste() {
    Ste s;
    s.set<Ste::V>(1);
    s.set<Ste::Config>(ste_config::ABORT);
    return s.dw;
}

StreamTable::StreamTable(hal::Bus& bus, hal::PageAllocator& mem, unsigned sid_bits, bool two_level)
    : bus_(bus), mem_(mem), sid_bits_(sid_bits), two_level_(two_level && sid_bits > kSplit) {
    if (two_level_) {
        const unsigned l1_log2 = std::min(sid_bits - kSplit, kMaxL1Log2);
        log2size_ = l1_log2 + kSplit;
        const uint64_t l1_bytes = uint64_t(8) << l1_log2;
        base_ = mem_.alloc(l1_bytes);
        bus_.dma_memory(base_, l1_bytes);
        bus_.fill(base_, 0, l1_bytes);  // every L1STD invalid (Span 0)
        l2_.assign(size_t(1) << l1_log2, 0);
        bytes_ = mem_.block_size(base_);
    } else {
        log2size_ = sid_bits;
        const uint64_t n = uint64_t(1) << sid_bits;
        base_ = mem_.alloc(n * kSteBytes);
        bus_.dma_memory(base_, n * kSteBytes);
        fill_abort(bus_, base_, n);
        bytes_ = mem_.block_size(base_);
    }
}

uint64_t StreamTable::base_register() const {
    uint64_t v = put<strtab_base::RA>(0, 1);
    return strtab_base::ADDR::put_address(v, base_);
}

uint32_t StreamTable::cfg_register() const {
    uint64_t v = put<strtab_base_cfg::LOG2SIZE>(0, log2size_);
    if (two_level_) {
        v = put<strtab_base_cfg::FMT>(v, strtab_base_cfg::FMT_2LVL);
        v = put<strtab_base_cfg::SPLIT>(v, kSplit);
    }
    return uint32_t(v);
}

bool StreamTable::add_stream(uint32_t sid) {
    if (log2size_ < 32 && (uint64_t(sid) >> log2size_) != 0) return false;
    if (two_level_) {
        const uint32_t l1 = sid >> kSplit;
        if (!l2_[l1]) {
            const uint64_t l2_bytes = kSteBytes << kSplit;
            const uint64_t l2 = mem_.alloc(l2_bytes);
            bus_.dma_memory(l2, l2_bytes);
            fill_abort(bus_, l2, uint64_t(1) << kSplit);
            L1Std d;
            d.set<L1Std::Span>(kSplit + 1);
            d.set_address<L1Std::L2Ptr>(l2);
            bus_.store64(base_ + 8 * l1, d.dw[0]);
            l2_[l1] = l2;
            bytes_ += mem_.block_size(l2);
        }
    }
    stes_.emplace(sid, abort_ste());
    return true;
}

uint64_t StreamTable::ste_address(uint32_t sid) const {
    if (two_level_) return l2_.at(sid >> kSplit) + (sid & ((1u << kSplit) - 1)) * kSteBytes;
    return base_ + uint64_t(sid) * kSteBytes;
}

}  // namespace smmusim::sw::driver
