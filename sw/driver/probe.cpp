#include "sw/driver/probe.h"

#include <algorithm>

#include "models/smmu/arch/regs.h"

namespace smmusim::sw::driver {

using namespace smmu::arch;

void probe_ecmdqs(hal::Bus& bus, uint64_t regs, SmmuCaps& c);

SmmuCaps probe(hal::Bus& bus, uint64_t regs) {
    const uint32_t i0 = bus.read32(regs + reg::IDR0);
    const uint32_t i1 = bus.read32(regs + reg::IDR1);
    const uint32_t i3 = bus.read32(regs + reg::IDR3);
    const uint32_t i5 = bus.read32(regs + reg::IDR5);
    SmmuCaps c;
    c.iidr = bus.read32(regs + reg::IIDR);
    c.s1 = get<idr0::S1P>(i0);
    c.s2 = get<idr0::S2P>(i0);
    if (!c.s1 && !c.s2) throw ProbeError("IDR0: neither stage 1 nor stage 2");
    const uint64_t ttf = get<idr0::TTF>(i0);
    if (ttf != 2 && ttf != 3) throw ProbeError("IDR0.TTF: no AArch64 translation tables");
    const uint64_t endian = get<idr0::TTENDIAN>(i0);
    if (endian != 0 && endian != idr0::TTENDIAN_LE) throw ProbeError("IDR0.TTENDIAN: no little-endian tables");
    if (get<idr1::TABLES_PRESET>(i1) || get<idr1::QUEUES_PRESET>(i1) || get<idr1::REL>(i1))
        throw ProbeError("IDR1: embedded implementation (presets / REL) not supported");
    c.two_level_st = get<idr0::ST_LEVEL>(i0) == 1;
    c.cd2l = get<idr0::CD2L>(i0);
    c.hyp = get<idr0::HYP>(i0);
    c.msi = get<idr0::MSI>(i0);
    c.sev = get<idr0::SEV>(i0);
    c.coherent = get<idr0::COHACC>(i0);
    c.asid_bits = get<idr0::ASID16>(i0) ? 16 : 8;
    c.vmid_bits = get<idr0::VMID16>(i0) ? 16 : 8;
    c.cmdq_log2 = unsigned(get<idr1::CMDQS>(i1));
    if (c.cmdq_log2 <= 6) throw ProbeError("IDR1.CMDQS: a command queue of 64 entries or fewer");
    c.evtq_log2 = unsigned(get<idr1::EVENTQS>(i1));
    c.sid_bits = unsigned(get<idr1::SIDSIZE>(i1));
    c.ssid_bits = unsigned(get<idr1::SSIDSIZE>(i1));
    if (c.sid_bits <= 8) c.two_level_st = false;  // Linux: a linear table is small enough
    c.ril = get<idr3::RIL>(i3);
    c.ats = get<idr0::ATS>(i0);
    c.btm = get<idr0::BTM>(i0);
    c.bbml = unsigned(get<idr3::BBML>(i3));
    if (get<idr5::GRAN4K>(i5)) c.pgsize_bitmap |= (1ull << 12) | (1ull << 21) | (1ull << 30);
    if (get<idr5::GRAN16K>(i5)) c.pgsize_bitmap |= (1ull << 14) | (1ull << 25);
    if (get<idr5::GRAN64K>(i5)) c.pgsize_bitmap |= (1ull << 16) | (1ull << 29);
    if (!c.pgsize_bitmap) throw ProbeError("IDR5: no translation granule");
    const uint64_t oas = get<idr5::OAS>(i5);
    c.oas = oas <= 5 ? pa_bits(oas) : 48;  // 52-bit output is not used
    if (get<idr1::ECMDQ>(i1)) probe_ecmdqs(bus, regs, c);
    return c;
}

// The posted series' arm_smmu_ecmdq_probe: 2^LOG2NUMP pages of 2^LOG2NUMQ queues, every page
// in registers (PRESET) and the pages contiguous; each queue 64 KiB >> LOG2NUMQ after the last.
void probe_ecmdqs(hal::Bus& bus, uint64_t regs, SmmuCaps& c) {
    const uint32_t i6 = bus.read32(regs + reg::IDR6);
    const unsigned log2p = std::min<unsigned>(unsigned(get<idr6::LOG2NUMP>(i6)), idr6::kMaxLog2);
    const unsigned log2q = std::min<unsigned>(unsigned(get<idr6::LOG2NUMQ>(i6)), idr6::kMaxLog2);
    constexpr uint64_t kPage = 0x10000;
    uint64_t first = 0;
    for (unsigned p = 0; p < (1u << log2p); ++p) {
        const uint64_t v = bus.read64(regs + reg::CMDQ_CONTROL_PAGE_BASE + reg::CMDQ_CONTROL_PAGE_STRIDE * p);
        const uint64_t at = get<cmdq_cp_base::ADDR>(v) << 16;
        if (!get<cmdq_cp_base::PRESET>(v)) {
            c.ecmdq_refused = "ECMDQ control page " + std::to_string(p) + " is in memory mode";
            return;
        }
        if (p == 0) first = at;
        if (at != first + p * kPage) {
            c.ecmdq_refused = "ECMDQ control pages are not contiguous";
            return;
        }
    }
    c.ecmdqs = 1u << (log2p + log2q);
    c.ecmdq_offset = first;
    c.ecmdq_stride = uint32_t(kPage >> log2q);
}

unsigned pick_granule(const SmmuCaps& caps, unsigned preferred_shift) {
    auto has = [&](unsigned s) { return (caps.pgsize_bitmap >> s) & 1; };
    if (has(preferred_shift)) return preferred_shift;
    for (unsigned s = preferred_shift; s >= 12; s -= 2)  // largest below
        if (has(s)) return s;
    for (unsigned s = preferred_shift; s <= 16; s += 2)  // else smallest above
        if (has(s)) return s;
    return 12;
}

}  // namespace smmusim::sw::driver
