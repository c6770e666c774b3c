#include <map>
#include <set>

#include <gtest/gtest.h>

#include "models/traffic/address_pattern.h"

using namespace smmusim;
using smmusim::traffic::AddressPattern;
using smmusim::traffic::Pattern;
using smmusim::traffic::PatternConfig;

TEST(AddressPattern, SequentialWrapsAtTheRegionEnd) {
    core::Rng rng(1);
    AddressPattern p(PatternConfig{Pattern::Sequential, 0x1000, 256, 64, 0, 0, 0}, rng);
    std::vector<uint64_t> got;
    for (int i = 0; i < 6; ++i) got.push_back(p.next());
    EXPECT_EQ(got, (std::vector<uint64_t>{0x1000, 0x1040, 0x1080, 0x10c0, 0x1000, 0x1040}));
}

TEST(AddressPattern, StridedStepsByStrideModuloRegion) {
    core::Rng rng(1);
    AddressPattern p(PatternConfig{Pattern::Strided, 0x0, 0x3000, 64, 0x1000, 0, 0}, rng);
    std::vector<uint64_t> got;
    for (int i = 0; i < 4; ++i) got.push_back(p.next());
    EXPECT_EQ(got, (std::vector<uint64_t>{0x0, 0x1000, 0x2000, 0x0}));
}

TEST(AddressPattern, RandomIsAlignedInsideAndCoversTheRegion) {
    core::Rng rng(5);
    AddressPattern p(PatternConfig{Pattern::Random, 0x80000000, 64 * 128, 128, 0, 0, 0}, rng);
    std::set<uint64_t> seen;
    for (int i = 0; i < 5000; ++i) {
        uint64_t a = p.next();
        ASSERT_GE(a, 0x80000000u);
        ASSERT_LT(a, 0x80000000u + 64 * 128);
        ASSERT_EQ(a % 128, 0u);
        seen.insert(a);
    }
    EXPECT_EQ(seen.size(), 64u);
}

TEST(AddressPattern, HotSetFractionGoesToTheHotWindow) {
    core::Rng rng(9);
    const uint64_t hot = 4096, region = 1 << 20;
    AddressPattern p(PatternConfig{Pattern::HotSet, 0, region, 64, 0, hot, 0.8}, rng);
    const int n = 20000;
    int in_hot = 0;
    for (int i = 0; i < n; ++i) in_hot += p.next() < hot;
    // 80 % chosen hot, plus the cold draws that land in the window by chance (4 KiB of 1 MiB).
    double expected = 0.8 + 0.2 * double(hot) / double(region);
    EXPECT_NEAR(double(in_hot) / n, expected, 0.015);
}

TEST(AddressPattern, SameSeedSameAddresses) {
    core::Rng r1(77), r2(77), r3(78);
    PatternConfig cfg{Pattern::Random, 0, 1 << 20, 64, 0, 0, 0};
    AddressPattern a(cfg, r1), b(cfg, r2), c(cfg, r3);
    bool differs = false;
    for (int i = 0; i < 100; ++i) {
        uint64_t x = a.next();
        EXPECT_EQ(x, b.next());
        differs |= x != c.next();
    }
    EXPECT_TRUE(differs);
}
