// Faults the driver's configurations lead to, as the event log and the xlate log show them,
// and the driver's recovery from a command-queue error.

#include <gtest/gtest.h>

#include "tests/common/test_util.h"
#include "tests/system/software_run.h"

using namespace smmusim;
using nlohmann::json;
using test::hex;
using test::num;
using test::SoftwareRun;
using test::stat;

namespace {

const json* event_of(const SoftwareRun& r, const std::string& type) {
    for (const json& e : r.event)
        if (e["type"] == type) return &e;
    return nullptr;
}
}  // namespace

TEST(BaseSoftwareFaults, EachFaultTypeDecodesInTheEventLog) {
    // sid 1: stage 1 with a read-only page; sid 2: nested over a read-only stage-2 page;
    // sid 3: a device attached by SubstreamID only (no domain for requests without one).
    SoftwareRun r(R"({
      "domains": [{"name": "a", "stage": "s1"},
                  {"name": "host", "stage": "s2", "ias": 40},
                  {"name": "g", "stage": "nested", "parent": "host"},
                  {"name": "p", "stage": "s1"}],
      "attach": [{"sid": 1, "domain": "a"}, {"sid": 2, "domain": "g"}, {"sid": 3, "ssid": 5, "domain": "p"}],
      "steps": [
        {"op": "map", "domain": "a", "iova": "0x10000000", "pa": "0x80000000", "size": "0x1000", "prot": "r"},
        {"op": "map", "domain": "g", "iova": "0x20000000", "pa": "0x40000000", "size": "0x2000"},
        {"op": "map", "domain": "host", "iova": "0x40000000", "pa": "0x80100000", "size": "0x1000", "prot": "r"},
        {"op": "map", "domain": "p", "iova": "0x30000000", "pa": "0x80200000", "size": "0x1000"},
        {"op": "dma", "sid": 1, "iova": "0x10008000", "rw": "r"},
        {"op": "dma", "sid": 1, "iova": "0x10000000", "rw": "w"},
        {"op": "dma", "sid": 2, "iova": "0x20000040", "rw": "w"},
        {"op": "dma", "sid": 2, "iova": "0x20001000", "rw": "r"},
        {"op": "dma", "sid": 3, "ssid": 5, "iova": "0x30000000", "rw": "r"},
        {"op": "dma", "sid": 3, "iova": "0x30000000", "rw": "r"},
        {"op": "dma", "sid": 3, "ssid": 6, "iova": "0x30000000", "rw": "r"},
        {"op": "dma", "sid": 3, "ssid": 4000, "iova": "0x30000000", "rw": "r"},
        {"op": "dma", "sid": 1000, "iova": "0x30000000", "rw": "r"}]})");
    ASSERT_FALSE(r.failure) << r.failure_text;
    ASSERT_EQ(r.xlate.size(), 9u);
    EXPECT_EQ(r.xlate[4]["status"], "ok");  // sid 3, ssid 5

    const json* e = event_of(r, "F_TRANSLATION");
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)["sid"], 1);
    EXPECT_EQ(num((*e)["addr"]), 0x10008000u);
    EXPECT_EQ((*e)["s2"], false);
    EXPECT_EQ((*e)["rnw"], true);

    std::vector<json> perms;
    for (const json& x : r.event)
        if (x["type"] == "F_PERMISSION") perms.push_back(x);
    ASSERT_EQ(perms.size(), 2u);
    EXPECT_EQ(perms[0]["sid"], 1);
    EXPECT_EQ(perms[0]["s2"], false);
    EXPECT_EQ(perms[0]["rnw"], false);
    EXPECT_EQ(perms[1]["sid"], 2);  // the stage-2 page is read-only
    EXPECT_EQ(perms[1]["s2"], true);
    EXPECT_EQ(perms[1]["class"], "IN");
    EXPECT_EQ(num(perms[1]["ipa"]), 0x40000000u);  // the record holds IPA[55:12]
    EXPECT_EQ(num(perms[1]["addr"]), 0x20000040u);

    // Stage 2 has no page for the second IPA page.
    const json* s2 = nullptr;
    for (const json& x : r.event)
        if (x["type"] == "F_TRANSLATION" && x["s2"] == true) s2 = &x;
    ASSERT_TRUE(s2);
    EXPECT_EQ(num((*s2)["ipa"]), 0x40001000u);

    e = event_of(r, "F_STREAM_DISABLED");
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)["sid"], 3);
    e = event_of(r, "C_BAD_CD");
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)["ssid"], 6);
    e = event_of(r, "C_BAD_SUBSTREAMID");
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)["ssid"], 4000);
    e = event_of(r, "C_BAD_STREAMID");
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)["sid"], 1000);
    EXPECT_EQ(stat("sw.driver.events"), r.event.size());
    // Every fault the devices saw was reported with the same event.
    for (const json& x : r.xlate) {
        if (x["status"] == "fault") {
            EXPECT_TRUE(event_of(r, x["event"].get<std::string>())) << x;
        }
    }
}

