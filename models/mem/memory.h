#pragma once
// Memory target: sparse backing store behind a bandwidth-limited port. A request is accepted
// while fewer than max_outstanding are in service (else END_REQ waits: backpressure); it then
// queues for the data port (size / bytes_per_cycle cycles each, in arrival order) and
// completes read_latency or write_latency cycles after its data transfer. Contention shows
// up as queue delay. Addresses are absolute: the memory answers [base, base + size).

#include <cstdint>
#include <functional>
#include <memory>

#include <systemc>
#include <tlm>

#include "models/core/at_target_port.h"
#include "models/core/clock.h"
#include "models/core/params.h"
#include "models/core/stats.h"
#include "models/core/vcd.h"
#include "models/mem/dirty_lines.h"
#include "models/mem/sparse_store.h"

namespace smmusim::mem {

class Memory : public sc_core::sc_module, private core::AtTargetHandler {
public:
    struct Defaults {
        uint64_t base = 0;
        uint64_t size = uint64_t(1) << 30;
    };
    Memory(sc_core::sc_module_name name, const Defaults& defaults);

    core::ClockParam clock{this};
    core::Param<uint64_t> base;
    core::Param<uint64_t> size;
    core::Param<uint32_t> read_latency{this, "read_latency", 100, "cycles",
                                       "cycles from the end of a read's data transfer to its response",
                                       {0, 1000000}};
    core::Param<uint32_t> write_latency{this, "write_latency", 50, "cycles",
                                        "cycles from the end of a write's data transfer to its response",
                                        {0, 1000000}};
    core::Param<uint32_t> bytes_per_cycle{this, "bytes_per_cycle", 32, "bytes",
                                          "data port width: bytes moved per cycle", {1, 4096}};
    core::Param<uint32_t> max_outstanding{this, "max_outstanding", 64, "",
                                          "requests in service at once; more wait for END_REQ",
                                          {1, 65536}};
    core::Param<bool> dmi{this, "dmi", true, "", "grant DMI pointers (backdoor access)"};

    core::AtTargetPort port;  // socket: <name>.socket

    SparseStore& store() { return store_; }
    // Told of every write (AT, blocking and debug transport) as its data lands: what clears
    // the CPUs' exclusive monitors. Set it before the simulation starts: DMI is not granted
    // while an observer is set, because a DMI write would bypass it.
    void set_write_observer(std::function<void(uint64_t addr, uint64_t len)> observer) {
        observer_ = std::move(observer);
    }
    bool contains(uint64_t addr, uint64_t len) const;
    // CPU write-back caches in front of this memory (cluster.cache.size > 0): non-coherent
    // transactions see DRAM (DirtyLines), coherent writes snoop the caches, a coherent access to
    // a line dirty in a CPU cache takes `snoop` longer (no DMI then). Before the simulation.
    void set_dirty_lines(DirtyLines* d, const sc_core::sc_time& snoop);
    DirtyLines* dirty_lines() const { return dirty_; }

private:
    bool at_request(tlm::tlm_generic_payload& gp, unsigned) override;
    void at_response_done(unsigned) override;
    void at_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, unsigned) override;
    unsigned at_transport_dbg(tlm::tlm_generic_payload& gp, unsigned) override;
    bool at_get_dmi(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi, unsigned) override;

    void start(tlm::tlm_generic_payload& gp);
    // Checks the payload and performs the access on the store; sets the response status.
    bool access(tlm::tlm_generic_payload& gp);
    // Counts a request served (reads or writes, bytes); its latency in cycles.
    uint32_t served(const tlm::tlm_generic_payload& gp);
    void set_outstanding(uint32_t n);

    // The data movement of access() with CPU caches in front (set_dirty_lines).
    void cached_access(tlm::tlm_generic_payload& gp, uint64_t addr, unsigned len);

    SparseStore store_;
    std::function<void(uint64_t, uint64_t)> observer_;
    DirtyLines* dirty_ = nullptr;
    sc_core::sc_time snoop_ = sc_core::SC_ZERO_TIME;
    bool snooped_ = false;  // the access in progress hit a line dirty in a CPU cache
    std::unique_ptr<core::Counter> snoop_hits_;
    uint32_t outstanding_ = 0;
    sc_core::sc_time port_free_ = sc_core::SC_ZERO_TIME;

    core::Counter reads_{this, "reads", "read requests served"};
    core::Counter writes_{this, "writes", "write requests served"};
    core::Counter bytes_read_{this, "bytes_read", "bytes read", "bytes"};
    core::Counter bytes_written_{this, "bytes_written", "bytes written", "bytes"};
    core::Counter errors_{this, "errors", "requests answered with an error response"};
    core::TimeHistogram queue_delay_{this, "queue_delay",
                                     "time a request waited for the data port (contention)"};
    core::Level occupancy_{this, "occupancy", "requests in service (accepted, not yet answered)"};
    core::Formula resident_{this, "resident_bytes", "host memory used by the backing store",
                            "bytes", [this] { return store_.resident_bytes(); }};
    core::TraceSignal occupancy_sig_{this, "occupancy", 16};
};

}  // namespace smmusim::mem
