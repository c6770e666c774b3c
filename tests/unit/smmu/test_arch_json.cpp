// Event records and commands as log members (arch/events_json.h, arch/commands_json.h): the
// fields each type or opcode has, hex strings, null SubstreamIDs, raw command words.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "models/smmu/arch/commands_json.h"
#include "models/smmu/arch/events_json.h"

using namespace smmusim::smmu::arch;
using nlohmann::json;

namespace {

EventRecord event(uint8_t type, uint32_t sid) {
    EventRecord e;
    e.set<EventRecord::Type>(type);
    e.set<EventRecord::StreamID>(sid);
    return e;
}

}  // namespace

TEST(ArchJson, Stage1TranslationFault) {
    EventRecord e = event(evt::F_TRANSLATION, 1);
    e.set<EventRecord::RnW>(1);
    e.set<EventRecord::Class>(evt_class::IN);
    e.set<EventRecord::InputAddr>(0x10000040);
    EXPECT_EQ(event_json(e),
              "{\"type\":\"F_TRANSLATION\",\"code\":16,\"sid\":1,\"ssid\":null,\"addr\":\"0x10000040\","
              "\"rnw\":true,\"ind\":false,\"pnu\":false,\"s2\":false,\"class\":\"IN\",\"ipa\":null}");
}

TEST(ArchJson, Stage2PermissionFaultWithSubstream) {
    EventRecord e = event(evt::F_PERMISSION, 0x12345);
    e.set<EventRecord::SSV>(1);
    e.set<EventRecord::SubstreamID>(7);
    e.set<EventRecord::PnU>(1);
    e.set<EventRecord::S2>(1);
    e.set<EventRecord::Class>(evt_class::TT);
    e.set<EventRecord::InputAddr>(0xFFFF800000001000ull);
    e.set_address<EventRecord::IPA>(0x8040003000ull);
    const json j = json::parse(event_json(e));
    EXPECT_EQ(j.at("type"), "F_PERMISSION");
    EXPECT_EQ(j.at("code"), 0x13);
    EXPECT_EQ(j.at("sid"), 0x12345);
    EXPECT_EQ(j.at("ssid"), 7);
    EXPECT_EQ(j.at("addr"), "0xffff800000001000");
    EXPECT_EQ(j.at("s2"), true);
    EXPECT_EQ(j.at("class"), "TT");
    EXPECT_EQ(j.at("ipa"), "0x8040003000");
    EXPECT_EQ(j.at("pnu"), true);
}

TEST(ArchJson, ConfigAndFetchEventsHaveTheirFieldsOnly) {
    EXPECT_EQ(event_json(event(evt::C_BAD_STE, 9)), "{\"type\":\"C_BAD_STE\",\"code\":4,\"sid\":9,\"ssid\":null}");
    EventRecord sub = event(evt::C_BAD_SUBSTREAMID, 2);
    sub.set<EventRecord::SubstreamID>(0);  // no SSV: the number all the same
    EXPECT_EQ(json::parse(event_json(sub)).at("ssid"), 0);
    EventRecord fetch = event(evt::F_CD_FETCH, 3);
    fetch.set_address<EventRecord::FetchAddr>(0xA0001040);
    const json f = json::parse(event_json(fetch));
    EXPECT_EQ(f.at("fetch_addr"), "0xa0001040");
    EXPECT_FALSE(f.contains("addr"));
    EXPECT_FALSE(f.contains("s2"));
    EventRecord eabt = event(evt::F_WALK_EABT, 4);
    eabt.set<EventRecord::Class>(evt_class::TT);
    eabt.set_address<EventRecord::FetchAddr>(0x40000008);
    const json w = json::parse(event_json(eabt));
    EXPECT_EQ(w.at("fetch_addr"), "0x40000008");
    EXPECT_FALSE(w.contains("ipa"));
    EXPECT_EQ(json::parse(event_json(event(0x7F, 1))).at("type"), "UNKNOWN");
}

TEST(ArchJson, AppendsAfterOtherMembers) {
    std::string s = "{\"t_ns\":5";
    append_event_json(s, event(evt::F_STREAM_DISABLED, 1));
    EXPECT_EQ(s, "{\"t_ns\":5,\"type\":\"F_STREAM_DISABLED\",\"code\":6,\"sid\":1,\"ssid\":null");
}

TEST(ArchJson, CommandsDecodeTheirOpcodesFields) {
    Command ipa;
    ipa.set<Command::Opcode>(op::TLBI_S2_IPA);
    ipa.set<Command::VMID>(4);
    ipa.set_address<Command::IPA>(0xFF0012345000ull);
    const json j = json::parse(command_json(ipa));
    EXPECT_EQ(j.at("op"), "TLBI_S2_IPA");
    EXPECT_EQ(j.at("raw"), json::array({"0x000000040000002a", "0x0000ff0012345000"}));
    EXPECT_EQ(j.at("addr"), "0xff0012345000");
    EXPECT_EQ(j.at("vmid"), 4);
    EXPECT_FALSE(j.contains("asid"));

    Command cd;
    cd.set<Command::Opcode>(op::CFGI_CD);
    cd.set<Command::StreamID>(2);
    cd.set<Command::SubstreamID>(0x55);
    EXPECT_EQ(command_json(cd),
              "{\"op\":\"CFGI_CD\",\"raw\":[\"0x0000000200055005\",\"0x0000000000000000\"],\"ssec\":false,"
              "\"sid\":2,\"ssid\":85,\"leaf\":false}");

    Command pre;
    pre.set<Command::Opcode>(op::PREFETCH_CONFIG);
    pre.set<Command::StreamID>(3);
    pre.set<Command::SubstreamID>(9);  // SSV = 0: not a SubstreamID
    EXPECT_TRUE(json::parse(command_json(pre)).at("ssid").is_null());

    Command all;
    all.set<Command::Opcode>(op::TLBI_NSNH_ALL);
    EXPECT_EQ(command_json(all), "{\"op\":\"TLBI_NSNH_ALL\",\"raw\":[\"0x0000000000000030\",\"0x0000000000000000\"]}");

    Command unknown;
    unknown.set<Command::Opcode>(0x7F);
    const json u = json::parse(command_json(unknown));
    EXPECT_EQ(u.at("op"), "UNKNOWN");
    EXPECT_EQ(u.at("opcode"), 0x7F);
    EXPECT_STREQ(cerror_name(cerror::ILL), "CERROR_ILL");
    EXPECT_STREQ(cerror_name(cerror::ABT), "CERROR_ABT");
}
