// The model's JSON-lines logs (DESIGN §5 "Log lines"): --xlate-log lines written by the TBU
// when a transaction's response leaves it (translated, faulted at stage 1 or 2, RAZ/WI,
// configuration error, aborted without an event), --cmd-log lines written by the command queue
// when CONS passes a command or when a command stops the queue, and the event-log line the
// driver glue writes for a record it read.

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/core/json_log.h"
#include "models/smmu/event_log.h"
#include "tests/common/test_util.h"
#include "tests/unit/smmu/walk_test_helpers.h"

namespace {

using nlohmann::json;

// A log opened on a fresh file for the whole test; lines() closes it and parses every line.
class LogFile {
public:
    explicit LogFile(core::LogId id) : id_(id), path_(temp_file("", ".jsonl")) {
        core::JsonLog::open(id_, path_, "test");
    }
    ~LogFile() { std::remove(path_.c_str()); }

    std::vector<json> lines() {
        EXPECT_TRUE(core::JsonLog::close(id_));
        std::vector<json> out;
        std::ifstream in(path_);
        for (std::string line; std::getline(in, line);) {
            json j = json::parse(line);  // throws (fails the test) if a line is not JSON
            EXPECT_TRUE(j.is_object()) << line;
            out.push_back(j);
        }
        return out;
    }

private:
    core::LogId id_;
    std::string path_;
};

std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}
std::string raw(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%016llx", static_cast<unsigned long long>(v));
    return b;
}

// A time in ns as the logs write it (the default 1 ps resolution: exact in a double).
double ns(const sc_core::sc_time& t) { return double(t.value()) / 1000; }

// The only xlate line for `iova` (a test failure if there is not exactly one).
json xlate_line(const std::vector<json>& lines, uint64_t iova) {
    std::vector<json> hits;
    for (const json& l : lines)
        if (l.at("iova") == hex(iova)) hits.push_back(l);
    EXPECT_EQ(hits.size(), 1u) << "lines for iova " << hex(iova);
    return hits.empty() ? json::object() : hits.front();
}

// Every line of a terminated transaction: the common members, no "pa".
void expect_terminated(const json& l, uint32_t sid, const char* status, const char* term) {
    EXPECT_EQ(l.at("sid"), sid);
    EXPECT_EQ(l.at("status"), status);
    EXPECT_EQ(l.at("term"), term);
    EXPECT_FALSE(l.contains("pa")) << l;
}

// Lines of a command log with op `op`.
std::vector<json> ops(const std::vector<json>& lines, const char* op) {
    std::vector<json> out;
    for (const json& l : lines)
        if (l.at("op") == op) out.push_back(l);
    return out;
}

void expect_time_ordered(const std::vector<json>& lines) {
    for (size_t i = 1; i < lines.size(); ++i)
        EXPECT_LE(lines[i - 1].at("t_ns").get<double>(), lines[i].at("t_ns").get<double>()) << "line " << i;
}

}  // namespace

// ---------------------------------------------------------------------------------- xlate log

TEST(SmmuLogs, XlateOkLineHasOutputAddressAndLatency) {
    LogFile log(core::LogId::Xlate);
    const uint64_t va = 0x7654321000ull, pa = kDram + 0x345000;
    sc_core::sc_time t0, t1;
    with_bench([&](SmmuBench& b) {
        b.smmu.tbu(0).set_device("dma0");
        PageTables pt = b.tables(12, 48, 0);
        pt.map(va, pa, 0x1000, 3, s1::RW);
        s1_stream(b, 1, pt);
        t0 = sc_core::sc_time_stamp();
        EXPECT_TRUE(b.dma_read(1, va + 0x48, 16).ok());
        t1 = sc_core::sc_time_stamp();
        // SubstreamID 7 on a stream with a single CD (S1CDMax = 0): C_BAD_SUBSTREAMID.
        EXPECT_EQ(b.dma_write(1, va + 0x80, {1, 2, 3, 4}, 7u).status, kAbort);
    });
    const std::vector<json> lines = log.lines();
    ASSERT_EQ(lines.size(), 2u);
    const json& l = lines[0];
    EXPECT_EQ(l.at("dev"), "dma0");
    EXPECT_EQ(l.at("sid"), 1);
    EXPECT_TRUE(l.at("ssid").is_null());
    EXPECT_EQ(l.at("iova"), hex(va + 0x48));
    EXPECT_EQ(l.at("rw"), "r");
    EXPECT_EQ(l.at("size"), 16);
    EXPECT_EQ(l.at("status"), "ok");
    EXPECT_EQ(l.at("pa"), hex(pa + 0x48));
    EXPECT_FALSE(l.contains("event"));
    EXPECT_FALSE(l.contains("bus_error"));
    // Completed inside the device's round trip; the latency is the TBU's share of it: from the
    // request reaching the TBU to the response leaving it (the walk and the memory access).
    const double t = l.at("t_ns"), lat = l.at("latency_ns");
    EXPECT_GT(lat, 0);
    EXPECT_LE(t, ns(t1));
    EXPECT_GE(t - lat, ns(t0));
    // The second access: a write with a SubstreamID the stream does not have.
    const json& w = lines[1];
    EXPECT_EQ(w.at("rw"), "w");
    EXPECT_EQ(w.at("size"), 4);
    EXPECT_EQ(w.at("ssid"), 7);
    expect_terminated(w, 1, "fault", "abort");
    EXPECT_EQ(w.at("event"), "C_BAD_SUBSTREAMID");
}

