#include "sw/mm/tlb_flush.h"

#include <algorithm>

#include "models/smmu/arch/dvm.h"

namespace smmusim::sw::mm {

using smmu::arch::dvm::Message;
using smmu::arch::dvm::Tlbi;
namespace dvm = smmu::arch::dvm;

int64_t range_num(uint64_t pages, unsigned scale) {
    return int64_t(std::min(pages, range_pages(31, scale)) >> (5 * scale + 1)) - 1;
}

void flush_tlb_mm(hal::Bus& bus, uint16_t asid, const Notifier& notify) {
    bus.barrier();  // dsb(ishst)
    bus.tlbi(Message{Tlbi::ASIDE1IS, dvm::asid_operand(asid), 0, false});
    bus.barrier();  // dsb(ish)
    if (notify) notify(0, kFlushAll);
}

void flush_tlb_range(hal::Bus& bus, const CpuTlbFeatures& cpu, uint16_t asid, uint64_t start, uint64_t end,
                     uint64_t stride, bool last_level, unsigned level, const Notifier& notify) {
    start &= ~(stride - 1);
    end = (end + stride - 1) & ~(stride - 1);
    uint64_t pages = (end - start) >> 12;
    if ((!cpu.range && end - start >= kMaxDvmOps * stride) || pages > kMaxTlbiRangePages) {
        flush_tlb_mm(bus, asid, notify);
        return;
    }
    const unsigned ttl_level = cpu.ttl && level <= 3 ? level : 0;
    bus.barrier();  // dsb(ishst): the cleared PTEs are visible before the TLBIs
    uint64_t addr = start;
    int scale = 3;
    while (pages > 0) {
        if (!cpu.range || pages == 1) {
            const uint64_t xt = dvm::va_operand(addr, asid, ttl_level ? dvm::ttl_hint(12, ttl_level) : 0);
            bus.tlbi(Message{last_level ? Tlbi::VALE1IS : Tlbi::VAE1IS, xt, 0, false});
            addr += stride;
            pages -= std::min<uint64_t>(pages, stride >> 12);
            continue;
        }
        const int64_t num = range_num(pages, unsigned(scale));
        if (num >= 0) {
            const uint64_t xt = dvm::range_operand(addr, asid, 12, unsigned(scale), unsigned(num), ttl_level);
            bus.tlbi(Message{last_level ? Tlbi::RVALE1IS : Tlbi::RVAE1IS, xt, 0, false});
            addr += range_pages(num, unsigned(scale)) << 12;
            pages -= range_pages(num, unsigned(scale));
        }
        --scale;
    }
    if (notify) notify(start, end);
    bus.barrier();  // dsb(ish): the TLBIs have completed
}

}  // namespace smmusim::sw::mm
