// Fuzz target (b): in-memory STEs, CDs and page tables under a running walker. Once, the
// bench gets well-formed structures for four StreamIDs (bypass-able, stage 1 over a CD table
// with 4 KiB and 64 KiB granules, stage 2, nested) and their tables; every input starts from
// them again (the table memory is restored), then overwrites STE and CD words and table
// descriptors with values from the input (structured ones: table and block descriptors that
// point back into the tables, or anything), optionally invalidates, and sends DMA through
// them. The walker must give every access an architected outcome (translation, fault event,
// abort), never a crash, an exception or a hang.

#include <vector>

#include "models/smmu/arch/cd.h"
#include "models/smmu/arch/commands.h"
#include "models/smmu/arch/ste.h"
#include "tests/fuzz/smmu_harness.h"

using namespace smmusim;
using namespace smmusim::smmu::arch;

namespace {

constexpr unsigned kSids = 4;
constexpr uint64_t kIova = 0x10000000, kIpa = 0x40000000, kSpan = 0x400000;

struct World {
    bool built = false;
    uint64_t lo = 0, hi = 0;  // the tables and CDs: restored before every input
    std::vector<unsigned char> snapshot;
    Ste ste[kSids];
    uint64_t cd_table = 0;
};
World w;

void build(test::SmmuBench& s) {
    w.lo = s.alloc(0, 4096);
    auto s1 = s.tables(12, 48, 0);
    auto s1_64k = s.tables(16, 48, 1);
    auto s2 = s.tables(12, 40, 1);
    s1.map(kIova, test::kDram + 0x100000, kSpan, 3, test::s1::RW);
    s1.map(kIova + kSpan, test::kDram + 0x200000, 0x200000, 2, test::s1::RW);
    s1_64k.map(kIova, test::kDram + 0x400000, kSpan, 3, test::s1::RW);
    s2.map(kIpa, test::kDram + 0x800000, kSpan, 3, test::s2::RW);
    s2.map(kIova, test::kDram + 0xC00000, kSpan, 2, test::s2::RW);
    // Stage-1 tables of the nested stream live at IPAs stage 2 maps to where they are.
    auto nested_s1 = s.tables(12, 48, 0);
    nested_s1.map(kIova, kIpa, kSpan, 3, test::s1::RW);
    w.cd_table = s.alloc(64 * 4, 64);
    s.put(w.cd_table, test::cd_for(s1));
    s.put(w.cd_table + 64, test::cd_for(s1_64k));
    s.put(w.cd_table + 128, test::cd_for(nested_s1));
    w.hi = s.alloc(0, 4096);
    w.ste[0] = test::ste_bypass();
    w.ste[1] = test::ste_s1(w.cd_table, 2);  // SSIDs 0..3 select the CDs
    w.ste[2] = test::ste_s2(s2);
    w.ste[3] = test::ste_nested(w.cd_table + 128, s2);
    w.snapshot.resize(w.hi - w.lo);
    s.dram.store().read(w.lo, w.snapshot.data(), w.snapshot.size());
    w.built = true;
}

uint64_t descriptor(fuzz::Bytes& b) {
    const uint64_t page = w.lo + (((uint64_t(b.u16()) << 12) % (w.hi - w.lo)) & ~uint64_t(0xfff));
    switch (b.pick(4)) {
    case 0: return page | 3;                                                    // a table
    case 1: return (test::kDram + (uint64_t(b.u16()) << 21)) | test::s1::RW | 1;  // a block
    case 2: return (test::kDram + (uint64_t(b.u16()) << 12)) | test::s1::RW | 3;  // a page
    default: return b.u64();
    }
}

void execute(fuzz::SmmuHarness& h, fuzz::Bytes& b) {
    test::SmmuBench& s = h.bench;
    if (!w.built) build(s);
    s.dram.store().write(w.lo, w.snapshot.data(), w.snapshot.size());
    for (uint32_t sid = 0; sid < kSids; ++sid) s.set_ste(sid, w.ste[sid]);
    for (unsigned n = 0; b.more() && n < 48; ++n) {
        switch (b.pick(8)) {
        case 0: {  // an STE word
            const uint32_t sid = b.pick(kSids);
            Ste e = w.ste[sid];
            const unsigned word = b.pick(8);
            e.dw[word] ^= b.pick(2) ? (uint64_t(1) << b.pick(64)) : b.u64();
            s.set_ste(sid, e);
            break;
        }
        case 1: {  // a CD word
            const uint64_t at = w.cd_table + 64 * b.pick(4) + 8 * b.pick(8);
            const uint64_t flip = b.pick(2) ? (uint64_t(1) << b.pick(64)) : b.u64();
            s.put64(at, s.get64(at) ^ flip);
            break;
        }
        case 2:
        case 3: {  // a descriptor anywhere in the tables
            const uint64_t at = w.lo + ((uint64_t(b.u32()) * 8) % (w.hi - w.lo));
            s.put64(at, descriptor(b));
            break;
        }
        case 4: {  // invalidate, as software would after changing tables
            h.put_command(op::CFGI_STE_RANGE, 31);  // Range = 31: every StreamID
            h.put_command(op::TLBI_NSNH_ALL, 0);
            h.put_command(op::TLBI_EL2_ALL, 0);
            h.sync();
            break;
        }
        default: {  // DMA
            const uint32_t sid = b.pick(kSids);
            const uint64_t base = b.pick(3) ? kIova : (b.pick(2) ? kIpa : b.u64());
            const uint64_t off = (uint64_t(b.u32()) % (2 * kSpan));
            const unsigned len = 1u << b.pick(7);
            const std::optional<uint32_t> ssid =
                sid == 1 && b.pick(2) ? std::optional<uint32_t>(b.pick(5)) : std::nullopt;
            const bool read = b.pick(2);
            const uint64_t at = (base + off) & ~uint64_t(len - 1);
            if (read) (void)s.dma_read(sid, at, len, ssid);
            else (void)s.dma_write(sid, at, std::vector<unsigned char>(len, 0x5A), ssid);
            break;
        }
        }
    }
    h.acknowledge();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static fuzz::SmmuHarness h({}, execute);
    h.run(data, size);
    return 0;
}
