// The JSON-lines log writer: member formatting (times, hex, escaping), one object per line,
// off until opened, and an open failure that names where the path came from.

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "models/core/json_log.h"
#include "tests/common/test_util.h"

using namespace smmusim;
using namespace smmusim::core;
using sc_core::SC_NS;
using sc_core::SC_PS;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

TEST(JsonLog, OffUntilOpened) {
    EXPECT_EQ(JsonLog::get(LogId::Xlate), nullptr);
    EXPECT_EQ(JsonLog::get(LogId::Cmd), nullptr);
    EXPECT_EQ(JsonLog::get(LogId::Event), nullptr);
    const std::string path = test::temp_file("", ".jsonl");
    JsonLog::open(LogId::Cmd, path, "--cmd-log");
    EXPECT_NE(JsonLog::get(LogId::Cmd), nullptr);
    EXPECT_EQ(JsonLog::get(LogId::Xlate), nullptr);
    EXPECT_TRUE(JsonLog::close(LogId::Cmd));
    EXPECT_EQ(JsonLog::get(LogId::Cmd), nullptr);
    EXPECT_TRUE(JsonLog::close(LogId::Cmd));  // closing a closed log: a no-op
    EXPECT_EQ(slurp(path), "");
    std::remove(path.c_str());
}

TEST(JsonLog, FormatsMembersOneObjectPerLine) {
    const std::string path = test::temp_file("stale text\n", ".jsonl");
    JsonLog::open(LogId::Xlate, path, "--xlate-log");  // truncates
    JsonLog& log = *JsonLog::get(LogId::Xlate);
    log.line()
        .time_ns("t", sc_core::sc_time(1234.5, SC_NS))
        .time_ns("whole", sc_core::sc_time(3, SC_NS))
        .time_ns("ps", sc_core::sc_time(1, SC_PS))
        .time_ns("zero", sc_core::SC_ZERO_TIME)
        .num("n", 18446744073709551615ull)
        .hex("h", 0xABCDEF)
        .hex("raw", 0x12, 16)
        .str("s", "a\"b\\c\n")
        .boolean("yes", true)
        .boolean("no", false)
        .null("none")
        .members([](std::string& out) { out += ",\"m\":1"; });
    log.line().members([](std::string& out) { out += "\"first\":2"; });  // after '{': no comma
    EXPECT_TRUE(JsonLog::close_all());
    EXPECT_EQ(slurp(path),
              "{\"t\":1234.5,\"whole\":3,\"ps\":0.001,\"zero\":0,\"n\":18446744073709551615,"
              "\"h\":\"0xabcdef\",\"raw\":\"0x0000000000000012\",\"s\":\"a\\\"b\\\\c\\u000a\","
              "\"yes\":true,\"no\":false,\"none\":null,\"m\":1}\n"
              "{\"first\":2}\n");
    std::istringstream in(slurp(path));
    for (std::string line; std::getline(in, line);) EXPECT_TRUE(nlohmann::json::accept(line)) << line;
    std::remove(path.c_str());
}

TEST(JsonLog, OpenFailureNamesTheFlag) {
    const std::string msg =
        test::input_error([] { JsonLog::open(LogId::Event, "/nonexistent/dir/e.jsonl", "--event-log"); });
    EXPECT_NE(msg.find("--event-log /nonexistent/dir/e.jsonl: cannot open for writing"), std::string::npos) << msg;
    EXPECT_EQ(JsonLog::get(LogId::Event), nullptr);
}
