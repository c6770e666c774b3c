#pragma once
// Blocking memory accesses for SC_THREADs on top of the AT initiator endpoint: the calling
// thread issues one timed transaction and waits for its response. Several threads may share
// one port; their requests queue for the request channel in call order.

#include <cstdint>

#include <systemc>
#include <tlm>

#include "models/core/at_initiator_port.h"
#include "models/core/mem_attr.h"
#include "models/core/payload_pool.h"
#include "models/core/stream_attr.h"

namespace smmusim::core {

class BlockingPort : private AtInitiatorHandler {
public:
    explicit BlockingPort(const char* name, unsigned max_len = 256);

    tlm::tlm_initiator_socket<>& socket() { return port_.socket; }

    // Must be called from an SC_THREAD. Returns the response status; `len` <= max_len.
    // `attr`: the StreamAttr to put on the transaction (a device behind an SMMU).
    tlm::tlm_response_status read(uint64_t addr, void* dst, unsigned len, const StreamAttr* attr = nullptr);
    tlm::tlm_response_status write(uint64_t addr, const void* src, unsigned len,
                                   const StreamAttr* attr = nullptr);

    // Loosely timed (sim.mode=lt): the read through b_transport, `delay` the caller's time
    // offset in and the completion's out. Does not wait; one at a time (its payload is kept).
    tlm::tlm_response_status read_lt(uint64_t addr, void* dst, unsigned len, sc_core::sc_time& delay);

    // A posted write (a CPU store going into its write buffer): sent, and the caller goes on;
    // with `max_posted` writes in flight it first waits for one to finish.
    // `write_back`: a CPU cache's write-back (core::MemAttr::write_back).
    void post_write(uint64_t addr, const void* src, unsigned len, unsigned max_posted, bool write_back = false);
    // Every later transaction of this port is non-coherent (core::MemAttr::non_coherent): an
    // SMMU with IDR0.COHACC = 0.
    void set_non_coherent(bool on) { non_coherent_ = on; }
    // Waits until every posted write has completed; returns how many of them (since the last
    // drain) were answered with an error.
    uint64_t drain();
    unsigned posted() const { return posted_; }
    // An untimed access through the debug transport (no simulated time, no ordering with
    // posted writes: drain first). False if the target did not take all `len` bytes.
    bool debug(bool write, uint64_t addr, void* data, unsigned len);

    uint64_t reads() const { return reads_; }
    uint64_t writes() const { return writes_; }

private:
    tlm::tlm_response_status transact(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len,
                                      const StreamAttr* attr);
    void at_response(tlm::tlm_generic_payload& gp, unsigned) override;
    // Puts this port's coherency attributes on `gp` (nothing for a coherent access on a payload
    // that never carried any).
    void set_coherency(tlm::tlm_generic_payload& gp, bool write_back) const;

    AtInitiatorPort port_;
    PayloadPool pool_;
    tlm::tlm_generic_payload lt_gp_;  // read_lt's
    uint64_t reads_ = 0, writes_ = 0;
    unsigned posted_ = 0;
    bool non_coherent_ = false;
    uint64_t posted_errors_ = 0;
    sc_core::sc_event posted_done_;
};

}  // namespace smmusim::core
