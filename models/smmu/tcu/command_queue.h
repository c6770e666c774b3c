#pragma once
// The command queue consumer (reference §4, §9.1, §9.4): fetches commands by timed reads of
// several entries at once, executes them in order, advances CONS as each is consumed.
// CMD_SYNC is consumed only when every earlier command has completed; it then signals
// (MSI / wired IRQ / SEV). An illegal command or a fetch abort stops the queue with
// CONS.ERR set and GERROR.CMDQ_ERR activated, until software acknowledges it in GERRORN.
//
// With enhanced command queues (smmu.ecmdqs, reference §3.5.6) the same engine also serves
// each enabled ECMDQ: it picks the next non-empty queue round-robin (main queue first, then
// ECMDQ 0, 1, ...) and serves one fetch (up to cmd_fetch_batch commands) from it, so that a
// switch costs what a fetch costs and nothing else (no total order across queues, §3.5.6.1).
// smmu.tcu.cmdq_engines > 1 lets that many queues be served at once (each engine takes the
// next non-empty queue no other engine is serving), as the architecture permits.
// A CMD_SYNC waits for every invalidation consumed so far, on any queue: more than the
// architecture requires of it (that queue's earlier commands), which it permits. An ECMDQ
// error toggles its ECMDQ_CONS.ERR with ERR_REASON, stops only that queue until ERRACK
// matches again, and activates GERROR.CMDQP_ERR (if inactive), never CMDQ_ERR (§3.5.6.3).
// EN -> ENACK takes the TCU's ack_latency, as CR0 -> CR0ACK does.

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include <systemc>

#include "models/core/txn_trace.h"
#include "models/core/blocking_port.h"
#include "models/core/stats.h"
#include "models/core/vcd.h"
#include "models/smmu/arch/commands.h"
#include "models/smmu/features.h"
#include "models/smmu/tcu/interrupts.h"
#include "models/smmu/tcu/registers.h"

namespace smmusim::smmu::tcu {

// What commands act on: the caches, and the translations in flight.
class Invalidator {
public:
    virtual ~Invalidator() = default;
    // CFGI_* and TLBI_*: remove what the command covers (takes effect when consumed).
    virtual void invalidate(const arch::Command& c) = 0;
    // ATC_INV: send it to the ATS endpoints of its StreamID; a later sync() waits for their
    // completions (§4.4 CMD_ATC_INV, §4.7.3 CMD_SYNC).
    virtual void atc_invalidate(const arch::Command& c) = 0;
    // Blocks the calling thread until every invalidation consumed so far has completed; false
    // if an ATC invalidation did not complete in time (CERROR_ATC_INV_SYNC).
    virtual bool sync() = 0;
};

class CommandQueue {
public:
    struct Timing {
        sc_core::sc_time per_command;
        unsigned fetch_batch;  // commands per memory read
        sc_core::sc_time ack;  // ECMDQ_PROD.EN to ECMDQ_CONS.ENACK
    };
    CommandQueue(sc_core::sc_module& owner, RegState& regs, const Features& f, core::BlockingPort& mem,
                 Interrupts& irq, Invalidator& inv, Timing timing);

    // Something that may let the queue make progress: PROD written, CMDQEN set,
    // CMDQ_ERR acknowledged.
    void kick();
    void prod_written();
    // ECMDQ_PROD of ECMDQ i written: new commands, or EN changed (acknowledged later).
    void ecmdq_prod_written(unsigned i);
    // SC_THREAD bodies: the engine, and (with ECMDQs) their ENACK updates.
    void run();
    void run_ecmdq_acks();

private:
    // A queue the engine consumes: the main one (ecmdq < 0) or ECMDQ `ecmdq`.
    struct Source {
        int ecmdq = -1;
        // PROD writes (position, time), for when a command became visible: the sync latency.
        std::deque<std::pair<uint32_t, sc_core::sc_time>> visible;
        bool ack_pending = false;  // EN written, ENACK not yet updated
        bool busy = false;         // an engine is serving it
        sc_core::sc_time ack_due;
        std::unique_ptr<core::Counter> commands;  // ECMDQs: cmdq.ecmdq<i>.commands
    };
    uint64_t base_of(const Source& s) const;
    uint32_t prod_of(const Source& s) const;
    uint32_t& cons_of(Source& s);
    bool enabled(const Source& s) const;
    bool runnable(const Source& s) const;
    Source* pick();
    void serve(Source& s);
    unsigned log2size(const Source& s) const;
    void note_visible(Source& s);
    // Executes one command; returns the CERROR code (NONE when consumed).
    uint32_t execute(Source& s, const arch::Command& c);
    void stop(Source& s, uint32_t cerror);
    void trace_occupancy();

    const char* smmu_name_;  // names the instance in --cmd-log lines
    RegState& regs_;
    Features f_;
    core::BlockingPort& mem_;
    Interrupts& irq_;
    Invalidator& inv_;
    Timing timing_;
    sc_core::sc_event kick_, ack_ev_;
    std::vector<Source> sources_;  // [0] the main queue, [1 + i] ECMDQ i
    size_t next_ = 0;              // round-robin: the source tried first

    sc_core::sc_time visible_since(Source& s, uint32_t cons);

    core::Counter commands_, syncs_, tlbi_, cfgi_, errors_, fetches_;
    core::TimeHistogram sync_latency_;
    core::TraceSignal occupancy_sig_, sync_pending_sig_;
    core::TraceTrack trace_track_;  // `<tcu> cmdq` in the transaction trace
};

}  // namespace smmusim::smmu::tcu
