#include "models/core/blocking_port.h"

#include <cstring>
#include <stdexcept>

namespace smmusim::core {
namespace {

// The thread waiting for a payload's response, kept on the pooled payload.
struct Waiter : tlm::tlm_extension<Waiter> {
    sc_core::sc_event done;
    bool finished = false;
    bool posted = false;  // nobody waits: the port releases it
    tlm::tlm_extension_base* clone() const override { return new Waiter; }
    void copy_from(const tlm::tlm_extension_base&) override {}
};

}  // namespace

BlockingPort::BlockingPort(const char* name, unsigned max_len) : port_(name, *this), pool_(max_len) {}

tlm::tlm_response_status BlockingPort::read(uint64_t addr, void* dst, unsigned len, const StreamAttr* attr) {
    ++reads_;
    return transact(tlm::TLM_READ_COMMAND, addr, dst, len, attr);
}

tlm::tlm_response_status BlockingPort::write(uint64_t addr, const void* src, unsigned len,
                                             const StreamAttr* attr) {
    ++writes_;
    return transact(tlm::TLM_WRITE_COMMAND, addr, const_cast<void*>(src), len, attr);
}

tlm::tlm_response_status BlockingPort::read_lt(uint64_t addr, void* dst, unsigned len, sc_core::sc_time& delay) {
    ++reads_;
    tlm::tlm_generic_payload& gp = lt_gp_;
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(addr);
    gp.set_data_ptr(static_cast<unsigned char*>(dst));
    gp.set_data_length(len);
    gp.set_streaming_width(len);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    set_coherency(gp, false);
    port_.socket->b_transport(gp, delay);
    return gp.get_response_status();
}

bool BlockingPort::debug(bool write, uint64_t addr, void* data, unsigned len) {
    tlm::tlm_generic_payload gp;
    gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(addr);
    gp.set_data_ptr(static_cast<unsigned char*>(data));
    gp.set_data_length(len);
    gp.set_streaming_width(len);
    gp.set_byte_enable_ptr(nullptr);
    return port_.socket->transport_dbg(gp) == len;
}

tlm::tlm_response_status BlockingPort::transact(tlm::tlm_command cmd, uint64_t addr, void* data,
                                                unsigned len, const StreamAttr* attr) {
    if (len > pool_.capacity()) throw std::logic_error("BlockingPort: access larger than its buffer");
    tlm::tlm_generic_payload* gp = pool_.acquire();
    Waiter* w = gp->get_extension<Waiter>();
    if (!w) {
        w = new Waiter;
        gp->set_extension(w);
    }
    w->finished = false;
    w->posted = false;
    StreamAttr* a = gp->get_extension<StreamAttr>();
    if (attr) {
        if (!a) {
            a = new StreamAttr;
            gp->set_extension(a);
        }
        *a = *attr;
    } else if (a) {
        gp->clear_extension(a);
        delete a;
    }
    set_coherency(*gp, false);
    gp->set_command(cmd);
    gp->set_address(addr);
    gp->set_data_length(len);
    gp->set_streaming_width(len);
    if (cmd == tlm::TLM_WRITE_COMMAND) std::memcpy(gp->get_data_ptr(), data, len);
    port_.send(*gp);
    while (!w->finished) sc_core::wait(w->done);
    tlm::tlm_response_status status = gp->get_response_status();
    if (cmd == tlm::TLM_READ_COMMAND && status == tlm::TLM_OK_RESPONSE)
        std::memcpy(data, gp->get_data_ptr(), len);
    gp->release();
    return status;
}

void BlockingPort::at_response(tlm::tlm_generic_payload& gp, unsigned) {
    Waiter* w = gp.get_extension<Waiter>();
    if (w->posted) {
        if (gp.get_response_status() != tlm::TLM_OK_RESPONSE) ++posted_errors_;
        --posted_;
        gp.release();
        posted_done_.notify(sc_core::SC_ZERO_TIME);
        return;
    }
    w->finished = true;
    w->done.notify(sc_core::SC_ZERO_TIME);
}

void BlockingPort::set_coherency(tlm::tlm_generic_payload& gp, bool write_back) const {
    MemAttr* m = gp.get_extension<MemAttr>();
    if (!m) {
        if (!non_coherent_ && !write_back) return;
        m = new MemAttr;
        gp.set_extension(m);
    }
    m->non_coherent = non_coherent_;
    m->write_back = write_back;
}

void BlockingPort::post_write(uint64_t addr, const void* src, unsigned len, unsigned max_posted, bool write_back) {
    if (len > pool_.capacity()) throw std::logic_error("BlockingPort: access larger than its buffer");
    while (posted_ >= max_posted) sc_core::wait(posted_done_);
    ++writes_;
    tlm::tlm_generic_payload* gp = pool_.acquire();
    Waiter* w = gp->get_extension<Waiter>();
    if (!w) {
        w = new Waiter;
        gp->set_extension(w);
    }
    w->finished = false;
    w->posted = true;
    if (StreamAttr* a = gp->get_extension<StreamAttr>()) {
        gp->clear_extension(a);
        delete a;
    }
    set_coherency(*gp, write_back);
    gp->set_command(tlm::TLM_WRITE_COMMAND);
    gp->set_address(addr);
    gp->set_data_length(len);
    gp->set_streaming_width(len);
    std::memcpy(gp->get_data_ptr(), src, len);
    ++posted_;
    port_.send(*gp);
}

uint64_t BlockingPort::drain() {
    while (posted_) sc_core::wait(posted_done_);
    const uint64_t e = posted_errors_;
    posted_errors_ = 0;
    return e;
}

}  // namespace smmusim::core