TEST(SmmuLogs, XlateOkButFailedDownstreamSaysBusError) {
    LogFile log(core::LogId::Xlate);
    const uint64_t va = 0x50000000;
    with_bench([&](SmmuBench& b) {
        PageTables pt = b.tables(12, 48, 0);
        pt.map(va, kHole, 0x1000, 3, s1::RW);  // translates to an address nothing decodes
        s1_stream(b, 2, pt);
        EXPECT_FALSE(access(b, 2, va).ok());
    });
    const json l = xlate_line(log.lines(), va);
    EXPECT_EQ(l.at("status"), "ok");
    EXPECT_EQ(l.at("pa"), hex(kHole));
    EXPECT_EQ(l.at("bus_error"), true);
}

TEST(SmmuLogs, XlateStage1FaultLine) {
    LogFile log(core::LogId::Xlate);
    const uint64_t va = 0x10000000;
    with_bench([&](SmmuBench& b) {
        PageTables pt = b.tables(12, 48, 0);
        pt.map(va, kDram, 0x1000, 3, s1::RW);
        s1_stream(b, 3, pt);
        EXPECT_EQ(access(b, 3, va + 0x1000, kWrite).status, kAbort);  // the next page: unmapped
    });
    const json l = xlate_line(log.lines(), va + 0x1000);
    expect_terminated(l, 3, "fault", "abort");
    EXPECT_EQ(l.at("dev"), "smmu.tbu0");  // not named by the bench: the TBU's own path
    EXPECT_EQ(l.at("rw"), "w");
    EXPECT_EQ(l.at("event"), "F_TRANSLATION");
    EXPECT_EQ(l.at("s2"), false);
    EXPECT_EQ(l.at("recorded"), true);  // CD.R = 1
}

TEST(SmmuLogs, XlateStage2FaultLine) {
    LogFile log(core::LogId::Xlate);
    const uint64_t ipa = 0x8040000000ull;
    with_bench([&](SmmuBench& b) {
        PageTables pt = b.tables(12, 40, 1);
        pt.map(ipa, kDram + 0x5000, 0x1000, 3, s2::RW);
        s2_stream(b, 4, pt, [](Ste& s) { s.set<Ste::S2R>(0); });  // not recorded
        expect_reads(b, 4, ipa + 8, kDram + 0x5008);
        EXPECT_EQ(access(b, 4, ipa + 0x2000).status, kAbort);
    });
    const std::vector<json> lines = log.lines();
    EXPECT_EQ(xlate_line(lines, ipa + 8).at("pa"), hex(kDram + 0x5008));
    const json l = xlate_line(lines, ipa + 0x2000);
    expect_terminated(l, 4, "fault", "abort");
    EXPECT_EQ(l.at("event"), "F_TRANSLATION");
    EXPECT_EQ(l.at("s2"), true);
    EXPECT_EQ(l.at("recorded"), false);
}

TEST(SmmuLogs, XlateRazWiLineSaysTerm) {
    LogFile log(core::LogId::Xlate);
    const uint64_t va = 0x20000000;
    with_bench([&](SmmuBench& b) {
        PageTables pt = b.tables(12, 48, 0);
        s1_stream(b, 5, pt, [](Cd& cd) { cd.set<Cd::A>(0); });  // stage-1 faults are RAZ/WI
        DmaResult r = access(b, 5, va);
        EXPECT_TRUE(r.ok());
        EXPECT_EQ(r.value(), 0u);
    });
    const json l = xlate_line(log.lines(), va);
    expect_terminated(l, 5, "fault", "razwi");
    EXPECT_EQ(l.at("event"), "F_TRANSLATION");
    EXPECT_EQ(l.at("s2"), false);
}

