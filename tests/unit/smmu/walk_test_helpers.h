#pragma once
// Set-up shared by the walk and permission tests: streams over page tables, one access, and
// the check of the single event record a fault produces.

#include <gtest/gtest.h>

#include <functional>
#include <optional>

#include "models/core/stats.h"
#include "tests/common/smmu/smmu_bench.h"

using namespace smmusim;
using namespace smmusim::test;
using namespace smmusim::smmu::arch;

namespace walk_test {

constexpr auto kOk = tlm::TLM_OK_RESPONSE;
constexpr auto kAbort = tlm::TLM_GENERIC_ERROR_RESPONSE;
constexpr uint64_t kIn = evt_class::IN, kTt = evt_class::TT;
constexpr uint64_t kIpaField = 0x00FFFFFFFFFFF000ull;  // event dw3: IPA[55:12]
constexpr uint64_t kPage = ~uint64_t(0xFFF);
constexpr bool S1 = false, S2 = true;
constexpr int kAny = -1;  // descriptor reads not checked

inline uint64_t stat(const char* name) {
    const core::StatBase* s = core::StatsRegistry::instance().find(name);
    EXPECT_NE(s, nullptr) << name;
    return s ? s->to_json().get<uint64_t>() : ~uint64_t(0);
}

// Descriptor reads since construction (the counters are read live, during the run).
struct Reads {
    uint64_t s1_0 = stat("smmu.tcu.ptw_reads_s1"), s2_0 = stat("smmu.tcu.ptw_reads_s2");
    uint64_t s1() const { return stat("smmu.tcu.ptw_reads_s1") - s1_0; }
    uint64_t s2() const { return stat("smmu.tcu.ptw_reads_s2") - s2_0; }
    void expect(int s1_reads, int s2_reads) const {
        EXPECT_TRUE(s1_reads == kAny || s1() == uint64_t(s1_reads)) << "stage-1 reads: " << s1();
        EXPECT_TRUE(s2_reads == kAny || s2() == uint64_t(s2_reads)) << "stage-2 reads: " << s2();
    }
};

inline uint64_t value(const DmaResult& r) { return r.value(); }

struct Acc { bool write = false, priv = false, instr = false; };
constexpr Acc kRead{}, kWrite{true}, kPrivRead{false, true}, kPrivWrite{true, true};
constexpr Acc kInstr{false, false, true}, kPrivInstr{false, true, true};
constexpr uint64_t kWritten = 0x0807060504030201ull;  // what a write access() writes

// An 8-byte DMA at `addr` from `sid`: a read, or a write of kWritten.
inline DmaResult access(SmmuBench& b, uint32_t sid, uint64_t addr, Acc a = {}) {
    if (a.write) return b.dma_write(sid, addr, {1, 2, 3, 4, 5, 6, 7, 8}, std::nullopt, a.priv);
    return b.dma_read(sid, addr, 8, std::nullopt, a.priv, a.instr);
}

// A walk fault as recorded. dw3 is IPA[55:12] for stage-2 faults, FetchAddr for F_WALK_EABT and
// 0 for stage-1 faults (IPA UNKNOWN, written 0).
struct Event { uint8_t type; bool s2; uint64_t cls; uint64_t dw3 = 0; };

// The next event record is the only one, `x` for the access `a` of `sid` at `input`.
inline void expect_event(SmmuBench& b, uint32_t sid, uint64_t input, const Event& x, Acc a = {},
                  EventRecord* record = nullptr) {
    std::vector<EventRecord> ev = b.events(1);
    ASSERT_EQ(ev.size(), 1u);
    const EventRecord& e = ev[0];
    if (record) *record = e;
    EXPECT_EQ(event_name(e.type()), std::string(event_name(x.type)));
    EXPECT_EQ(e.get<EventRecord::StreamID>(), sid);
    EXPECT_EQ(e.get<EventRecord::SSV>(), 0u);
    EXPECT_EQ(e.get<EventRecord::S2>(), uint64_t(x.s2));
    EXPECT_EQ(e.get<EventRecord::Class>(), x.cls);
    EXPECT_EQ(e.get<EventRecord::InputAddr>(), input);
    EXPECT_EQ(e.dw[3], x.dw3) << "IPA / FetchAddr";
    EXPECT_EQ(e.get<EventRecord::RnW>(), uint64_t(!a.write));
    EXPECT_EQ(e.get<EventRecord::InD>(), uint64_t(a.instr));
    EXPECT_EQ(e.get<EventRecord::PnU>(), uint64_t(a.priv));
}

// `addr` from `sid` aborts after these descriptor reads and records `x`.
inline void expect_aborts(SmmuBench& b, uint32_t sid, uint64_t addr, const Event& x, int s1_reads, int s2_reads = kAny,
                   Acc a = {}) {
    SCOPED_TRACE(testing::Message() << "sid " << sid << " address 0x" << std::hex << addr);
    Reads n;
    EXPECT_EQ(access(b, sid, addr, a).status, kAbort);
    n.expect(s1_reads, s2_reads);
    expect_event(b, sid, addr, x, a);
}

// `addr` from `sid` reads the 8 bytes at `pa` (a marker put there) after these descriptor reads.
inline void expect_reads(SmmuBench& b, uint32_t sid, uint64_t addr, uint64_t pa, int s1_reads = kAny,
                  int s2_reads = kAny, Acc a = {}) {
    SCOPED_TRACE(testing::Message() << "sid " << sid << " address 0x" << std::hex << addr);
    const uint64_t marker = 0x0123456789ABCDEFull ^ pa;
    b.put64(pa, marker);
    Reads n;
    DmaResult r = access(b, sid, addr, a);
    EXPECT_EQ(r.status, kOk);
    EXPECT_EQ(value(r), marker);
    n.expect(s1_reads, s2_reads);
}

// One test's bench, enabled, running `script`. The TCU caches are off: these tests count the
// descriptor reads of the walks the architecture describes.
inline void with_bench(const std::function<void(SmmuBench&)>& script) {
    SmmuBench b(tcu_caches_off());
    b.run([&] {
        b.enable();
        script(b);
    });
}

// Stage 1 for `sid` through a CD for `pt`, adjusted by `fix`. After enable().
inline void s1_stream(SmmuBench& b, uint32_t sid, const PageTables& pt, const std::function<void(Cd&)>& fix = {}) {
    Cd cd = cd_for(pt);
    if (fix) fix(cd);
    const uint64_t at = b.alloc(64, 64);
    b.put(at, cd);
    b.set_ste(sid, ste_s1(at));
}

// Stage 2 only for `sid` through `pt` (S2R=1, S2PS 48 bits), adjusted by `fix`. After enable().
inline void s2_stream(SmmuBench& b, uint32_t sid, const PageTables& pt, const std::function<void(Ste&)>& fix = {}) {
    Ste ste = ste_s2(pt);
    if (fix) fix(ste);
    b.set_ste(sid, ste);
}

// Nested: stage 1 4K IA 48 (L0) over stage 2 4K IPA 40 (L1, 2 tables). VA `va` -> IPA `ipa` (a 4K
// page) -> PA `pa` when given; the CD and every S1 table page are mapped in S2 with IPA == PA.
struct Nested { PageTables s1, s2; };
constexpr uint64_t kNestVa = 0x7F1234567000ull, kNestIpa = 0x5500007000ull, kNestPa = kDram + 0xE000;
inline Nested nested_stream(SmmuBench& b, uint32_t sid, uint64_t va, uint64_t ipa, std::optional<uint64_t> pa,
                     const std::function<void(Ste&, Cd&)>& fix = {}) {
    Nested n{b.tables(12, 48, 0), b.tables(12, 40, 1)};
    n.s1.map(va, ipa, 0x1000, 3, s1::RW);
    const uint64_t cd_at = b.alloc(64, 64);
    Cd cd = cd_for(n.s1);
    Ste ste = ste_nested(cd_at, n.s2);
    if (fix) fix(ste, cd);
    b.put(cd_at, cd);
    n.s2.map(cd_at & kPage, cd_at & kPage, 0x1000, 3, s2::RW);
    for (int level = 0; level <= 3; ++level) {
        const uint64_t page = n.s1.descriptor_address(va, level) & kPage;
        n.s2.map(page, page, 0x1000, 3, s2::RW);
    }
    if (pa) n.s2.map(ipa, *pa, 0x1000, 3, s2::RW);
    b.set_ste(sid, ste);
    return n;
}

}  // namespace walk_test

using namespace walk_test;
