// The CPU's TLB flush of a process mm (sw/mm/tlb_flush.h) against Linux arm64's tlbflush.h
// (v6.17 __flush_tlb_range / __flush_tlb_range_op / flush_tlb_mm): the streams for chosen
// sizes written out from the algorithm by hand, the thresholds, the order of barriers,
// TLBIs and the mmu notifier; and for random ranges that the operations cover exactly the
// pages of the range, each once.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "models/smmu/arch/dvm.h"
#include "sw/hal/bus.h"
#include "sw/mm/tlb_flush.h"

using namespace smmusim;
using namespace smmusim::sw;
using smmu::arch::dvm::Message;
using smmu::arch::dvm::Tlbi;
namespace dvm = smmu::arch::dvm;

namespace {

// Records the TLBIs, barriers and notifier calls in order; no memory.
class RecordingBus : public hal::Bus {
public:
    std::vector<std::string> log;
    std::vector<Message> tlbis;
    uint32_t read32(uint64_t) override { return 0; }
    void write32(uint64_t, uint32_t) override {}
    uint64_t read64(uint64_t) override { return 0; }
    void write64(uint64_t, uint64_t) override {}
    void read(uint64_t, void*, size_t) override {}
    void write(uint64_t, const void*, size_t) override {}
    void work(uint64_t) override {}
    uint64_t now() const override { return 0; }
    uint32_t wait_irq(uint32_t, uint64_t) override { return 0; }
    void barrier() override { log.push_back("DSB"); }
    void tlbi(const Message& m) override {
        tlbis.push_back(m);
        log.push_back(dvm::name(m.op));
    }
};

constexpr uint64_t kVa = 0x7f0000000000ull;
constexpr uint16_t kAsid = 9;

struct Flush {
    RecordingBus bus;
    std::vector<std::pair<uint64_t, uint64_t>> notified;
    void range(mm::CpuTlbFeatures f, uint64_t pages, bool last_level = true, uint64_t start = kVa) {
        mm::flush_tlb_range(bus, f, kAsid, start, start + pages * 4096, 4096, last_level, 3, [&](uint64_t s, uint64_t e) {
            bus.log.push_back("notify");
            notified.push_back({s, e});
        });
    }
};

const mm::CpuTlbFeatures kN1{false, false}, kN2{true, true};

}  // namespace

TEST(TlbFlush, WithoutRangeTlbisOnePerPageThenTheNotifierBeforeTheDsb) {
    Flush f;
    f.range(kN1, 3);
    EXPECT_EQ(f.bus.log, (std::vector<std::string>{"DSB", "VALE1IS", "VALE1IS", "VALE1IS", "notify", "DSB"}));
    for (size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(f.bus.tlbis[i].xt, dvm::va_operand(kVa + i * 4096, kAsid));  // no TTL without FEAT_TTL
        EXPECT_EQ(f.bus.tlbis[i].vmid, 0u);
    }
    ASSERT_EQ(f.notified.size(), 1u);
    EXPECT_EQ(f.notified[0], std::make_pair(kVa, kVa + 3 * 4096));
    Flush tables;
    tables.range(kN1, 1, false);
    EXPECT_EQ(tables.bus.log, (std::vector<std::string>{"DSB", "VAE1IS", "notify", "DSB"}));
}

// 511 pages are still flushed page by page; 512 (MAX_DVM_OPS) become flush_tlb_mm, whose
// notifier comes after its DSB and covers everything.
TEST(TlbFlush, WithoutRangeTlbisMaxDvmOpsPagesFlushTheWholeMm) {
    Flush f;
    f.range(kN1, 511);
    EXPECT_EQ(f.bus.tlbis.size(), 511u);
    Flush g;
    g.range(kN1, 512);
    EXPECT_EQ(g.bus.log, (std::vector<std::string>{"DSB", "ASIDE1IS", "DSB", "notify"}));
    EXPECT_EQ(g.bus.tlbis[0].xt, dvm::asid_operand(kAsid));
    EXPECT_EQ(g.notified[0], std::make_pair(uint64_t(0), mm::kFlushAll));
}

// With FEAT_TLBIRANGE: SCALE from 3 down, a range whenever NUM >= 0, a single page for the
// last odd one. 3 pages: SCALE 0 NUM 0 (2 pages), then VALE1IS. 64 pages: SCALE 1 NUM 0.
// 100 pages: SCALE 1 NUM 0 (64), SCALE 0 NUM 17 (36). With FEAT_TTL: level 3 hints.
TEST(TlbFlush, RangeTlbisFollowTheScaleLoop) {
    Flush f;
    f.range(kN2, 3);
    EXPECT_EQ(f.bus.log, (std::vector<std::string>{"DSB", "RVALE1IS", "VALE1IS", "notify", "DSB"}));
    EXPECT_EQ(f.bus.tlbis[0].xt, dvm::range_operand(kVa, kAsid, 12, 0, 0, 3));
    EXPECT_EQ(f.bus.tlbis[1].xt, dvm::va_operand(kVa + 2 * 4096, kAsid, dvm::ttl_hint(12, 3)));
    Flush g;
    g.range(kN2, 64);
    ASSERT_EQ(g.bus.tlbis.size(), 1u);
    EXPECT_EQ(g.bus.tlbis[0].xt, dvm::range_operand(kVa, kAsid, 12, 1, 0, 3));
    Flush h;
    h.range(kN2, 100);
    ASSERT_EQ(h.bus.tlbis.size(), 2u);
    EXPECT_EQ(h.bus.tlbis[0].xt, dvm::range_operand(kVa, kAsid, 12, 1, 0, 3));
    EXPECT_EQ(h.bus.tlbis[1].xt, dvm::range_operand(kVa + 64 * 4096, kAsid, 12, 0, 17, 3));
    // Past MAX_TLBI_RANGE_PAGES (2^21 pages): the whole mm even with range TLBIs.
    Flush big;
    big.range(kN2, mm::kMaxTlbiRangePages + 1);
    EXPECT_EQ(big.bus.log, (std::vector<std::string>{"DSB", "ASIDE1IS", "DSB", "notify"}));
    EXPECT_EQ(mm::kMaxTlbiRangePages, uint64_t(1) << 21);
}

// Random ranges: the operations' decoded ranges tile [start, end) exactly, in order.
TEST(TlbFlush, RandomRangesAreCoveredExactlyOnce) {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 2000; ++i) {
        const bool range = i % 2;
        const uint64_t pages = 1 + rng() % (range ? 300000 : 511);
        const uint64_t start = kVa + (rng() % 4096) * 4096;
        Flush f;
        f.range(range ? kN2 : kN1, pages, true, start);
        uint64_t next = start;
        for (const Message& m : f.bus.tlbis) {
            const auto r = dvm::decode_address(m.op, m.xt);
            ASSERT_TRUE(r);
            EXPECT_EQ(r->addr, next) << pages;
            next += r->is_range() ? r->size : 4096;
            EXPECT_EQ(smmu::arch::get<dvm::XtAsid>(m.xt), kAsid);
        }
        EXPECT_EQ(next, start + pages * 4096) << pages << (range ? " range" : "");
        if (range) {
            EXPECT_LE(f.bus.tlbis.size(), 5u);  // at most one range per SCALE, then one page
        }
    }
}
