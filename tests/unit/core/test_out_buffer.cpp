#include <cinttypes>
#include <cstdio>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "models/core/out_buffer.h"

using smmusim::core::OutBuffer;

namespace {

// What the buffer wrote to a temporary stream.
template <class Fill>
std::string written(Fill fill) {
    std::FILE* f = std::tmpfile();
    OutBuffer b;
    b.attach(f);
    fill(b);
    b.flush();
    std::string s(size_t(std::ftell(f)), '\0');
    std::rewind(f);
    EXPECT_EQ(std::fread(s.data(), 1, s.size(), f), s.size());
    std::fclose(f);
    return s;
}

// Edge values (0, each power of ten and its neighbours, the extremes) and random ones of every
// length.
std::vector<uint64_t> numbers() {
    std::vector<uint64_t> v{0, 1, 9, 10, 11, 99, 100, 101, UINT64_MAX, UINT64_MAX - 1};
    for (uint64_t p = 10; p <= UINT64_MAX / 10; p *= 10) v.insert(v.end(), {p - 1, p, p + 1});
    v.push_back(10000000000000000000ull);
    std::mt19937_64 rng(7);
    for (int i = 0; i < 2000; ++i) v.push_back(rng() >> (rng() % 64));
    return v;
}

}  // namespace

TEST(OutBuffer, DecimalAndHexMatchPrintf) {
    std::string expect;
    char d[64];
    for (uint64_t n : numbers()) {
        std::snprintf(d, sizeof d, "%" PRIu64 " 0x%" PRIx64 "\n", n, n);
        expect += d;
    }
    const std::string got = written([](OutBuffer& b) {
        for (uint64_t n : numbers()) b.decimal(n).put(' ').hex(n).put('\n');
    });
    EXPECT_EQ(got, expect);
}

TEST(OutBuffer, PaddedHexAndDigitCountsMatchPrintf) {
    std::string expect;
    char d[64];
    for (uint64_t n : numbers()) {
        for (unsigned w : {0u, 1u, 5u, 16u}) {
            std::snprintf(d, sizeof d, "0x%0*" PRIx64 " %d\n", int(w), n, std::snprintf(nullptr, 0, "%" PRIu64, n));
            expect += d;
        }
    }
    const std::string got = written([](OutBuffer& b) {
        for (uint64_t n : numbers())
            for (unsigned w : {0u, 1u, 5u, 16u}) b.hex(n, w).put(' ').decimal(OutBuffer::decimal_digits(n)).put('\n');
    });
    EXPECT_EQ(got, expect);
}

TEST(OutBuffer, RecordsLongerThanTheBufferArriveWholeAndInOrder) {
    std::string big(OutBuffer::kCapacity * 2 + 123, 'x');
    for (size_t i = 0; i < big.size(); ++i) big[i] = char('a' + i % 26);
    const std::string shorts = "code";
    const std::string got = written([&](OutBuffer& b) {
        for (int i = 0; i < 3; ++i) b.put(big).put_short(shorts).decimal(uint64_t(i)).put('\n');
    });
    std::string expect;
    for (int i = 0; i < 3; ++i) expect += big + shorts + std::to_string(i) + "\n";
    EXPECT_EQ(got, expect);
}

// A VCD timestamp's text is kept across steps: after every step (small ones, ones that carry
// into the high part, a jump back) it reads as the value's decimal.
TEST(DecimalText, StaysTheDecimalOfItsValueAcrossSteps) {
    smmusim::core::DecimalText t;
    EXPECT_EQ(std::string(t.data(), t.size()), "0");
    std::mt19937_64 rng(7);
    uint64_t v = 0;
    for (int i = 0; i < 200000; ++i) {
        const unsigned kind = unsigned(rng() % 8);
        const uint64_t d = kind < 5 ? rng() % 5000 : kind < 7 ? rng() % 1000000000000ull : rng() % 100;
        if (kind == 7 && i % 1000 == 0) {
            v = rng() >> (rng() % 64);  // a fresh start anywhere (set)
            t.set(v);
        } else if (v + d >= v) {
            v += d;
            t.add(d);
        }
        ASSERT_EQ(t.value(), v);
        ASSERT_EQ(std::string(t.data(), t.size()), std::to_string(v)) << "after step " << i;
    }
    t.set(~uint64_t(0));
    EXPECT_EQ(std::string(t.data(), t.size()), "18446744073709551615");
    t.set(99999999);
    t.add(1);
    EXPECT_EQ(std::string(t.data(), t.size()), "100000000");
}
