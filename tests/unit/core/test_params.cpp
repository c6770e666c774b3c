#include <cstdio>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "models/core/clock.h"
#include "models/core/param_registry.h"
#include "models/core/params.h"
#include "tests/common/test_util.h"

using namespace smmusim;
using namespace smmusim::core;

namespace {

struct Top : sc_core::sc_module {
    explicit Top(sc_core::sc_module_name n) : sc_module(n) {}
};

enum class Color { Red, Green };

std::string temp_file(const std::string& text) { return test::temp_file(text, ".json"); }
using test::input_error;

ParamRegistry& reg() { return ParamRegistry::instance(); }

}  // namespace

TEST(Params, NameIsOwnerPathAndDefaultApplies) {
    Top top("top");
    Param<uint32_t> lat(&top, "latency", 7, "cycles", "a latency");
    EXPECT_EQ(lat.name(), "top.latency");
    EXPECT_EQ(lat.value(), 7u);
    EXPECT_EQ(lat.source(), "default");
    EXPECT_EQ(reg().find("top.latency"), &lat);
}

TEST(Params, SetOverrideIsTakenAtConstruction) {
    reg().apply_set("top.base=0x8000_0000");
    reg().apply_set("top.size=2MiB");
    Top top("top");
    Param<uint64_t> base(&top, "base", 0, "address", "");
    Param<uint64_t> size(&top, "size", 0, "bytes", "");
    EXPECT_EQ(base.value(), 0x80000000u);
    EXPECT_EQ(size.value(), 2u << 20);
    EXPECT_EQ(base.source(), "--set");
    EXPECT_NO_THROW(reg().check_overrides_used());
}

TEST(Params, ConfigFileNestedAndDottedKeys) {
    std::string f = temp_file(R"({"top": {"a": 5, "sub.b": "4KiB"}, "top.c": true})");
    reg().load_config_file(f);
    Top top("top");
    Param<uint32_t> a(&top, "a", 0, "", "");
    Param<uint64_t> b("top.sub.b", 0, "bytes", "");
    Param<bool> c(&top, "c", false, "", "");
    EXPECT_EQ(a.value(), 5u);
    EXPECT_EQ(b.value(), 4096u);
    EXPECT_TRUE(c.value());
    EXPECT_EQ(a.source(), f);
}

TEST(Params, LaterValuesWin) {
    std::string f = temp_file(R"({"top": {"a": 5}})");
    reg().load_config_file(f);
    reg().apply_set("top.a=9");
    Top top("top");
    Param<uint32_t> a(&top, "a", 0, "", "");
    EXPECT_EQ(a.value(), 9u);
}

