#pragma once
// The command queue consumer (reference §4, §9.1, §9.4): fetches commands by timed reads of
// several entries at once, executes them in order, advances CONS as each is consumed.
// CMD_SYNC is consumed only when every earlier command has completed; it then signals
// (MSI / wired IRQ / SEV). An illegal command or a fetch abort stops the queue with
// CONS.ERR set and GERROR.CMDQ_ERR activated, until software acknowledges it in GERRORN.

#include <cstdint>
#include <deque>

#include <systemc>

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
    // Blocks the calling thread until every invalidation consumed so far has completed.
    virtual void sync() = 0;
};

class CommandQueue {
public:
    struct Timing {
        sc_core::sc_time per_command;
        unsigned fetch_batch;  // commands per memory read
    };
    CommandQueue(sc_core::sc_module& owner, RegState& regs, const Features& f, core::BlockingPort& mem,
                 Interrupts& irq, Invalidator& inv, Timing timing);

    // Something that may let the queue make progress: PROD written, CMDQEN set,
    // CMDQ_ERR acknowledged.
    void kick();
    void prod_written();
    // SC_THREAD body.
    void run();

private:
    bool runnable() const;
    unsigned log2size() const;
    // Executes one command; returns the CERROR code (NONE when consumed).
    uint32_t execute(const arch::Command& c);
    void stop(uint32_t cerror);
    void trace_occupancy();

    RegState& regs_;
    Features f_;
    core::BlockingPort& mem_;
    Interrupts& irq_;
    Invalidator& inv_;
    Timing timing_;
    sc_core::sc_event kick_;

    // PROD writes (position, time), for when a command became visible: the sync latency.
    sc_core::sc_time visible_since(uint32_t cons);
    std::deque<std::pair<uint32_t, sc_core::sc_time>> visible_;

    core::Counter commands_, syncs_, tlbi_, cfgi_, errors_, fetches_;
    core::TimeHistogram sync_latency_;
    core::TraceSignal occupancy_sig_, sync_pending_sig_;
    std::string trace_track_;  // `<tcu> cmdq` in the transaction trace
};

}  // namespace smmusim::smmu::tcu
