#include <gtest/gtest.h>

#include "models/core/value_parse.h"

using namespace smmusim::core;
using sc_core::sc_time;
using sc_core::SC_NS;
using sc_core::SC_PS;

namespace {
uint64_t u64(const std::string& s) {
    uint64_t v = 0;
    std::string err;
    EXPECT_TRUE(parse_u64(s, v, err)) << s << ": " << err;
    return v;
}
bool u64_fails(const std::string& s) {
    uint64_t v;
    std::string err;
    bool ok = parse_u64(s, v, err);
    return !ok && !err.empty();
}
}  // namespace

TEST(ValueParse, UnsignedDecimalHexAndSeparators) {
    EXPECT_EQ(u64("42"), 42u);
    EXPECT_EQ(u64("0x2A"), 42u);
    EXPECT_EQ(u64("0x8000_0000"), 0x80000000u);
    EXPECT_EQ(u64(" 7 "), 7u);
    EXPECT_EQ(u64("18446744073709551615"), ~uint64_t(0));
}

TEST(ValueParse, SizeSuffixesAreBinary) {
    EXPECT_EQ(u64("4KiB"), 4096u);
    EXPECT_EQ(u64("2MiB"), 2u << 20);
    EXPECT_EQ(u64("8 GiB"), uint64_t(8) << 30);
    EXPECT_EQ(u64("1TiB"), uint64_t(1) << 40);
    EXPECT_EQ(u64("0x10KiB"), 16u << 10);
}

TEST(ValueParse, UnsignedRejectsGarbageAndOverflow) {
    EXPECT_TRUE(u64_fails(""));
    EXPECT_TRUE(u64_fails("abc"));
    EXPECT_TRUE(u64_fails("0x"));
    EXPECT_TRUE(u64_fails("-1"));
    EXPECT_TRUE(u64_fails("4KB"));
    EXPECT_TRUE(u64_fails("_1"));
    EXPECT_TRUE(u64_fails("18446744073709551616"));
    EXPECT_TRUE(u64_fails("0x1_0000_0000_0000_0000"));
    EXPECT_TRUE(u64_fails("16777216TiB"));
}

TEST(ValueParse, SignedRange) {
    int64_t v;
    std::string err;
    ASSERT_TRUE(parse_i64("-5", v, err));
    EXPECT_EQ(v, -5);
    ASSERT_TRUE(parse_i64("-0x10", v, err));
    EXPECT_EQ(v, -16);
    ASSERT_TRUE(parse_i64("-9223372036854775808", v, err));
    EXPECT_EQ(v, INT64_MIN);
    EXPECT_FALSE(parse_i64("9223372036854775808", v, err));
    EXPECT_FALSE(parse_i64("--1", v, err));
}

TEST(ValueParse, Booleans) {
    bool b = false;
    std::string err;
    for (const char* t : {"true", "TRUE", "1", "yes", "on"}) {
        ASSERT_TRUE(parse_bool(t, b, err)) << t;
        EXPECT_TRUE(b);
    }
    for (const char* f : {"false", "0", "No", "off"}) {
        ASSERT_TRUE(parse_bool(f, b, err)) << f;
        EXPECT_FALSE(b);
    }
    EXPECT_FALSE(parse_bool("maybe", b, err));
}

TEST(ValueParse, Doubles) {
    double d;
    std::string err;
    ASSERT_TRUE(parse_double("0.25", d, err));
    EXPECT_DOUBLE_EQ(d, 0.25);
    ASSERT_TRUE(parse_double("1e3", d, err));
    EXPECT_DOUBLE_EQ(d, 1000.0);
    EXPECT_FALSE(parse_double("abc", d, err));
    EXPECT_FALSE(parse_double("1.5x", d, err));
    EXPECT_FALSE(parse_double("nan", d, err));
    EXPECT_FALSE(parse_double("inf", d, err));
}

TEST(ValueParse, TimesAndFrequencies) {
    sc_time t;
    std::string err;
    ASSERT_TRUE(parse_time("10ns", t, err));
    EXPECT_EQ(t, sc_time(10, SC_NS));
    ASSERT_TRUE(parse_time("1.5 us", t, err));
    EXPECT_EQ(t, sc_time(1500, SC_NS));
    ASSERT_TRUE(parse_time("250ps", t, err));
    EXPECT_EQ(t, sc_time(250, SC_PS));
    ASSERT_TRUE(parse_time("2 GHz", t, err));
    EXPECT_EQ(t, sc_time(500, SC_PS));
    ASSERT_TRUE(parse_time("800MHz", t, err));
    EXPECT_EQ(t, sc_time(1250, SC_PS));
    EXPECT_FALSE(parse_time("10", t, err));
    EXPECT_NE(err.find("unit"), std::string::npos);
    EXPECT_FALSE(parse_time("10 parsecs", t, err));
    EXPECT_FALSE(parse_time("-1ns", t, err));
    EXPECT_FALSE(parse_time("0 GHz", t, err));
}

TEST(ValueParse, Formatting) {
    EXPECT_EQ(format_time(sc_time(3, SC_NS)), "3 ns");
    EXPECT_EQ(format_time(sc_time(1500, SC_PS)), "1500 ps");
    EXPECT_EQ(format_time(sc_time(20, sc_core::SC_US)), "20 us");
    EXPECT_EQ(hex(0x80000000), "0x80000000");
    EXPECT_EQ(format_size(uint64_t(8) << 30), "8 GiB");
    EXPECT_EQ(format_size(4096 + 1), "4097 B");
    // Formatted values parse back to the same value.
    sc_time t;
    std::string err;
    ASSERT_TRUE(parse_time(format_time(sc_time(1500, SC_PS)), t, err));
    EXPECT_EQ(t, sc_time(1500, SC_PS));
    EXPECT_EQ(u64(format_size(uint64_t(8) << 30)), uint64_t(8) << 30);
}
