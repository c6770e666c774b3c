#pragma once
// A bare AT initiator for model tests: transactions are scheduled at given times and every
// acceptance (END_REQ) and response is recorded.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/core/at_initiator_port.h"
#include "models/core/payload_pool.h"
#include "models/core/stream_attr.h"

namespace smmusim::test {

class TestInitiator : public sc_core::sc_module, private core::AtInitiatorHandler {
public:
    struct Result {
        unsigned id;
        uint64_t addr;
        bool write;
        sc_core::sc_time issued, accepted, done;
        tlm::tlm_response_status status;
        std::vector<unsigned char> data;
    };

    core::AtInitiatorPort port{"socket", *this};
    std::vector<Result> results;  // completion order

    SC_HAS_PROCESS(TestInitiator);
    explicit TestInitiator(sc_core::sc_module_name name) : sc_module(name) { SC_THREAD(run); }

    unsigned read(uint64_t addr, unsigned len, sc_core::sc_time at = sc_core::SC_ZERO_TIME) {
        return add(Cmd{at, addr, len, false, {}, next_id_});
    }
    unsigned write(uint64_t addr, std::vector<unsigned char> data,
                   sc_core::sc_time at = sc_core::SC_ZERO_TIME) {
        unsigned len = unsigned(data.size());
        return add(Cmd{at, addr, len, true, std::move(data), next_id_});
    }
    const Result& result(unsigned id) const {
        for (const Result& r : results)
            if (r.id == id) return r;
        throw std::out_of_range("transaction not completed");
    }
    // Acceptance times in issue order.
    std::vector<sc_core::sc_time> accepted_times() const {
        std::vector<Result> r = results;
        std::sort(r.begin(), r.end(), [](const Result& a, const Result& b) { return a.id < b.id; });
        std::vector<sc_core::sc_time> t;
        for (const Result& x : r) t.push_back(x.accepted);
        return t;
    }

private:
    struct Cmd {
        sc_core::sc_time at;
        uint64_t addr;
        unsigned len;
        bool write;
        std::vector<unsigned char> data;
        unsigned id;
    };
    struct Tag : tlm::tlm_extension<Tag> {
        unsigned id = 0;
        sc_core::sc_time issued, accepted;
        tlm::tlm_extension_base* clone() const override { return new Tag(*this); }
        void copy_from(const tlm::tlm_extension_base& o) override { *this = static_cast<const Tag&>(o); }
    };

    unsigned add(Cmd c) {
        cmds_.push_back(std::move(c));
        return next_id_++;
    }

    void run() {
        std::stable_sort(cmds_.begin(), cmds_.end(), [](const Cmd& a, const Cmd& b) { return a.at < b.at; });
        for (const Cmd& c : cmds_) {
            if (c.at > sc_core::sc_time_stamp()) wait(c.at - sc_core::sc_time_stamp());
            tlm::tlm_generic_payload* gp = pool_.acquire();
            gp->set_command(c.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
            gp->set_address(c.addr);
            gp->set_data_length(c.len);
            gp->set_streaming_width(c.len);
            if (c.write) std::memcpy(gp->get_data_ptr(), c.data.data(), c.len);
            Tag* tag = gp->get_extension<Tag>();
            if (!tag) {
                tag = new Tag;
                gp->set_extension(tag);
            }
            tag->id = c.id;
            tag->issued = sc_core::sc_time_stamp();
            port.send(*gp);
        }
    }

    void at_request_accepted(tlm::tlm_generic_payload& gp, unsigned) override {
        gp.get_extension<Tag>()->accepted = sc_core::sc_time_stamp();
    }

    void at_response(tlm::tlm_generic_payload& gp, unsigned) override {
        const Tag* tag = gp.get_extension<Tag>();
        Result r{tag->id, gp.get_address(), gp.is_write(), tag->issued, tag->accepted,
                 sc_core::sc_time_stamp(), gp.get_response_status(), {}};
        if (gp.is_read()) r.data.assign(gp.get_data_ptr(), gp.get_data_ptr() + gp.get_data_length());
        results.push_back(std::move(r));
        gp.release();
    }

    core::PayloadPool pool_{4096};
    std::vector<Cmd> cmds_;
    unsigned next_id_ = 0;
};

}  // namespace smmusim::test
