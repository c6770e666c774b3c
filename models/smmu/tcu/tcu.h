#pragma once
// The Translation Control Unit: the SMMU's programming interface (registers on an MMIO
// socket), its memory port (structures, walks, queues, MSIs), its caches, translation slots
// serving the TBUs' DTI requests, page-table-walk slots, the command queue with timed
// invalidation (one invalidation in flight per TBU; CMD_SYNC waits for the TBUs' acks and for
// translations that may have used what was invalidated), and the event queue (DESIGN §2-4).

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/core/at_target_port.h"
#include "models/core/ats.h"
#include "models/core/blocking_port.h"
#include "models/core/clock.h"
#include "models/core/params.h"
#include "models/core/ring.h"
#include "models/core/sim_time.h"
#include "models/core/stats.h"
#include "models/core/timed_queue.h"
#include "models/core/txn_trace.h"
#include "models/core/vcd.h"
#include "models/noc/dvm.h"
#include "models/smmu/arch/regs.h"
#include "models/smmu/dti/dti.h"
#include "models/smmu/features.h"
#include "models/smmu/tcu/command_queue.h"
#include "models/smmu/tcu/event_queue.h"
#include "models/smmu/tcu/interrupts.h"
#include "models/smmu/tcu/invalidation_watch.h"
#include "models/smmu/tcu/registers.h"
#include "models/smmu/tcu/tcu_caches.h"
#include "models/smmu/tcu/translator.h"
#include "models/smmu/tcu/walk_env.h"

