#include "models/smmu/arch/tlbi_range.h"

#include <algorithm>

namespace smmusim::smmu::arch {

bool TlbiRange::overlaps(uint64_t a, uint64_t len) const {
    if (!is_range()) return addr >= a && addr - a < len;
    const uint64_t last = addr + (size - 1);
    const uint64_t a_last = a + (len - 1);
    return a <= last && addr <= a_last;
}

std::optional<TlbiRange> decode_tlbi_range(const Command& c, bool ril) {
    TlbiRange r;
    const bool ipa = c.opcode() == op::TLBI_S2_IPA;
    r.addr = ipa ? c.address<Command::IPA>() : c.address<Command::Address>();
    r.leaf = c.get<Command::Leaf>();
    // Without RIL the range fields are RES0 and ignored: a single-address invalidation.
    const uint64_t tg = ril ? c.get<Command::TG>() : 0;
    if (tg == 0) return r;
    r.tg_shift = tlbi_tg_shift(tg);
    const uint64_t num = c.get<Command::NUM>(), scale = std::min<uint64_t>(c.get<Command::SCALE>(), 39);
    uint64_t ttl = c.get<Command::TTL>();
    if (tg == 2 && ttl == 1) ttl = 0;  // 16K with TTL=01 is reserved without LPA2: no hint
    if (num == 0 && scale == 0 && ttl == 0) return std::nullopt;
    r.ttl = unsigned(ttl);
    // (NUM + 1) * 2^SCALE granules: at most 32 * 2^(39 + 16) bytes, so it fits. The range
    // does not wrap past the top of the space.
    r.size = (num + 1) << (unsigned(scale) + r.tg_shift);
    if (r.addr != 0) r.size = std::min(r.size, 0 - r.addr);
    return r;
}

}  // namespace smmusim::smmu::arch
