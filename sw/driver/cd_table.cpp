#include "sw/driver/cd_table.h"

#include "models/smmu/arch/cd.h"

namespace smmusim::sw::driver {

using namespace smmu::arch;

namespace {
constexpr uint64_t kCdBytes = 64;
}

CdTable::CdTable(hal::Bus& bus, hal::PageAllocator& mem, unsigned ssid_bits, bool cd2l)
    : bus_(bus), mem_(mem), ssid_bits_(ssid_bits), two_level_(cd2l && ssid_bits > kLeafLog2) {
    const uint64_t contexts = uint64_t(1) << ssid_bits;
    if (two_level_) {
        const uint64_t l1 = (contexts + (1u << kLeafLog2) - 1) >> kLeafLog2;
        base_ = alloc(l1 * 8);
        leaves_.assign(l1, 0);
    } else {
        base_ = alloc(contexts * kCdBytes);
    }
}

CdTable::~CdTable() {
    for (uint64_t b : blocks_) mem_.free(b);
}

uint64_t CdTable::alloc(uint64_t bytes) {
    const uint64_t pa = mem_.alloc(bytes);
    bus_.dma_memory(pa, bytes);
    blocks_.push_back(pa);
    const uint64_t size = mem_.block_size(pa);
    bytes_ += size;
    bus_.fill(pa, 0, bytes);
    return pa;
}

uint64_t CdTable::s1fmt() const { return two_level_ ? s1fmt::L2_64K : s1fmt::LINEAR; }

uint64_t CdTable::cd_address(uint32_t ssid, const std::function<void()>& sync_l1) {
    if (ssid_bits_ < 32 && (uint64_t(ssid) >> ssid_bits_) != 0) return 0;
    if (!two_level_) return base_ + uint64_t(ssid) * kCdBytes;
    const uint32_t i = ssid >> kLeafLog2;
    if (!leaves_[i]) {
        leaves_[i] = alloc(kCdBytes << kLeafLog2);
        L1Cd d;
        d.set<L1Cd::V>(1);
        d.set_address<L1Cd::L2Ptr>(leaves_[i]);
        bus_.store64(base_ + 8 * i, d.dw[0]);
        sync_l1();
    }
    return leaves_[i] + uint64_t(ssid & ((1u << kLeafLog2) - 1)) * kCdBytes;
}

}  // namespace smmusim::sw::driver
