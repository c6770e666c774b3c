#include <set>

#include <gtest/gtest.h>

#include "models/core/rng.h"

using namespace smmusim::core;

TEST(Rng, SameSeedSameSequence) {
    Rng a(42), b(42), c(43);
    bool differs = false;
    for (int i = 0; i < 100; ++i) {
        uint64_t x = a.next();
        EXPECT_EQ(x, b.next());
        differs |= x != c.next();
    }
    EXPECT_TRUE(differs);
}

TEST(Rng, BelowStaysInRangeAndCoversIt) {
    Rng r(7);
    std::set<uint64_t> seen;
    for (int i = 0; i < 10000; ++i) {
        uint64_t v = r.below(10);
        ASSERT_LT(v, 10u);
        seen.insert(v);
    }
    EXPECT_EQ(seen.size(), 10u);
    for (int i = 0; i < 1000; ++i) {
        double u = r.uniform();
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
    }
}

TEST(Rng, DerivedSeedsDependOnRunSeedAndName) {
    EXPECT_EQ(derive_seed(1, "dma0"), derive_seed(1, "dma0"));
    EXPECT_NE(derive_seed(1, "dma0"), derive_seed(1, "dma1"));
    EXPECT_NE(derive_seed(1, "dma0"), derive_seed(2, "dma0"));
}

// below(n) for a power of two (masked, no division) draws exactly what the general rejection
// formula draws from the same sequence: results of runs do not depend on the shortcut.
TEST(Rng, BelowAPowerOfTwoMatchesTheGeneralFormula) {
    for (uint64_t n : {uint64_t(1), uint64_t(2), uint64_t(64), uint64_t(1) << 16, uint64_t(1) << 40, uint64_t(1) << 63}) {
        Rng fast(99), raw(99);
        for (int i = 0; i < 2000; ++i) {
            const uint64_t limit = ~uint64_t(0) - (~uint64_t(0) % n) - 1;
            uint64_t x;
            do {
                x = raw.next();
            } while (x > limit);
            ASSERT_EQ(fast.below(n), x % n) << "n " << n << " draw " << i;
        }
    }
}
