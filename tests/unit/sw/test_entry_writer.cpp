// The hitless STE/CD writer (reference §9.2, Linux arm_smmu_write_entry): the stores and the
// syncs between them, for the transitions Linux's comments list.

#include <gtest/gtest.h>

#include "models/smmu/arch/cd.h"
#include "models/smmu/arch/ste.h"
#include "sw/driver/entry_writer.h"
#include "sw/driver/stream_table.h"
#include "sw/hal/direct_bus.h"

using namespace smmusim;
using namespace smmusim::smmu::arch;
using sw::driver::Entry;

namespace {

Entry s2_ste(uint64_t ttb, uint16_t vmid) {
    Ste s;
    s.set<Ste::V>(1);
    s.set<Ste::Config>(ste_config::S2_TRANS);
    s.set<Ste::S2VMID>(vmid);
    s.set<Ste::S2T0SZ>(24);
    s.set<Ste::S2AA64>(1);
    s.set<Ste::S2R>(1);
    s.set_address<Ste::S2TTB>(ttb);
    return s.dw;
}

Entry s1_ste(uint64_t cdptr) {
    Ste s;
    s.set<Ste::V>(1);
    s.set<Ste::Config>(ste_config::S1_TRANS);
    s.set_address<Ste::S1ContextPtr>(cdptr);
    s.set<Ste::S1DSS>(s1dss::SSID0);
    s.set<Ste::S1CIR>(1);
    return s.dw;
}

Entry bypass_ste() {
    Ste s;
    s.set<Ste::V>(1);
    s.set<Ste::Config>(ste_config::BYPASS);
    return s.dw;
}

struct Writer {
    sw::hal::DirectBus bus;
    Entry cur = sw::driver::abort_ste();
    std::vector<Entry> at_sync;  // memory contents each time the writer synced
    sw::driver::EntryWriteStats write(const Entry& target, Entry (*used)(const Entry&) = sw::driver::ste_used_bits) {
        for (unsigned i = 0; i < 8; ++i) bus.store64(0x1000 + 8 * i, cur[i]);
        return sw::driver::write_entry(bus, 0x1000, cur, target, used, [&] {
            Entry e;
            for (unsigned i = 0; i < 8; ++i) e[i] = bus.load64(0x1000 + 8 * i);
            at_sync.push_back(e);
        });
    }
};

}  // namespace

TEST(EntryWriter, AbortToS2IsHitlessWordZeroLast) {
    Writer r;
    const Entry t = s2_ste(0x90000000, 3);
    const auto st = r.write(t);
    EXPECT_FALSE(st.breaking);
    ASSERT_EQ(st.syncs, 2u);
    // First sync: words 1-3 written while word 0 still says abort.
    EXPECT_EQ(r.at_sync[0][0], sw::driver::abort_ste()[0]);
    EXPECT_EQ(r.at_sync[0][2], t[2]);
    EXPECT_EQ(r.at_sync[0][3], t[3]);
    EXPECT_EQ(r.at_sync[1], t);
    EXPECT_EQ(r.cur, t);
}

TEST(EntryWriter, BypassToS1TakesThreeSteps) {
    Writer r;
    r.cur = bypass_ste();
    const Entry t = s1_ste(0xA0000000);
    const auto st = r.write(t);
    EXPECT_FALSE(st.breaking);
    EXPECT_EQ(r.cur, t);
    EXPECT_GE(st.syncs, 2u);
    // Every state the SMMU could see is either the old configuration or the new one.
    for (const Entry& e : r.at_sync) {
        const uint64_t cfg = Ste::Config::get(e[0]);
        EXPECT_TRUE(cfg == ste_config::BYPASS || cfg == ste_config::S1_TRANS);
        if (cfg == ste_config::S1_TRANS) {
            EXPECT_EQ(Ste::S1ContextPtr::address(e[0]), 0xA0000000u);
        }
    }
}

TEST(EntryWriter, TwoUsedWordsChangingBreaksThroughVZero) {
    Writer r;
    r.cur = s2_ste(0x90000000, 3);
    const Entry t = s2_ste(0x91000000, 4);  // VMID (word 2) and S2TTB (word 3) both change
    const auto st = r.write(t);
    EXPECT_TRUE(st.breaking);
    ASSERT_EQ(st.syncs, 3u);
    EXPECT_EQ(r.at_sync[0][0], 0u);  // V=0 first
    EXPECT_EQ(r.at_sync[1][0], 0u);
    EXPECT_EQ(r.at_sync[1][2], t[2]);
    EXPECT_EQ(r.at_sync[2], t);
}

TEST(EntryWriter, RewritingTheSameEntryDoesNothing) {
    Writer r;
    r.cur = s2_ste(0x90000000, 3);
    const auto st = r.write(r.cur);
    EXPECT_EQ(st.stores, 0u);
    EXPECT_EQ(st.syncs, 0u);
}

TEST(EntryWriter, CdWithNewAsidAndTableBreaks) {
    Writer r;
    Cd a, b;
    a.set<Cd::V>(1);
    a.set<Cd::ASID>(1);
    a.set_address<Cd::TTB0>(0x1000000);
    b = a;
    b.set<Cd::ASID>(2);
    b.set_address<Cd::TTB0>(0x2000000);
    r.cur = a.dw;
    const auto st = r.write(b.dw, sw::driver::cd_used_bits);
    EXPECT_TRUE(st.breaking);
    EXPECT_EQ(r.cur, b.dw);
    // An invalid CD to a valid one: only V is used, so one step after pre-loading the rest.
    Writer fresh;
    fresh.cur = Entry{};
    const auto st2 = fresh.write(a.dw, sw::driver::cd_used_bits);
    EXPECT_FALSE(st2.breaking);
    EXPECT_EQ(fresh.at_sync.back(), a.dw);
    EXPECT_EQ(Cd::V::get(fresh.at_sync.front()[0]), st2.syncs == 1 ? 1u : 0u);
}
