#include "models/core/payload_pool.h"

namespace smmusim::core {

PayloadPool::~PayloadPool() {
    // Payloads still referenced elsewhere at teardown must not call back into a dead pool.
    for (auto& s : all_) s->set_mm(nullptr);
}

tlm::tlm_generic_payload* PayloadPool::acquire() {
    Slot* s;
    if (free_.empty()) {
        all_.push_back(std::make_unique<Slot>());
        s = all_.back().get();
        s->data.resize(capacity_);
        s->set_mm(this);
    } else {
        s = free_.back();
        free_.pop_back();
    }
    tlm::tlm_generic_payload& gp = *s;
    gp.set_command(tlm::TLM_IGNORE_COMMAND);
    gp.set_address(0);
    gp.set_data_ptr(s->data.data());
    gp.set_data_length(0);
    gp.set_streaming_width(0);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_byte_enable_length(0);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    gp.set_gp_option(tlm::TLM_MIN_PAYLOAD);
    gp.acquire();
    return &gp;
}

void PayloadPool::free(tlm::tlm_generic_payload* gp) {
    free_.push_back(static_cast<Slot*>(gp));
}

}  // namespace smmusim::core