TEST(Params, WrongTypeNamesSourceAndKey) {
    std::string f = temp_file(R"({"top": {"a": "abc"}})");
    reg().load_config_file(f);
    Top top("top");
    std::string msg = input_error([&] { Param<uint32_t> a(&top, "a", 0, "", ""); });
    EXPECT_NE(msg.find(f), std::string::npos) << msg;
    EXPECT_NE(msg.find("'top.a'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("integer"), std::string::npos) << msg;
}

TEST(Params, OutOfRangeAndNarrowing) {
    reg().apply_set("top.a=65");
    reg().apply_set("top.b=-1");
    reg().apply_set("top.c=300");
    Top top("top");
    EXPECT_NE(input_error([&] { Param<uint32_t> a(&top, "a", 1, "", "", {1, 64}); }).find("outside [1, 64]"),
              std::string::npos);
    EXPECT_NE(input_error([&] { Param<uint32_t> b(&top, "b", 1, "", ""); }).find("non-negative"),
              std::string::npos);
    EXPECT_NE(input_error([&] { Param<uint8_t> c(&top, "c", 1, "", ""); }).find("too large"),
              std::string::npos);
}

TEST(Params, JsonTypesAreChecked) {
    std::string f = temp_file(R"({"t": {"flag": 3, "name": 5, "when": 10, "ratio": "x"}})");
    reg().load_config_file(f);
    EXPECT_NE(input_error([] { Param<bool> p("t.flag", false, "", ""); }).find("boolean"), std::string::npos);
    EXPECT_NE(input_error([] { Param<std::string> p("t.name", "", "", ""); }).find("string"), std::string::npos);
    EXPECT_NE(input_error([] { Param<sc_core::sc_time> p("t.when", sc_core::SC_ZERO_TIME, "", ""); })
                  .find("unit"),
              std::string::npos);
    EXPECT_NE(input_error([] { Param<double> p("t.ratio", 0.0, "", ""); }).find("number"), std::string::npos);
}

TEST(Params, TimesAcceptFrequencies) {
    reg().apply_set("t.clock=2 GHz");
    Param<sc_core::sc_time> clk("t.clock", sc_core::sc_time(1, sc_core::SC_NS), "", "");
    EXPECT_EQ(clk.value(), sc_core::sc_time(500, sc_core::SC_PS));
    EXPECT_EQ(clk.to_json(), "500 ps");
}

TEST(Params, EnumChoices) {
    reg().apply_set("t.color=green");
    reg().apply_set("t.other=blue");
    EnumParam<Color> c("t.color", Color::Red, {{"red", Color::Red}, {"green", Color::Green}}, "");
    EXPECT_EQ(c.value(), Color::Green);
    EXPECT_EQ(c.to_json(), "green");
    std::string msg = input_error(
        [] { EnumParam<Color> o("t.other", Color::Red, {{"red", Color::Red}, {"green", Color::Green}}, ""); });
    EXPECT_NE(msg.find("'blue' is not one of {red|green}"), std::string::npos) << msg;
}

TEST(Params, UnknownKeySuggestsNearNames) {
    reg().apply_set("top.latncy=3");
    Top top("top");
    Param<uint32_t> lat(&top, "latency", 7, "", "");
    std::string msg = input_error([] { reg().check_overrides_used(); });
    EXPECT_NE(msg.find("--set: unknown parameter 'top.latncy'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("did you mean 'top.latency'"), std::string::npos) << msg;
}

TEST(Params, MalformedInputsAreRejected) {
    std::string bad = temp_file("{\n  \"a\": 1,\n  \"b\": ,\n}\n");
    std::string msg = input_error([&] { reg().load_config_file(bad); });
    EXPECT_NE(msg.find(bad), std::string::npos) << msg;
    EXPECT_NE(msg.find("line 3"), std::string::npos) << msg;
    EXPECT_NE(input_error([] { reg().load_config_file("/nonexistent/cfg.json"); }).find("cannot open"),
              std::string::npos);
    std::string arr = temp_file(R"({"a": [1, 2]})");
    EXPECT_NE(input_error([&] { reg().load_config_file(arr); }).find("'a': an array"), std::string::npos);
    std::string top_array = temp_file("[1]");
    EXPECT_NE(input_error([&] { reg().load_config_file(top_array); }).find("one JSON object"),
              std::string::npos);
    EXPECT_NE(input_error([] { reg().apply_set("novalue"); }).find("expected name=value"), std::string::npos);
}

TEST(Params, FailNamesSourceAndParameter) {
    reg().apply_set("t.size=3");
    Param<uint32_t> size("t.size", 4, "bytes", "");
    EXPECT_EQ(input_error([&] { size.fail("must be a power of two"); }),
              "--set: parameter 't.size': must be a power of two");
}

TEST(Params, EffectiveConfigRoundTrips) {
    reg().apply_set("t.base=0x1000");
    reg().apply_set("t.clock=1.5ns");
    reg().apply_set("t.frac=0.75");
    nlohmann::json j;
    {
        Param<uint64_t> base("t.base", 0, "address", "");
        Param<sc_core::sc_time> clk("t.clock", sc_core::sc_time(2, sc_core::SC_NS), "", "");
        Param<double> frac("t.frac", 0.25, "", "");
        j = reg().effective_config();
    }
    EXPECT_EQ(j["t.base"], "0x1000");
    EXPECT_EQ(j["t.clock"], "1500 ps");
    EXPECT_EQ(j["t.frac"], 0.75);
    // Feeding the effective values back (as --config does) rebuilds the same values.
    reg().clear_overrides();
    for (auto it = j.begin(); it != j.end(); ++it) reg().set_override(it.key(), it.value(), "rerun");
    Param<uint64_t> base("t.base", 0, "address", "");
    Param<sc_core::sc_time> clk("t.clock", sc_core::sc_time(2, sc_core::SC_NS), "", "");
    Param<double> frac("t.frac", 0.25, "", "");
    EXPECT_EQ(base.value(), 0x1000u);
    EXPECT_EQ(clk.value(), sc_core::sc_time(1500, sc_core::SC_PS));
    EXPECT_EQ(frac.value(), 0.75);
    EXPECT_EQ(reg().effective_config(), j);
}

TEST(Params, ListShowsNameValueDefaultUnitAndRange) {
    reg().apply_set("t.ways=8");
    Param<uint32_t> ways("t.ways", 4, "", "cache associativity", {1, 16});
    Param<uint64_t> size("t.size", uint64_t(8) << 30, "bytes", "memory size");
    std::ostringstream os;
    reg().print_list(os);
    std::string s = os.str();
    EXPECT_NE(s.find("t.ways"), std::string::npos);
    EXPECT_NE(s.find("cache associativity [default 4; [1, 16]]"), std::string::npos) << s;
    EXPECT_NE(s.find("8 GiB"), std::string::npos) << s;
}

TEST(Params, DuplicateNameIsAProgrammingError) {
    Param<uint32_t> a("t.x", 1, "", "");
    EXPECT_THROW(Param<uint32_t>("t.x", 1, "", ""), std::logic_error);
}

// Data beats are ceil(bytes / width), at least one, whether the width is a power of two
// (shifted) or not (divided).
TEST(ClockParam, BeatsAreTheCeilingOfBytesOverWidthForEveryWidth) {
    for (uint64_t width = 1; width <= 130; ++width)
        for (uint64_t bytes = 0; bytes <= 4200; bytes += 7)
            ASSERT_EQ(smmusim::core::ClockParam::beats(bytes, width), bytes == 0 ? 1 : (bytes + width - 1) / width)
                << bytes << " bytes at " << width;
}