TEST(BaseSoftwareFaults, DriverRecoversFromACommandQueueError) {
    // An undefined opcode stops the queue (CERROR_ILL, GERROR.CMDQ_ERR); the GERROR handler
    // replaces it with a CMD_SYNC and acknowledges; the waiting CMD_SYNC then completes and
    // the strict unmap that follows still invalidates.
    SoftwareRun r(R"({
      "domains": [{"name": "d", "stage": "s1"}],
      "attach": [{"sid": 1, "domain": "d"}],
      "steps": [
        {"op": "map", "domain": "d", "iova": "0x10000000", "pa": "0x80000000", "size": "0x1000"},
        {"op": "dma", "sid": 1, "iova": "0x10000000", "rw": "w"},
        {"op": "command", "raw": ["0xff", "0x0"]},
        {"op": "unmap", "domain": "d", "iova": "0x10000000", "size": "0x1000"},
        {"op": "dma", "sid": 1, "iova": "0x10000000", "rw": "w"},
        {"op": "map", "domain": "d", "iova": "0x10000000", "pa": "0x80010000", "size": "0x1000"},
        {"op": "dma", "sid": 1, "iova": "0x10000000", "rw": "w"}]})");
    ASSERT_FALSE(r.failure) << r.failure_text;
    EXPECT_EQ(stat("smmu.tcu.cmdq.errors"), 1);
    EXPECT_EQ(stat("sw.driver.gerrors"), 1);
    EXPECT_EQ(stat("sw.driver.sync_timeouts"), 0);
    bool ill = false;
    for (const json& c : r.cmd) ill |= c.value("error", "") == "CERROR_ILL";
    EXPECT_TRUE(ill);
    ASSERT_EQ(r.xlate.size(), 3u);
    EXPECT_EQ(r.xlate[0]["status"], "ok");
    EXPECT_EQ(r.xlate[1]["status"], "fault");
    EXPECT_EQ(num(r.xlate[2]["pa"]), 0x80010000u);
}

TEST(BaseSoftwareFaults, ScenarioMistakesNameTheStep) {
    SoftwareRun overlap(R"({
      "domains": [{"name": "d", "stage": "s1"}],
      "steps": [
        {"op": "map", "domain": "d", "iova": "0x10000000", "pa": "0x80000000", "size": "0x2000"},
        {"op": "map", "domain": "d", "iova": "0x10001000", "pa": "0x80000000", "size": "0x1000"}]})");
    EXPECT_NE(overlap.failure_text.find("steps[1] (map): cannot map 0x1000 bytes at 0x10001000"), std::string::npos)
        << overlap.failure_text;
    EXPECT_NE(overlap.failure_text.find("already mapped"), std::string::npos) << overlap.failure_text;
}

TEST(BaseSoftwareFaults, UnmapOfNothingNamesTheStep) {
    SoftwareRun r(R"({"domains": [{"name": "d", "stage": "s1"}],
      "steps": [{"op": "unmap", "domain": "d", "iova": "0x10000000", "size": "0x1000"}]})");
    EXPECT_NE(r.failure_text.find("steps[0] (unmap): nothing is mapped at 0x10000000 in 'd'"), std::string::npos)
        << r.failure_text;
}
