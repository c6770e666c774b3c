// The AT endpoints against raw peers that take each path the base protocol allows.

#include <vector>

#include <gtest/gtest.h>

#include "models/core/at_initiator_port.h"
#include "models/core/at_target_port.h"
#include "models/core/payload_pool.h"

using namespace smmusim::core;
using sc_core::sc_time;
using sc_core::SC_NS;
using sc_core::SC_ZERO_TIME;

namespace {

// ---- AtInitiatorPort against a raw target ----

enum class TargetMode { AcceptThenRespond, UpdatedEndReq, Completed, UpdatedBeginResp };

struct RawTarget : sc_core::sc_module, tlm::tlm_fw_transport_if<> {
    tlm::tlm_target_socket<> socket{"socket"};
    TargetMode mode;
    std::vector<sc_time> end_resp_seen;
    std::vector<tlm::tlm_generic_payload*> to_answer;
    sc_core::sc_event answer_ev;

    SC_HAS_PROCESS(RawTarget);
    RawTarget(sc_core::sc_module_name n, TargetMode m) : sc_module(n), mode(m) {
        socket.bind(*this);
        SC_THREAD(answer);
    }
    tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph,
                                       sc_time& d) override {
        if (ph == tlm::END_RESP) {
            end_resp_seen.push_back(sc_core::sc_time_stamp() + d);
            return tlm::TLM_COMPLETED;
        }
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        switch (mode) {
        case TargetMode::AcceptThenRespond:
            to_answer.push_back(&gp);
            answer_ev.notify(sc_time(10, SC_NS));
            return tlm::TLM_ACCEPTED;
        case TargetMode::UpdatedEndReq:
            ph = tlm::END_REQ;
            d += sc_time(2, SC_NS);
            to_answer.push_back(&gp);
            answer_ev.notify(sc_time(10, SC_NS));
            return tlm::TLM_UPDATED;
        case TargetMode::Completed:
            d += sc_time(5, SC_NS);
            return tlm::TLM_COMPLETED;
        case TargetMode::UpdatedBeginResp:
            ph = tlm::BEGIN_RESP;
            d += sc_time(3, SC_NS);
            return tlm::TLM_UPDATED;
        }
        return tlm::TLM_COMPLETED;
    }
    void answer() {
        for (;;) {
            wait(answer_ev);
            auto pending = to_answer;
            to_answer.clear();
            for (auto* gp : pending) {
                if (mode == TargetMode::AcceptThenRespond) {
                    tlm::tlm_phase end = tlm::END_REQ;
                    sc_time d0 = SC_ZERO_TIME;
                    socket->nb_transport_bw(*gp, end, d0);
                }
                tlm::tlm_phase ph = tlm::BEGIN_RESP;
                sc_time d = sc_time(1, SC_NS);  // annotated: the initiator must apply it
                socket->nb_transport_bw(*gp, ph, d);
            }
        }
    }
    void b_transport(tlm::tlm_generic_payload&, sc_time&) override {}
    bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
    unsigned transport_dbg(tlm::tlm_generic_payload&) override { return 0; }
};

struct Issuer : sc_core::sc_module, AtInitiatorHandler {
    AtInitiatorPort port{"socket", *this};
    PayloadPool pool{64};
    std::vector<sc_time> responses, accepts;
    unsigned n;
    SC_HAS_PROCESS(Issuer);
    Issuer(sc_core::sc_module_name name, unsigned count) : sc_module(name), n(count) { SC_THREAD(run); }
    void run() {
        for (unsigned i = 0; i < n; ++i) {
            auto* gp = pool.acquire();
            gp->set_command(tlm::TLM_READ_COMMAND);
            gp->set_data_length(8);
            port.send(*gp);  // queued while the request channel is busy
        }
    }
    void at_request_accepted(tlm::tlm_generic_payload&, unsigned) override {
        accepts.push_back(sc_core::sc_time_stamp());
    }
    void at_response(tlm::tlm_generic_payload& gp, unsigned) override {
        EXPECT_TRUE(gp.is_response_ok());
        responses.push_back(sc_core::sc_time_stamp());
        gp.release();
    }
};

}  // namespace

TEST(AtInitiatorPort, AcceptedThenBackwardPhases) {
    RawTarget t("t", TargetMode::AcceptThenRespond);
    Issuer i("i", 1);
    i.port.socket.bind(t.socket);
    sc_core::sc_start();
    ASSERT_EQ(i.responses.size(), 1u);
    EXPECT_EQ(i.responses[0], sc_time(11, SC_NS));  // answered at 10 ns + 1 ns annotation
    // An annotated BEGIN_RESP is taken through the PEQ, so END_RESP is sent explicitly.
    ASSERT_EQ(t.end_resp_seen.size(), 1u);
    EXPECT_EQ(t.end_resp_seen[0], sc_time(11, SC_NS));
}

TEST(AtInitiatorPort, UpdatedEndReqFreesChannelAfterDelay) {
    RawTarget t("t", TargetMode::UpdatedEndReq);
    Issuer i("i", 2);
    i.port.socket.bind(t.socket);
    sc_core::sc_start();
    ASSERT_EQ(i.accepts.size(), 2u);
    EXPECT_EQ(i.accepts[0], sc_time(2, SC_NS));
    EXPECT_EQ(i.accepts[1], sc_time(4, SC_NS));  // second BEGIN_REQ only after the first END_REQ
    EXPECT_EQ(i.responses.size(), 2u);
}

