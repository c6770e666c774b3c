// The device side of ATS in isolation (models/smmu/ats/ats_function.h): a bare device in front
// of an AtsFunction, and behind it a fake translation agent that answers Translation Requests
// (IOVA page p -> p + kOffset, read/write, except one page it refuses with R = W = 0) and
// records every transaction it sees.

#include <gtest/gtest.h>

#include <vector>

#include <systemc>

#include "models/core/at_target_port.h"
#include "models/core/ats.h"
#include "models/core/sim_time.h"
#include "models/core/stream_attr.h"
#include "models/smmu/ats/ats_function.h"
#include "tests/common/smmu/smmu_bench.h"
#include "tests/common/test_util.h"

namespace smmusim {
namespace {

using smmu::ats::AtsFunction;
using test::stat;

constexpr uint64_t kOffset = 0x40000000, kRefused = 0x7000;

struct Seen {
    core::AtKind at;
    uint64_t addr;
};

class FakeAgent : public sc_core::sc_module, private core::AtTargetHandler {
public:
    explicit FakeAgent(sc_core::sc_module_name n) : sc_module(n), in("in", *this) {}
    core::AtTargetPort in;
    std::vector<Seen> seen;

private:
    bool at_request(tlm::tlm_generic_payload& gp, unsigned) override {
        const core::StreamAttr* a = gp.get_extension<core::StreamAttr>();
        const core::AtKind at = a ? a->at : core::AtKind::Untranslated;
        seen.push_back({at, gp.get_address()});
        if (at == core::AtKind::Request) {
            core::AtsTranslation t;
            t.base = gp.get_address() + kOffset;
            t.read = t.write = gp.get_address() != kRefused;
            t.store(gp.get_data_ptr());
        }
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        in.respond(gp, sc_core::sc_time(100, sc_core::SC_NS));
        return true;
    }
};

struct Rig {
    test::BareInitiator dev{"dev"};
    AtsFunction ats{"ats"};
    FakeAgent agent{"agent"};
    Rig() {
        dev.port.socket().bind(ats.in.socket);
        ats.out.socket.bind(agent.in.socket);
    }
    tlm::tlm_response_status read(uint64_t addr) {
        core::StreamAttr a;
        a.sid = 1;
        unsigned char buf[8] = {};
        return dev.port.read(addr, buf, 8, &a);
    }
    void run(std::function<void()> body) {
        sc_core::sc_spawn([body] { body(); });
        sc_core::sc_start();
    }
};

TEST(AtsFunction, DisabledAccessesGoUntranslated) {
    Rig r;
    r.run([&] { EXPECT_EQ(r.read(0x1040), tlm::TLM_OK_RESPONSE); });
    ASSERT_EQ(r.agent.seen.size(), 1u);
    EXPECT_EQ(r.agent.seen[0].at, core::AtKind::Untranslated);
    EXPECT_EQ(r.agent.seen[0].addr, 0x1040u);
    EXPECT_EQ(stat("ats.untranslated"), 1);
}

TEST(AtsFunction, AMissAsksThenTheAtcServesThePage) {
    Rig r;
    r.ats.set_enabled(true);
    r.run([&] {
        EXPECT_EQ(r.read(0x1040), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(r.read(0x1080), tlm::TLM_OK_RESPONSE);  // same page: the ATC
    });
    ASSERT_EQ(r.agent.seen.size(), 3u);
    EXPECT_EQ(r.agent.seen[0].at, core::AtKind::Request);
    EXPECT_EQ(r.agent.seen[0].addr, 0x1000u);
    EXPECT_EQ(r.agent.seen[1].at, core::AtKind::Translated);
    EXPECT_EQ(r.agent.seen[1].addr, 0x1040u + kOffset);
    EXPECT_EQ(r.agent.seen[2].at, core::AtKind::Translated);
    EXPECT_EQ(r.agent.seen[2].addr, 0x1080u + kOffset);
    EXPECT_EQ(stat("ats.translation_requests"), 1);
    EXPECT_EQ(stat("ats.translated"), 2);
}

TEST(AtsFunction, ACompletionWithoutPermissionFailsTheAccessAndIsNotCached) {
    Rig r;
    r.ats.set_enabled(true);
    r.run([&] {
        EXPECT_NE(r.read(kRefused + 8), tlm::TLM_OK_RESPONSE);
        EXPECT_NE(r.read(kRefused + 16), tlm::TLM_OK_RESPONSE);  // asks again: nothing cached
    });
    ASSERT_EQ(r.agent.seen.size(), 2u);
    EXPECT_EQ(r.agent.seen[1].at, core::AtKind::Request);
    EXPECT_EQ(stat("ats.translation_failures"), 2);
}

TEST(AtsFunction, MissesToOnePageShareOneRequest) {
    Rig r;
    r.ats.set_enabled(true);
    unsigned done = 0;
    sc_core::sc_spawn([&] {
        EXPECT_EQ(r.read(0x3000), tlm::TLM_OK_RESPONSE);
        ++done;
    });
    r.run([&] {
        EXPECT_EQ(r.read(0x3008), tlm::TLM_OK_RESPONSE);
        ++done;
    });
    EXPECT_EQ(done, 2u);
    EXPECT_EQ(stat("ats.translation_requests"), 1);
    EXPECT_EQ(stat("ats.merged_requests"), 1);
    EXPECT_EQ(stat("ats.translated"), 2);
}

// An invalidation of the page while its request is in flight: the completion may be stale, so
// it is not used; the request goes again, and the invalidation completes only after the first.
TEST(AtsFunction, AnInvalidationOvertakingTheRequestSendsItAgain) {
    Rig r;
    r.ats.set_enabled(true);
    bool inv_done = false;
    sc_core::sc_time inv_at;
    sc_core::sc_spawn([&] {
        sc_core::wait(50, sc_core::SC_NS);  // the request is at the agent
        core::AtcInvalidation inv;
        inv.sid = 1;
        inv.base = 0x5000;
        inv.log2_bytes = 12;
        r.ats.atc_invalidate(inv, [&] {
            inv_done = true;
            inv_at = core::now();
        });
    });
    r.run([&] { EXPECT_EQ(r.read(0x5010), tlm::TLM_OK_RESPONSE); });
    EXPECT_TRUE(inv_done);
    EXPECT_EQ(stat("ats.translation_requests"), 2);
    EXPECT_EQ(stat("ats.request_retries"), 1);
    EXPECT_EQ(stat("ats.stale_fills"), 1);
    ASSERT_EQ(r.agent.seen.size(), 3u);
    EXPECT_EQ(r.agent.seen[2].at, core::AtKind::Translated);
}

}  // namespace
}  // namespace smmusim