namespace smmusim::smmu::tcu {

class Tcu : public sc_core::sc_module,
            private core::AtTargetHandler,
            private Invalidator,
            private TableReader,
            private WalkEnv,
            private dti::BwIf {
public:
    Tcu(sc_core::sc_module_name name, const Features& f, unsigned tbus, uint32_t gbpa_reset);
    ~Tcu() override;

    core::ClockParam clock{this};
    core::Param<uint32_t> reg_latency{this, "reg_latency", 8, "cycles",
                                      "register access latency (MMIO request to response)", {0, 100000}};
    core::Param<uint32_t> ack_latency{this, "ack_latency", 16, "cycles",
                                      "CR0 / IRQ_CTRL / GBPA update, ECMDQ_PROD.EN: write to acknowledge", {0, 100000}};
    core::Param<uint32_t> xlate_slots{this, "xlate_slots", 64, "",
                                      "translations the TCU works on at once", {1, 4096}};
    core::Param<uint32_t> ptw_slots{this, "ptw_slots", 16, "",
                                    "translations reading descriptors at once (page-table walks)", {1, 4096}};
    core::Param<uint32_t> cmd_cycles{this, "cmd_cycles", 8, "cycles",
                                     "execution cost of each command", {0, 100000}};
    core::Param<uint32_t> cmd_fetch_batch{this, "cmd_fetch_batch", 4, "",
                                          "commands fetched per memory read", {1, 16}};
    core::Param<uint32_t> cmdq_engines{
        this, "cmdq_engines", 1, "",
        "with ECMDQs (smmu.ecmdqs): command queues served at once, each engine taking the next non-empty queue "
        "round-robin (1: one command engine, as for the main queue alone; more: the parallel consumption "
        "SMMUv3 3.5.6.1 permits, an IMPLEMENTATION DEFINED number)",
        {1, 257}};
    core::Param<uint32_t> inv_issue_cycles{this, "inv_issue_cycles", 1, "cycles",
                                           "cycles to send one invalidation or sync message to one TBU",
                                           {0, 100000}};
    core::Param<sc_core::sc_time> atc_inv_timeout{
        this, "atc_inv_timeout", sc_core::sc_time(60, sc_core::SC_SEC), "",
        "with ATS: how long a CMD_SYNC waits for the ATC invalidations before it before failing with "
        "CERROR_ATC_INV_SYNC (the SMMU's is IMPLEMENTATION DEFINED; default the PCIe Invalidation Completion "
        "timeout, 1 minute, PCIe Base 10.3.1)"};
    core::Param<uint32_t> dvm_cycles{
        this, "dvm_cycles", 8, "cycles",
        "with IDR0.BTM (smmu.btm): cost of taking one broadcast TLBI or DVM Sync from the DVM node before it is "
        "applied (estimate: as cmd_cycles, a command's execution; swept in docs/studies/coherency_btm.md)",
        {0, 100000}};
    core::Param<bool> contiguous{this, "contiguous", false, "",
                                 "a TLB entry may cover a whole contiguous-hint run (reference §8.6)"};

    core::AtTargetPort regs;  // MMIO: <name>.regs
    core::BlockingPort mem;   // memory: <name>.mem
    // TBU i's link: translation requests in, invalidations / syncs / global state out.
    dti::TargetSocket& dti(unsigned tbu);
    dti::InitiatorSocket& to_tbu(unsigned tbu);
    void set_link_latency(unsigned tbu, const sc_core::sc_time& latency);

    const RegState& registers() const { return file_.state(); }
    // Something to tell of every consumed invalidation and completed CMD_SYNC (nullptr: none).
    void set_watch(InvalidationWatch* w) { watch_ = w; }
    Interrupts& interrupts() { return irq_; }
    // An ATS endpoint (a device with an ATC) of StreamID `sid`: CMD_ATC_INV for that StreamID
    // is sent to it (tcu_ats.cpp). Only with IDR0.ATS; the platform declares it.
    void attach_ats_endpoint(uint32_t sid, core::AtsEndpoint* ep);
    TcuCaches& caches() { return caches_; }
    // With IDR0.BTM: the target the interconnect's DVM node sends the CPUs' broadcast TLBIs and
    // DVM Syncs to (tcu_dvm.cpp). Without it the SMMU is not in the DVM domain: logic_error.
    noc::dvm::TargetSocket& dvm();

private:
    struct DtiPort;
    struct TbuLink;
    struct DvmPort;
    SC_HAS_PROCESS(Tcu);

    // MMIO
    bool at_request(tlm::tlm_generic_payload& gp, unsigned) override;
    void at_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, unsigned) override;
    unsigned at_transport_dbg(tlm::tlm_generic_payload& gp, unsigned) override;
    bool register_access(tlm::tlm_generic_payload& gp);
    // The register frame's decode window: 128 KiB, or 256 KiB with the ECMDQ page (the frame's
    // base is then 256 KiB aligned, platforms/soc.cpp).
    uint64_t frame_mask() const { return f_.ecmdqs ? arch::reg::REGION_ALIGN_ECMDQ : arch::reg::REGION_SIZE; }
    // Architected update delays; SMMUEN and GBPA reach the TBUs before they are acknowledged.
    void cr0_update();
    void irq_ctrl_update();
    void gbpa_update();
    void update_global();
    void finish_updates();
    // DTI in: translation requests
    void dti_request(dti::DtiMessage& m, const sc_core::sc_time& delay);
    void accept_requests();
    void translation_slot(unsigned slot);
    // One translation, from the slot's start to its answer in m.resp (blocking).
    void serve(dti::DtiMessage& m);
    // sim.mode=lt: a TBU's miss, translated in the calling thread (no slot is waited for);
    // `delay` is the request's time offset in, the link latency back out.
    void dti_b_transport(dti::DtiMessage& m, sc_core::sc_time& delay);
    // DTI out: acknowledgements
    tlm::tlm_sync_enum nb_transport_bw(dti::DtiMessage& m, tlm::tlm_phase& phase, sc_core::sc_time& delay) override;
    void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}
    void acknowledged();
    void send_to_tbu(unsigned tbu, dti::DtiMessage& m);
    // Invalidator
    void invalidate(const arch::Command& c) override;
    void atc_invalidate(const arch::Command& c) override;
    bool sync() override;
    // What a consumed TLBI or CFGI command and a broadcast TLBI do: the TCU's caches, then each
    // TBU (one invalidation in flight per TBU).
    void invalidate_scope(const cache::InvScope& s);
    // A sync round: the translations that started before the last invalidation drained and
    // every TBU's acknowledgement; a CMD_SYNC (`cmd_sync`) also waits for the ATC
    // invalidations and makes the recorded events visible. False: an ATC wait timed out.
    bool sync_round(bool cmd_sync);
    // Broadcast TLB maintenance (tcu_dvm.cpp): the DVM messages, in arrival order.
    void dvm_run();
    bool wait_atc_completions();
    // TableReader
    bool read(uint64_t pa, void* dst, unsigned len) override;
    // WalkEnv
    cache::WalkCache* walk_cache(int stage, int level) override { return caches_.walk_cache.get(stage, level); }
    cache::IpaCache* ipa_cache() override { return &caches_.ipa_cache; }
    sc_core::sc_time now() const override { return lt_ ? lt_now_ : core::now(); }
    void wait_until(const sc_core::sc_time& t) override;
    sc_core::sc_time cycle() const override { return clock.value(); }
    sc_core::sc_time lookup_done(cache::CacheObject& c, unsigned probes) override {
        return lt_ ? lt_now_ + c.unloaded(probes, clock.value()) : WalkEnv::lookup_done(c, probes);
    }
    void take_ptw_slot() override;
    bool may_insert(uint64_t start_epoch) const override { return start_epoch == epoch_; }
    bool tracing() const override;
    void trace_span(const char* what, const sc_core::sc_time& start, uint64_t addr) override;
    // Transaction trace of a translation and of an invalidation's round trip (tcu_trace.cpp).
    void trace_translation(const dti::DtiMessage& m, const sc_core::sc_time& start, bool walked);
    void trace_invalidation(unsigned tbu, const sc_core::sc_time& sent);
    const WalkCounters& walk() const;

    Features f_;
    RegisterFile file_;
    Interrupts irq_;
    EventQueue events_;
    TcuCaches caches_;
    Translator translator_;
    CommandQueue cmdq_;
    std::vector<std::unique_ptr<DtiPort>> dti_;
    std::vector<std::unique_ptr<TbuLink>> links_;
    // Transaction-trace tracks (tcu_trace.cpp).
    core::TraceTrack trace_walk_{this, " walk"}, trace_translate_{this, " translate"};
    std::vector<core::TraceTrack> trace_invalidate_;

    sc_core::sc_event cr0_ev_, irq_ctrl_ev_, gbpa_ev_;
    core::TimedQueue<dti::DtiMessage> dti_peq_, ack_peq_;
    core::Ring<dti::DtiMessage*> waiting_;  // requests no slot has taken yet
    // One wake-up event per translation slot and the idle ones (last idle first): a request
    // wakes one idle slot, not all of them (a shared event woke every idle slot per request,
    // ~50 thread switches per translation, for the same result).
    std::vector<std::unique_ptr<sc_core::sc_event>> slot_wake_;
    std::vector<unsigned> idle_slots_;
    unsigned busy_slots_ = 0, busy_ptw_ = 0;
    // sim.mode=lt: a translation served by dti_b_transport runs on its local time, which
    // cache lookups and reads (b_transport) advance instead of waiting; it never yields, so
    // one at a time.
    bool lt_ = false;
    sc_core::sc_time lt_now_;
    sc_core::sc_event ptw_free_;

    // Global state the TBUs apply (SMMUEN, GBPA.ABORT) and its update in flight.
    dti::GlobalState tbu_state_;
    unsigned global_acks_ = 0;
    bool repeat_global_ = false;

    // Invalidation: commands consumed so far (the epoch), translations in flight by the epoch
    // they started in, sync acknowledgements outstanding.
    uint64_t epoch_ = 0;
    std::map<uint64_t, unsigned> inflight_;
    sc_core::sc_event drained_;
    unsigned sync_acks_ = 0;
    uint64_t sync_tickets_ = 0, sync_serving_ = 0;  // one CMD_SYNC round to the TBUs at a time, FIFO
    sc_core::sc_event sync_done_;
    sc_core::sc_event link_event_;
    InvalidationWatch* watch_ = nullptr;
    unsigned inv_sending_ = 0;  // invalidations consumed and not yet sent to every TBU
    std::unique_ptr<DvmPort> dvm_;  // with IDR0.BTM
    // ATS (tcu_ats.cpp): endpoints by StreamID, ATC invalidations awaiting their completion.
    std::multimap<uint32_t, core::AtsEndpoint*> ats_endpoints_;
    unsigned atc_pending_ = 0;
    sc_core::sc_event atc_completed_;
    std::unique_ptr<core::Counter> atc_invs_sent_;
    std::unique_ptr<core::TimeHistogram> atc_inv_latency_;

    core::Counter translations_, dti_requests_, walks_, invalidations_sent_;
    core::TimeHistogram xlate_latency_, walk_latency_;
    // Counts of the walker and translator: since the last stats reset.
    core::CountSince ptw_reads_, ptw_reads_s1_, ptw_reads_s2_, ste_fetches_, cd_fetches_, faults_,
        events_recorded_, aborted_, bypassed_;
    core::Level slots_level_, ptw_level_;
    core::TraceSignal slots_sig_, ptw_sig_;
};

}  // namespace smmusim::smmu::tcu
