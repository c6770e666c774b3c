// The strict command stream: Linux's __arm_smmu_tlb_inv_range (reference §5.2), checked
// against the reference's worked example and against what the commands cover.

#include <gtest/gtest.h>

#include <vector>

#include "models/smmu/arch/tlbi_range.h"
#include "sw/driver/tlb_inv.h"

using namespace smmusim;
using namespace smmusim::smmu::arch;
using sw::driver::InvTarget;
using sw::driver::range_commands;

namespace {

InvTarget s1(uint16_t asid = 5) {
    InvTarget t;
    t.kind = InvTarget::Kind::S1;
    t.asid = asid;
    return t;
}

// The bytes the commands cover, each decoded as the SMMU decodes it.
uint64_t covered(const std::vector<Command>& cmds, uint64_t* first = nullptr) {
    uint64_t total = 0;
    for (size_t i = 0; i < cmds.size(); ++i) {
        auto r = decode_tlbi_range(cmds[i], true);
        EXPECT_TRUE(r.has_value()) << "command " << i << " uses a reserved encoding";
        if (!r) continue;
        if (i == 0 && first) *first = r->addr;
        total += r->size;
    }
    return total;
}

}  // namespace

TEST(TlbInvRange, ReferenceWorkedExample47Pages) {
    const auto cmds = range_commands(s1(), 0x10000000, 47 * 4096, 4096, true, true);
    ASSERT_EQ(cmds.size(), 2u);
    EXPECT_EQ(cmds[0].opcode(), op::TLBI_NH_VA);
    EXPECT_EQ(cmds[0].get<Command::NUM>(), 14u);
    EXPECT_EQ(cmds[0].get<Command::SCALE>(), 0u);
    EXPECT_EQ(cmds[0].address<Command::Address>(), 0x10000000u);
    EXPECT_EQ(cmds[1].get<Command::NUM>(), 0u);
    EXPECT_EQ(cmds[1].get<Command::SCALE>(), 5u);
    EXPECT_EQ(cmds[1].address<Command::Address>(), 0x10000000u + 15 * 4096);
    for (const Command& c : cmds) {
        EXPECT_EQ(c.get<Command::TG>(), 1u);
        EXPECT_EQ(c.get<Command::TTL>(), 3u);
        EXPECT_EQ(c.get<Command::Leaf>(), 1u);
        EXPECT_EQ(c.get<Command::ASID>(), 5u);
    }
}

TEST(TlbInvRange, RangesCoverExactlyTheUnmappedPagesForASpreadOfSizes) {
    for (uint64_t pages : {1ull, 2ull, 3ull, 31ull, 32ull, 33ull, 47ull, 64ull, 100ull, 511ull, 512ull, 1000ull,
                           4097ull, 65535ull}) {
        uint64_t first = 0;
        const auto cmds = range_commands(s1(), 0x40000000, pages * 4096, 4096, true, true);
        EXPECT_EQ(covered(cmds, &first), pages * 4096) << pages << " pages";
        EXPECT_EQ(first, 0x40000000u);
        // One command per set bit group of five: at most ceil(bits / 5) + popcount-ish; never more than 13.
        EXPECT_LE(cmds.size(), 13u);
    }
}

TEST(TlbInvRange, TtlFollowsTheLeafSize) {
    EXPECT_EQ(range_commands(s1(), 0, 2u << 20, 2u << 20, true, true)[0].get<Command::TTL>(), 2u);
    EXPECT_EQ(range_commands(s1(), 0, 1u << 30, 1u << 30, true, true)[0].get<Command::TTL>(), 1u);
    InvTarget t64 = s1();
    t64.min_page_shift = 16;
    const auto c = range_commands(t64, 0, 512u << 20, 512u << 20, true, true);
    EXPECT_EQ(c[0].get<Command::TG>(), 3u);
    EXPECT_EQ(c[0].get<Command::TTL>(), 2u);
    InvTarget t16 = s1();
    t16.min_page_shift = 14;
    EXPECT_EQ(range_commands(t16, 0, 16384, 16384, true, true)[0].get<Command::TG>(), 2u);
    EXPECT_EQ(range_commands(t16, 0, 16384, 16384, true, true)[0].get<Command::TTL>(), 3u);
}

TEST(TlbInvRange, WalkFlushAvoidsTheReservedEncodingByOverInvalidatingOnePage) {
    // One page, non-leaf: NUM=SCALE=TTL=0 would be reserved, so two pages are named.
    const auto cmds = range_commands(s1(), 0x200000, 4096, 4096, false, true);
    ASSERT_EQ(cmds.size(), 1u);
    EXPECT_EQ(cmds[0].get<Command::Leaf>(), 0u);
    EXPECT_EQ(cmds[0].get<Command::TTL>(), 0u);
    EXPECT_EQ(covered(cmds), 2u * 4096);
    // 33 pages: (33 & 31) == 1, so 34.
    EXPECT_EQ(covered(range_commands(s1(), 0, 33 * 4096, 4096, false, true)), 34u * 4096);
}

TEST(TlbInvRange, WithoutRilOneCommandPerGranule) {
    const auto cmds = range_commands(s1(), 0x1000, 5 * 4096, 4096, true, false);
    ASSERT_EQ(cmds.size(), 5u);
    for (size_t i = 0; i < cmds.size(); ++i) {
        EXPECT_EQ(cmds[i].address<Command::Address>(), 0x1000u + i * 4096);
        EXPECT_EQ(cmds[i].get<Command::TG>(), 0u);
        EXPECT_EQ(cmds[i].get<Command::NUM>(), 0u);
    }
    // A 2 MiB leaf unmapped without RIL: one command at the block's address.
    EXPECT_EQ(range_commands(s1(), 0, 2u << 20, 2u << 20, true, false).size(), 1u);
    // A walk flush of a 2 MiB table without RIL: 512 commands.
    EXPECT_EQ(range_commands(s1(), 0, 2u << 20, 4096, false, false).size(), 512u);
}

TEST(TlbInvRange, StageTwoUsesS2IpaWithTheVmid) {
    InvTarget t;
    t.kind = InvTarget::Kind::S2;
    t.vmid = 9;
    const auto cmds = range_commands(t, 0x8000000000ull, 8192, 4096, true, true);
    ASSERT_EQ(cmds.size(), 1u);
    EXPECT_EQ(cmds[0].opcode(), op::TLBI_S2_IPA);
    EXPECT_EQ(cmds[0].get<Command::VMID>(), 9u);
    EXPECT_EQ(cmds[0].address<Command::IPA>(), 0x8000000000ull);
    EXPECT_EQ(cmds[0].get<Command::NUM>(), 0u);  // two pages: NUM+1 = 1, SCALE = 1
    EXPECT_EQ(cmds[0].get<Command::SCALE>(), 1u);
}

TEST(TlbInvRange, HugeRangesAreCoveredDespiteTheFiveBitScale) {
    // 16 TiB of 1 GiB leaves: 2^32 pages, more than one SCALE value can name.
    const uint64_t size = uint64_t(1) << 44;
    const auto cmds = range_commands(s1(), 0, size, 1u << 30, true, true);
    EXPECT_EQ(covered(cmds), size);
    for (const Command& c : cmds) EXPECT_LE(c.get<Command::SCALE>(), 31u);
}