TEST(AtInitiatorPort, CompletedOnForwardPathNeedsNoEndResp) {
    RawTarget t("t", TargetMode::Completed);
    Issuer i("i", 3);
    i.port.socket.bind(t.socket);
    sc_core::sc_start();
    ASSERT_EQ(i.responses.size(), 3u);
    EXPECT_EQ(i.responses[0], sc_time(5, SC_NS));
    EXPECT_EQ(i.responses[2], sc_time(15, SC_NS));
    EXPECT_TRUE(t.end_resp_seen.empty());
}

TEST(AtInitiatorPort, UpdatedBeginRespGetsEndResp) {
    RawTarget t("t", TargetMode::UpdatedBeginResp);
    Issuer i("i", 2);
    i.port.socket.bind(t.socket);
    sc_core::sc_start();
    ASSERT_EQ(i.responses.size(), 2u);
    EXPECT_EQ(i.responses[0], sc_time(3, SC_NS));
    EXPECT_EQ(i.responses[1], sc_time(6, SC_NS));
    EXPECT_EQ(t.end_resp_seen.size(), 2u);
}

namespace {

// ---- AtTargetPort against a raw initiator ----

struct Handler : sc_core::sc_module, AtTargetHandler {
    AtTargetPort port{"socket", *this};
    bool hold_first = false;
    unsigned requests = 0, done = 0;
    SC_HAS_PROCESS(Handler);
    explicit Handler(sc_core::sc_module_name n) : sc_module(n) { SC_THREAD(release); }
    bool at_request(tlm::tlm_generic_payload& gp, unsigned) override {
        ++requests;
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        port.respond(gp, sc_time(1, SC_NS));
        return !(hold_first && requests == 1);
    }
    void at_response_done(unsigned) override { ++done; }
    void release() {
        wait(20, SC_NS);
        port.accept_held();
    }
};

struct RawInitiator : sc_core::sc_module, tlm::tlm_bw_transport_if<> {
    tlm::tlm_initiator_socket<> socket{"socket"};
    tlm::tlm_generic_payload a, b;
    std::vector<sc_time> end_req, begin_resp;
    sc_core::sc_event end_resp_ev;
    std::vector<tlm::tlm_generic_payload*> to_finish;
    SC_HAS_PROCESS(RawInitiator);
    explicit RawInitiator(sc_core::sc_module_name n) : sc_module(n) {
        socket.bind(*this);
        SC_THREAD(run);
        SC_THREAD(finish);
    }
    void send(tlm::tlm_generic_payload& gp) {
        gp.set_command(tlm::TLM_READ_COMMAND);
        tlm::tlm_phase ph = tlm::BEGIN_REQ;
        sc_time d = SC_ZERO_TIME;
        // The target may take the request on the call (TLM_UPDATED, END_REQ) or later.
        const tlm::tlm_sync_enum st = socket->nb_transport_fw(gp, ph, d);
        if (st == tlm::TLM_UPDATED) {
            EXPECT_EQ(ph, tlm::END_REQ);
            end_req.push_back(sc_core::sc_time_stamp() + d);
        } else {
            EXPECT_EQ(st, tlm::TLM_ACCEPTED);
        }
    }
    void run() {
        send(a);
        while (end_req.empty()) wait(1, SC_NS);
        send(b);
    }
    tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_time&) override {
        if (ph == tlm::END_REQ) end_req.push_back(sc_core::sc_time_stamp());
        if (ph == tlm::BEGIN_RESP) {
            begin_resp.push_back(sc_core::sc_time_stamp());
            to_finish.push_back(&gp);
            end_resp_ev.notify(sc_time(5, SC_NS));  // hold the response channel for 5 ns
        }
        return tlm::TLM_ACCEPTED;
    }
    void finish() {
        for (;;) {
            wait(end_resp_ev);
            auto pending = to_finish;
            to_finish.clear();
            for (auto* gp : pending) {
                tlm::tlm_phase ph = tlm::END_RESP;
                sc_time d = SC_ZERO_TIME;
                socket->nb_transport_fw(*gp, ph, d);
            }
        }
    }
    void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}
};

}  // namespace

TEST(AtTargetPort, ResponsesWaitForEndResp) {
    Handler h("h");
    RawInitiator i("i");
    i.socket.bind(h.port.socket);
    sc_core::sc_start();
    ASSERT_EQ(i.begin_resp.size(), 2u);
    EXPECT_EQ(i.begin_resp[0], sc_time(1, SC_NS));
    // b is ready at 2 ns but the channel is busy until END_RESP of a at 6 ns.
    EXPECT_EQ(i.begin_resp[1], sc_time(6, SC_NS));
    EXPECT_EQ(h.done, 2u);
}

TEST(AtTargetPort, HeldRequestGetsEndReqOnAccept) {
    Handler h("h");
    h.hold_first = true;
    RawInitiator i("i");
    i.socket.bind(h.port.socket);
    sc_core::sc_start();
    ASSERT_EQ(i.end_req.size(), 2u);
    EXPECT_EQ(i.end_req[0], sc_time(20, SC_NS));  // held until the owner accepted it
    EXPECT_EQ(i.end_req[1], sc_time(20, SC_NS));  // sent when the first was accepted, taken on the call
    EXPECT_EQ(h.requests, 2u);
}
