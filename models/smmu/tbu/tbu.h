#pragma once
// A Translation Buffer Unit in front of one device (DESIGN §3). Each transaction takes a
// translation slot, looks up the micro TLB then the main TLB (hit-under-miss: hits go on
// while misses wait), and on a miss asks the TCU over the DTI link; a second miss to the same
// page waits for the first (miss merging). Transactions of one StreamID with the same AXI ID
// leave in arrival order. Translated transactions go downstream with their output address
// (restored on the way back); terminated ones get an error response (abort) or RAZ/WI. While
// SMMUEN=0 the TBU applies the GBPA state the TCU pushed to it. Invalidations from the TCU are
// processed one at a time; a sync is acknowledged once every transaction that may have used an
// invalidated entry has completed.

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/core/txn_trace.h"
#include "models/core/at_initiator_port.h"
#include "models/core/at_target_port.h"
#include "models/core/clock.h"
#include "models/core/json_log.h"
#include "models/core/params.h"
#include "models/core/stats.h"
#include "models/core/timed_queue.h"
#include "models/core/vcd.h"
#include "models/smmu/cache/set_assoc_cache.h"
#include "models/smmu/dti/dti.h"

namespace smmusim::smmu::tbu {

using TlbCache = cache::SetAssocCache<cache::TlbEntry>;

struct TbuTxn;

class Tbu : public sc_core::sc_module,
            private core::AtTargetHandler,
            private core::AtInitiatorHandler,
            private dti::BwIf,
            private dti::FwIf {
public:
    SC_HAS_PROCESS(Tbu);
    Tbu(sc_core::sc_module_name name, const dti::GlobalState& reset_state);
    ~Tbu() override;

    core::ClockParam clock{this};
    core::Param<uint32_t> dti_latency{this, "dti_latency", 8, "cycles",
                                      "DTI link latency between this TBU and the TCU, each way", {0, 100000}};
    core::Param<uint32_t> xlate_slots{this, "xlate_slots", 16, "",
                                      "transactions being translated at once (more wait for END_REQ)", {1, 4096}};
    core::Param<uint32_t> inv_cycles{this, "inv_cycles", 4, "cycles",
                                     "cycles to apply one invalidation to the TLBs", {0, 100000}};
    TlbCache utlb;
    TlbCache mtlb;

    core::AtTargetPort in;        // from the device: <name>.in
    core::AtInitiatorPort out;    // to the interconnect: <name>.out
    dti::InitiatorSocket dti;     // translation requests to the TCU: <name>.dti
    dti::TargetSocket from_tcu;   // invalidations, syncs, global state: <name>.from_tcu

    sc_core::sc_time link_latency() const { return clock.cycles(dti_latency); }
    // The device in front of this TBU, as the transaction log (--xlate-log) names it; the
    // platform sets it (default: this TBU's own path, e.g. "smmu.tbu0").
    void set_device(std::string name) {
        device_ = std::move(name);
        label_read_ = device_ + " read";
        label_write_ = device_ + " write";
    }
    const std::string& device() const { return device_; }

private:
    // Device side
    bool at_request(tlm::tlm_generic_payload& gp, unsigned) override;
    // sim.mode=lt (tbu_lt.cpp): a TLB hit is translated and forwarded on the caller's call
    // stack with the latencies annotated; a miss asks the TCU with DTI b_transport.
    void at_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, unsigned) override;
    void at_response(tlm::tlm_generic_payload& gp, unsigned) override;
    // The transaction's TbuTxn, set up from the payload and its StreamAttr.
    TbuTxn& attach(tlm::tlm_generic_payload& gp, const sc_core::sc_time& start, const sc_core::sc_time& arrival);
    void start(tlm::tlm_generic_payload& gp, const sc_core::sc_time& arrival);
    // Micro then main TLB; `done` is when the answer is known: the lookups' reservations, or
    // (`unloaded`, LT) their latencies from the transaction's start with none in the way.
    const cache::TlbEntry* look_up(TbuTxn& t, sc_core::sc_time& done, bool unloaded = false);
    dti::DtiMessage& request(TbuTxn& t);  // its DTI translation request
    void ask_tcu(TbuTxn& t, const sc_core::sc_time& at);
    // The TCU's answer for `t`: TLBs filled (when it may be kept), `t` translated or
    // terminated; `e` is the entry it made. True if translated.
    bool answered(TbuTxn& t, const dti::TranslateResponse& r, cache::TlbEntry& e);
    // A terminated transaction's response: an abort, or RAZ/WI.
    void terminated(const TbuTxn& t, tlm::tlm_generic_payload& gp);
    void use(TbuTxn& t, const cache::TlbEntry& e, uint64_t epoch);
    // The invalidations a translation from `e` has seen: its own epoch, or every one this TBU
    // processed if any came after the entry was kept (it survived them).
    uint64_t epoch_of(const cache::TlbEntry& e) const { return processed_ == e.filled_after ? e.epoch : processed_; }
    void terminate(TbuTxn& t, const dti::TranslateResponse& why);
    void ready_at(TbuTxn& t, const sc_core::sc_time& at);
    void on_ready();
    void issue();
    void finish(TbuTxn& t);
    // A Translation Request's answer to the device (PCIe ATS), instead of an access.
    void complete_translation_request(TbuTxn& t, tlm::tlm_generic_payload& gp);
    // One --xlate-log line for `t`, whose response leaves the TBU now.
    void log_xlate(core::JsonLog& log, const TbuTxn& t, const tlm::tlm_generic_payload& gp,
                   const sc_core::sc_time& now) const;
    // Transaction-trace spans (tbu_trace.cpp); called only while the trace is on.
    void trace_lookup(TbuTxn& t, const char* outcome, const sc_core::sc_time& done);
    void trace_dti(const TbuTxn& t);
    void trace_txn(const TbuTxn& t, const tlm::tlm_generic_payload& gp) const;
    void set_slots(uint32_t n);
    // TCU side
    tlm::tlm_sync_enum nb_transport_bw(dti::DtiMessage& m, tlm::tlm_phase& phase, sc_core::sc_time& delay) override;
    void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}
    void translated();
    tlm::tlm_sync_enum nb_transport_fw(dti::DtiMessage& m, tlm::tlm_phase& phase, sc_core::sc_time& delay) override;
    void b_transport(dti::DtiMessage&, sc_core::sc_time&) override {}
    bool get_direct_mem_ptr(dti::DtiMessage&, tlm::tlm_dmi&) override { return false; }
    unsigned transport_dbg(dti::DtiMessage&) override { return 0; }
    void control();
    void acknowledge(dti::DtiMessage& m);

    std::string device_;
    std::string label_read_, label_write_;  // the trace's names of its transactions
    // Transaction-trace tracks (tbu_trace.cpp).
    mutable core::TraceTrack trace_lookup_{this, " lookup"}, trace_dti_{this, " dti"},
        trace_txns_{this, " transactions"};
    sc_core::sc_time held_since_;  // arrival of the request the device port holds for a slot
    dti::GlobalState global_;
    core::TimedQueue<dti::DtiMessage> responses_, inbound_;
    std::deque<dti::DtiMessage*> control_queue_;  // TCU messages in arrival order
    core::TimedQueue<TbuTxn> ready_;
    std::vector<TbuTxn*> order_;    // transactions not yet issued, in arrival order
    std::vector<TbuTxn*> leaving_;  // issue()'s list of ready transactions, kept: no allocation per call
    std::vector<TbuTxn*> misses_;   // pending TCU requests that others may merge with
    std::vector<TbuTxn*> live_;     // every transaction in the TBU or downstream
    uint32_t slots_busy_ = 0;
    uint64_t processed_ = 0;        // invalidations applied
    unsigned sync_blockers_ = 0;
    sc_core::sc_event sync_progress_;

    core::Counter translations_{this, "translations", "transactions through this TBU (PMU: TRANSACTION)"};
    core::Counter dti_requests_{this, "dti_requests",
                                "translation requests sent to the TCU: main-TLB misses and permission re-checks"};
    core::Counter merged_{this, "merged_misses", "misses that waited for an earlier miss to the same page"};
    core::Counter aborted_{this, "aborted", "transactions terminated with an abort"};
    core::Counter razwi_{this, "razwi", "transactions terminated as RAZ/WI"};
    core::Counter ats_unchecked_{this, "ats_unchecked",
                                 "ATS Translated transactions passed without an STE lookup (CR0.ATSCHK = 0)"};
    core::Counter invalidations_{this, "invalidations", "invalidation messages applied"};
    core::Counter syncs_{this, "syncs", "sync messages acknowledged"};
    core::TimeHistogram latency_{this, "xlate_latency", "translation latency: arrival to leaving the TBU"};
    core::Level slots_level_{this, "slots_busy", "translation slots in use"};
    core::TraceSignal slots_sig_{this, "slots_busy", 16};
};

}  // namespace smmusim::smmu::tbu