TEST(SmmuLogs, XlateConfigErrorIsFaultSteAbortIsAbort) {
    LogFile log(core::LogId::Xlate);
    with_bench([&](SmmuBench& b) {
        b.set_ste(8, ste_abort());
        EXPECT_EQ(access(b, 7, 0x7000).status, kAbort);  // STE 7 is V = 0
        EXPECT_EQ(access(b, 8, 0x8000).status, kAbort);
    });
    const std::vector<json> lines = log.lines();
    const json bad = xlate_line(lines, 0x7000);
    expect_terminated(bad, 7, "fault", "abort");
    EXPECT_EQ(bad.at("event"), "C_BAD_STE");
    const json abort = xlate_line(lines, 0x8000);
    expect_terminated(abort, 8, "abort", "abort");
    EXPECT_FALSE(abort.contains("event")) << abort;
    expect_time_ordered(lines);
}

TEST(SmmuLogs, XlateGbpaAbortHasNoEvent) {
    LogFile log(core::LogId::Xlate);
    SmmuBench b;
    b.run([&] {
        b.wr32(reg::GBPA, (1u << 31) | (1u << 20));  // Update + ABORT, SMMUEN = 0
        ASSERT_TRUE(b.poll([&] { return !(b.rd32(reg::GBPA) >> 31); }));
        EXPECT_EQ(b.dma_read(5, kDram, 8, 3u).status, kAbort);
    });
    const json l = xlate_line(log.lines(), kDram);
    expect_terminated(l, 5, "abort", "abort");
    EXPECT_EQ(l.at("ssid"), 3);
    EXPECT_FALSE(l.contains("event"));
}

// ------------------------------------------------------------------------------------ cmd log

TEST(SmmuLogs, CmdLogDecodesTlbiNhVaCfgiSteAndSync) {
    LogFile log(core::LogId::Cmd);
    Command tlbi;
    tlbi.set<Command::Opcode>(op::TLBI_NH_VA);
    tlbi.set<Command::NUM>(2);
    tlbi.set<Command::SCALE>(1);
    tlbi.set<Command::VMID>(3);
    tlbi.set<Command::ASID>(5);
    tlbi.set<Command::Leaf>(1);
    tlbi.set<Command::TTL>(3);
    tlbi.set<Command::TG>(1);
    tlbi.set_address<Command::Address>(0x12345000);
    Command cfgi;
    cfgi.set<Command::Opcode>(op::CFGI_STE);
    cfgi.set<Command::StreamID>(5);
    cfgi.set<Command::Leaf>(1);
    sc_core::sc_time done;
    SmmuBench b;
    b.run([&] {
        b.enable();
        ASSERT_TRUE(b.submit({tlbi, cfgi}));
        ASSERT_TRUE(b.sync(sync_cs::SIG_IRQ, kDram + 0x1000, 0xCAFE));
        done = sc_core::sc_time_stamp();
    });
    const std::vector<json> lines = log.lines();
    expect_time_ordered(lines);
    // enable(): CFGI_STE_RANGE(31), TLBI_NSNH_ALL, CMD_SYNC; then ours.
    ASSERT_EQ(lines.size(), 6u);
    EXPECT_EQ(lines[0].at("op"), "CFGI_STE_RANGE");
    EXPECT_EQ(lines[0].at("range"), 31);

    const json& t = lines[3];
    EXPECT_EQ(t.at("op"), "TLBI_NH_VA");
    // dw0: opcode 0x12 | NUM 2 << 12 | SCALE 1 << 20 | VMID 3 << 32 | ASID 5 << 48;
    // dw1: Leaf | TTL 3 << 8 | TG 1 << 10 | Address[63:12].
    EXPECT_EQ(t.at("raw"), json::array({"0x0005000300102012", "0x0000000012345701"}));
    EXPECT_EQ(t.at("raw"), json::array({raw(tlbi.dw[0]), raw(tlbi.dw[1])}));
    EXPECT_EQ(t.at("vmid"), 3);
    EXPECT_EQ(t.at("asid"), 5);
    EXPECT_EQ(t.at("addr"), "0x12345000");
    EXPECT_EQ(t.at("leaf"), true);
    EXPECT_EQ(t.at("tg"), 1);
    EXPECT_EQ(t.at("ttl"), 3);
    EXPECT_EQ(t.at("num"), 2);
    EXPECT_EQ(t.at("scale"), 1);
    EXPECT_FALSE(t.contains("sid")) << "TLBI_NH_VA has no StreamID";
    EXPECT_FALSE(t.contains("error"));

    const json& c = lines[4];
    EXPECT_EQ(c.at("op"), "CFGI_STE");
    EXPECT_EQ(c.at("raw"), json::array({"0x0000000500000003", "0x0000000000000001"}));
    EXPECT_EQ(c.at("sid"), 5);
    EXPECT_EQ(c.at("leaf"), true);
    EXPECT_EQ(c.at("ssec"), false);
    EXPECT_FALSE(c.contains("asid"));

    const json& s = lines[5];
    EXPECT_EQ(s.at("op"), "CMD_SYNC");
    EXPECT_EQ(s.at("cs"), sync_cs::SIG_IRQ);
    EXPECT_EQ(s.at("msi_addr"), hex(kDram + 0x1000));
    EXPECT_EQ(s.at("msi_data"), 0xCAFE);
    EXPECT_EQ(s.at("raw"), json::array({raw((uint64_t(0xCAFE) << 32) | (1u << 12) | op::CMD_SYNC),
                                        raw(kDram + 0x1000)}));
    // Logged when it completed: after the invalidations it waited for, before CONS was seen.
    EXPECT_GE(s.at("t_ns").get<double>(), t.at("t_ns").get<double>());
    EXPECT_LE(s.at("t_ns").get<double>(), ns(done));
}

