// The TLBI operand layouts of models/smmu/arch/dvm.h against the Arm ARM's register forms:
// the encoders Linux's __TLBI_VADDR / __TLBI_VADDR_RANGE correspond to, and what the SMMU
// decodes from them.

#include <gtest/gtest.h>

#include "models/smmu/arch/dvm.h"

using namespace smmusim::smmu::arch;
using namespace smmusim::smmu::arch::dvm;

TEST(ArchDvm, VaOperandFields) {
    const uint64_t xt = va_operand(0x0000'7f12'3456'7000ull, 0xBEEF, ttl_hint(12, 3));
    EXPECT_EQ(xt >> 48, 0xBEEFu);
    EXPECT_EQ((xt >> 44) & 0xF, 0b0111u);  // 4K granule (01), level 3
    EXPECT_EQ(xt & ((uint64_t(1) << 44) - 1), 0x7f1234567ull);
    const auto r = decode_address(Tlbi::VAE1IS, xt);
    ASSERT_TRUE(r);
    // A TTL hint: one granule of that size and level.
    EXPECT_EQ(r->addr, 0x7f1234567000ull);
    EXPECT_EQ(r->tg_shift, 12u);
    EXPECT_EQ(r->ttl, 3u);
    EXPECT_EQ(r->size, 0x1000u);
    EXPECT_FALSE(r->leaf);
    EXPECT_TRUE(decode_address(Tlbi::VALE1IS, xt)->leaf);
}

TEST(ArchDvm, VaWithoutHintIsOneAddressAndUpperVasAreSignExtended) {
    const auto r = decode_address(Tlbi::VAAE1IS, va_operand(0xffff'8000'1234'5000ull, 0));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->addr, 0xffff800012345000ull);
    EXPECT_FALSE(r->is_range());
    // A level of 0 (or a 16K level 1, which needs LPA2) is no hint.
    EXPECT_FALSE(decode_address(Tlbi::VAE1IS, va_operand(0x1000, 1, ttl_hint(12, 0)))->is_range());
    EXPECT_FALSE(decode_address(Tlbi::VAE1IS, va_operand(0x4000, 1, ttl_hint(14, 1)))->is_range());
}

TEST(ArchDvm, IpaOperand) {
    const auto r = decode_address(Tlbi::IPAS2LE1IS, ipa_operand(0x8'1234'5000ull, ttl_hint(16, 2)));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->addr, 0x812340000ull);  // aligned to the hinted 64K granule
    EXPECT_EQ(r->tg_shift, 16u);
    EXPECT_EQ(r->ttl, 2u);
    EXPECT_TRUE(r->leaf);
    EXPECT_TRUE(is_ipa(Tlbi::RIPAS2E1IS));
    EXPECT_FALSE(is_ipa(Tlbi::RVAE1IS));
}

// The range form: (NUM+1) * 2^(5*SCALE+1) granules, unlike the SMMU command's 2^SCALE.
TEST(ArchDvm, RangeOperandCoversNumPlusOneTimesTwoToFiveScalePlusOne) {
    struct C {
        unsigned tg, scale, num;
        uint64_t pages;
    } cases[] = {{12, 0, 0, 2}, {12, 0, 31, 64}, {12, 1, 0, 64}, {12, 1, 3, 256}, {16, 2, 0, 2048}, {14, 3, 1, 131072}};
    for (const C& c : cases) {
        const uint64_t base = uint64_t(0x40) << c.tg;
        const uint64_t xt = range_operand(base, 7, c.tg, c.scale, c.num, 3);
        EXPECT_EQ(get<XtRangeTg>(xt), uint64_t((c.tg - 10) / 2));
        const auto r = decode_address(Tlbi::RVAE1IS, xt);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->addr, base);
        EXPECT_EQ(r->size, c.pages << c.tg) << c.tg << " " << c.scale << " " << c.num;
        EXPECT_EQ(r->tg_shift, c.tg);
        EXPECT_EQ(r->ttl, 3u);
        EXPECT_EQ(get<XtAsid>(xt), 7u);
    }
}

TEST(ArchDvm, RangeWithReservedGranuleInvalidatesNothing) {
    uint64_t xt = range_operand(0x1000, 1, 12, 0, 0);
    xt = put<XtRangeTg>(xt, 0);
    EXPECT_FALSE(decode_address(Tlbi::RVAE1IS, xt));
}

TEST(ArchDvm, RangeBaseOfAnUpperVaIsSignExtended) {
    const uint64_t va = 0xffff'ffff'c000'0000ull;  // 4K: BaseADDR holds VA[48:12]
    const auto r = decode_address(Tlbi::RVAAE1IS, range_operand(va, 0, 12, 0, 1));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->addr, va);
    EXPECT_EQ(r->size, 4u << 12);
}

TEST(ArchDvm, OperationClasses) {
    EXPECT_FALSE(by_address(Tlbi::ASIDE1IS));
    EXPECT_FALSE(by_address(Tlbi::VMALLS12E1IS));
    EXPECT_FALSE(by_address(Tlbi::ALLE2IS));
    EXPECT_TRUE(by_address(Tlbi::VAE2IS));
    EXPECT_TRUE(last_level(Tlbi::RVAALE1IS));
    EXPECT_FALSE(last_level(Tlbi::RVAAE1IS));
    EXPECT_STREQ(name(Tlbi::RVALE2IS), "RVALE2IS");
    EXPECT_STREQ(name(Tlbi::VAE1IS), "VAE1IS");
    EXPECT_STREQ(name(Tlbi::ALLE2IS), "ALLE2IS");
}
