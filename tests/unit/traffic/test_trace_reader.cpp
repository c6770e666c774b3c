#include <sstream>

#include <gtest/gtest.h>

#include "models/core/errors.h"
#include "models/traffic/trace_reader.h"

using namespace smmusim;
using smmusim::traffic::parse_trace;
using smmusim::traffic::TraceRecord;
using sc_core::sc_time;
using sc_core::SC_NS;

namespace {

const sc_time kCycle(2, SC_NS);

std::vector<TraceRecord> parse(const std::string& text) {
    std::istringstream in(text);
    return parse_trace(in, "t.trc", kCycle);
}

std::string error_of(const std::string& text) {
    try {
        parse(text);
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST(TraceReader, ParsesEveryFieldForm) {
    auto r = parse(
        "# header comment\n"
        "\n"
        "+10   1   -    0x8000_1000  64   w\n"
        "@100  0x2 5    4096         8    R   # trailing comment\n"
        "+5ns  3   0x1f 0x80000ff8   8    r\n"
        "@1us  4   -    0x0          4096 W\n");
    ASSERT_EQ(r.size(), 4u);
    EXPECT_FALSE(r[0].absolute);
    EXPECT_EQ(r[0].when, sc_time(20, SC_NS));  // 10 cycles of 2 ns
    EXPECT_EQ(r[0].sid, 1u);
    EXPECT_FALSE(r[0].ssid_valid);
    EXPECT_EQ(r[0].addr, 0x80001000u);
    EXPECT_EQ(r[0].size, 64u);
    EXPECT_TRUE(r[0].write);
    EXPECT_EQ(r[0].line, 3u);
    EXPECT_TRUE(r[1].absolute);
    EXPECT_EQ(r[1].when, sc_time(200, SC_NS));
    EXPECT_EQ(r[1].sid, 2u);
    EXPECT_TRUE(r[1].ssid_valid);
    EXPECT_EQ(r[1].ssid, 5u);
    EXPECT_FALSE(r[1].write);
    EXPECT_EQ(r[2].when, sc_time(5, SC_NS));
    EXPECT_EQ(r[2].ssid, 0x1fu);
    EXPECT_EQ(r[3].when, sc_time(1000, SC_NS));
    EXPECT_EQ(r[3].size, 4096u);
}

TEST(TraceReader, ErrorsNameFileAndLine) {
    EXPECT_EQ(error_of("+1 1 - 0x0 64 r\n\n+1 1 - 0x0 64\n"),
              "t.trc:3: expected 6 fields (when sid ssid address size r|w), found 5");
    EXPECT_NE(error_of("10 1 - 0x0 64 r\n").find("t.trc:1: bad time '10'"), std::string::npos);
    EXPECT_NE(error_of("+x 1 - 0x0 64 r\n").find("t.trc:1: bad time '+x'"), std::string::npos);
    EXPECT_NE(error_of("+1GHz 1 - 0x0 64 r\n").find("bad time"), std::string::npos);
    EXPECT_NE(error_of("+1 0x1_0000_0000 - 0x0 64 r\n").find("bad StreamID"), std::string::npos);
    EXPECT_NE(error_of("+1 1 0x100000 0x0 64 r\n").find("bad SubstreamID"), std::string::npos);
    EXPECT_NE(error_of("+1 1 - zz 64 r\n").find("bad address 'zz'"), std::string::npos);
    EXPECT_NE(error_of("+1 1 - 0x0 0 r\n").find("bad size '0'"), std::string::npos);
    EXPECT_NE(error_of("+1 1 - 0x0 4097 r\n").find("bad size"), std::string::npos);
    EXPECT_NE(error_of("+1 1 - 0xff0 32 r\n").find("crosses a 4 KiB boundary"), std::string::npos);
    EXPECT_NE(error_of("+1 1 - 0x0 64 x\n").find("bad direction 'x'"), std::string::npos);
    EXPECT_NE(error_of("@10 1 - 0x0 64 r\n@5 1 - 0x0 64 r\n").find("t.trc:2: absolute time"),
              std::string::npos);
}

TEST(TraceReader, MissingFileIsAnInputError) {
    EXPECT_THROW(traffic::read_trace_file("/nonexistent/x.trc", kCycle), InputError);
}