TEST(SmmuLogs, CmdLogCerrorIllWhenRaised) {
    LogFile log(core::LogId::Cmd);
    // TLBI_NH_VA with TG != 0 and NUM = SCALE = TTL = 0: a reserved range, CERROR_ILL.
    Command bad;
    bad.set<Command::Opcode>(op::TLBI_NH_VA);
    bad.set<Command::ASID>(9);
    bad.set<Command::TG>(1);
    bad.set_address<Command::Address>(0xABC000);
    Command after;
    after.set<Command::Opcode>(op::TLBI_NSNH_ALL);
    SmmuBench b;
    b.run([&] {
        b.enable();
        b.command(bad);
        b.command(after);
        EXPECT_TRUE(b.poll([&] { return (b.rd32(reg::GERROR) ^ b.rd32(reg::GERRORN)) & gerror::CMDQ_ERR; }));
    });
    const std::vector<json> lines = log.lines();
    ASSERT_EQ(lines.size(), 4u);  // enable()'s three, then the failing one; nothing after it
    const json& e = lines[3];
    EXPECT_EQ(e.at("op"), "TLBI_NH_VA");
    EXPECT_EQ(e.at("error"), "CERROR_ILL");
    EXPECT_EQ(e.at("raw"), json::array({"0x0009000000000012", "0x0000000000abc400"}));
    EXPECT_EQ(e.at("asid"), 9);
    EXPECT_EQ(e.at("tg"), 1);
    EXPECT_EQ(ops(lines, "TLBI_NSNH_ALL").size(), 1u);  // enable()'s only
}

// ---------------------------------------------------------------------------------- event log

TEST(SmmuLogs, EventLogLineForARecordTheDriverRead) {
    LogFile log(core::LogId::Event);
    EXPECT_TRUE(smmu::event_log_enabled());
    const uint64_t va = 0x30000000;
    sc_core::sc_time read_at;
    with_bench([&](SmmuBench& b) {
        PageTables pt = b.tables(12, 48, 0);
        s1_stream(b, 6, pt);
        EXPECT_EQ(access(b, 6, va).status, kAbort);
        std::vector<EventRecord> ev = b.events(1);
        ASSERT_EQ(ev.size(), 1u);
        read_at = sc_core::sc_time_stamp();
        smmu::log_event_record(ev[0]);  // as the driver glue does for each record it consumed
    });
    const std::vector<json> lines = log.lines();
    ASSERT_EQ(lines.size(), 1u);
    const json& l = lines[0];
    EXPECT_DOUBLE_EQ(l.at("t_ns").get<double>(), ns(read_at));
    EXPECT_EQ(l.at("type"), "F_TRANSLATION");
    EXPECT_EQ(l.at("code"), 16);
    EXPECT_EQ(l.at("sid"), 6);
    EXPECT_TRUE(l.at("ssid").is_null());
    EXPECT_EQ(l.at("addr"), hex(va));
    EXPECT_EQ(l.at("s2"), false);
    EXPECT_TRUE(l.at("ipa").is_null());
    EXPECT_EQ(l.at("class"), "IN");
    EXPECT_EQ(l.at("rnw"), true);
}

TEST(SmmuLogs, LogsAreOffUnlessOpened) {
    EXPECT_EQ(core::JsonLog::get(core::LogId::Xlate), nullptr);
    EXPECT_EQ(core::JsonLog::get(core::LogId::Cmd), nullptr);
    EXPECT_FALSE(smmu::event_log_enabled());
    smmu::log_event_record(EventRecord{});  // a no-op while the log is off
}
