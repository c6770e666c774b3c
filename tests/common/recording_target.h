#pragma once
// A bare AT target for tests: records every request (time, address, StreamAttr) and answers
// after a fixed latency, or holds requests / responses when asked, to test backpressure.

#include <cstdint>
#include <optional>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/core/at_target_port.h"
#include "models/core/stream_attr.h"

namespace smmusim::test {

class RecordingTarget : public sc_core::sc_module, private core::AtTargetHandler {
public:
    struct Seen {
        sc_core::sc_time at;
        uint64_t addr;
        unsigned len;
        bool write;
        std::optional<core::StreamAttr> attr;
    };

    core::AtTargetPort port{"socket", *this};
    std::vector<Seen> seen;
    sc_core::sc_time latency = sc_core::sc_time(10, sc_core::SC_NS);
    bool accept_requests = true;    // false: hold each request (no END_REQ)
    bool answer = true;             // false: keep responses until release_responses()
    bool respond_error = false;     // answer every request with TLM_GENERIC_ERROR_RESPONSE

    explicit RecordingTarget(sc_core::sc_module_name name) : sc_module(name) {}

    void release_responses() {
        for (tlm::tlm_generic_payload* gp : kept_) port.respond(*gp, latency);
        kept_.clear();
    }
    void accept_held() {
        if (tlm::tlm_generic_payload* gp = port.held()) {
            port.accept_held();
            take(*gp);
        }
    }
    size_t kept() const { return kept_.size(); }

private:
    bool at_request(tlm::tlm_generic_payload& gp, unsigned) override {
        if (!accept_requests) return false;
        take(gp);
        return true;
    }
    void take(tlm::tlm_generic_payload& gp) {
        Seen s{sc_core::sc_time_stamp(), gp.get_address(), gp.get_data_length(), gp.is_write(), {}};
        if (const core::StreamAttr* a = gp.get_extension<core::StreamAttr>()) s.attr = *a;
        seen.push_back(s);
        gp.set_response_status(respond_error ? tlm::TLM_GENERIC_ERROR_RESPONSE : tlm::TLM_OK_RESPONSE);
        if (answer) port.respond(gp, latency);
        else kept_.push_back(&gp);
    }

    std::vector<tlm::tlm_generic_payload*> kept_;
};

}  // namespace smmusim::test
