#include "models/smmu/tcu/tcu.h"

#include <algorithm>
#include <string>

#include "models/core/sim_time.h"
#include "models/smmu/arch/regs.h"
#include "models/smmu/tcu/tcu_dvm.h"
#include "models/smmu/tcu/tcu_links.h"

namespace smmusim::smmu::tcu {

using namespace arch;

Tcu::Tcu(sc_core::sc_module_name name, const Features& f, unsigned tbus, uint32_t gbpa_reset)
    : sc_module(name),
      regs("regs", *this),
      mem("mem"),
      f_(f),
      file_(f, gbpa_reset,
            RegisterFile::Hooks{[this] { cr0_ev_.notify(clock.cycles(ack_latency)); },
                                [this] { irq_ctrl_ev_.notify(clock.cycles(ack_latency)); },
                                [this] { gbpa_ev_.notify(clock.cycles(ack_latency)); },
                                [this] { cmdq_.kick(); },
                                [this] { cmdq_.prod_written(); },
                                [] {},
                                [this](unsigned i) { cmdq_.ecmdq_prod_written(i); }}),
      irq_(*this, file_.state(), f, mem, clock.cycles(1)),
      events_(*this, file_.state(), f, mem, irq_),
      translator_(file_.state(), f, *this, events_, this,
                  Translator::Caches{&caches_.config_cache, &caches_.tlb, contiguous}),
      cmdq_(*this, file_.state(), f, mem, irq_, *this,
            CommandQueue::Timing{clock.cycles(cmd_cycles), cmd_fetch_batch, clock.cycles(ack_latency)}),
      translations_(this, "translations", "translation requests served for the TBUs (DTI)"),
      dti_requests_(this, "dti_requests", "translation requests received from TBUs"),
      walks_(this, "walks", "translations that read descriptors (PMU: translation table walks)"),
      invalidations_sent_(this, "invalidations_sent", "invalidation messages sent to TBUs"),
      xlate_latency_(this, "xlate_latency", "translation time in the TCU: caches, config fetch and walks"),
      walk_latency_(this, "walk_latency", "translation time of translations that walked"),
      ptw_reads_(this, "ptw_reads", "translation table descriptor reads (PMU: TRANS_TABLE_WALK_ACCESS)", "",
                 [this] { return walk().s1_reads + walk().s2_reads; }),
      ptw_reads_s1_(this, "ptw_reads_s1", "stage-1 descriptor reads", "", [this] { return walk().s1_reads; }),
      ptw_reads_s2_(this, "ptw_reads_s2", "stage-2 descriptor reads (incl. nested table and CD fetches)", "",
                    [this] { return walk().s2_reads; }),
      ste_fetches_(this, "ste_fetches", "STE reads (with cd_fetches, PMU: CONFIG_STRUCT_ACCESS)", "",
                   [this] { return translator_.config().ste_fetches; }),
      cd_fetches_(this, "cd_fetches", "CD and L1CD reads (with ste_fetches, PMU: CONFIG_STRUCT_ACCESS)", "",
                  [this] { return translator_.config().cd_fetches; }),
      faults_(this, "faults", "translations that faulted (recorded or not)", "",
              [this] { return translator_.counters().faults; }),
      events_recorded_(this, "events_recorded", "event records produced by translations", "",
                       [this] { return translator_.counters().recorded; }),
      aborted_(this, "aborted", "translations terminated with an abort", "",
               [this] { return translator_.counters().aborted; }),
      bypassed_(this, "bypassed", "translations bypassed (SMMUEN=0 with GBPA bypass, or STE bypass)", "",
                [this] { return translator_.counters().bypassed; }),
      slots_level_(this, "slots_busy", "translation slots in use"),
      ptw_level_(this, "ptw_busy", "page-table-walk slots in use (walks in flight)"),
      slots_sig_(this, "slots_busy", 16),
      ptw_sig_(this, "ptw_busy", 16) {
    tbu_state_.abort = get<gbpa::ABORT>(gbpa_reset);
    // IDR0.COHACC = 0: table walks, STE/CD fetches, queue and MSI accesses do not snoop the
    // CPUs' caches (they see DRAM, which lags a CPU's dirty lines until they are cleaned).
    mem.set_non_coherent(!f.coherent);
    for (unsigned i = 0; i < tbus; ++i) {
        dti_.push_back(std::make_unique<DtiPort>("dti" + std::to_string(i), *this, i));
        links_.push_back(std::make_unique<TbuLink>("to_tbu" + std::to_string(i), *this, i));
    }

    SC_METHOD(cr0_update);
    sensitive << cr0_ev_;
    dont_initialize();
    SC_METHOD(irq_ctrl_update);
    sensitive << irq_ctrl_ev_;
    dont_initialize();
    SC_METHOD(gbpa_update);
    sensitive << gbpa_ev_;
    dont_initialize();
    SC_METHOD(accept_requests);
    sensitive << dti_peq_.get_event();
    dont_initialize();
    SC_METHOD(acknowledged);
    sensitive << ack_peq_.get_event();
    dont_initialize();

    sc_core::sc_spawn_options thread;
    sc_core::sc_spawn([this] { events_.run(); }, "eventq", &thread);
    sc_core::sc_spawn([this] { cmdq_.run(); }, "cmdq", &thread);
    if (f.ecmdqs) {
        sc_core::sc_spawn([this] { cmdq_.run_ecmdq_acks(); }, "ecmdq_acks", &thread);
        for (unsigned i = 1; i < std::min<unsigned>(cmdq_engines, f.ecmdqs + 1); ++i)
            sc_core::sc_spawn([this] { cmdq_.run(); }, ("cmdq" + std::to_string(i)).c_str(), &thread);
    }
    if (f.btm) {
        // In the CPUs' DVM domain: the platform binds the socket to the interconnect's DVM node.
        dvm_ = std::make_unique<DvmPort>(*this);
        sc_core::sc_spawn([this] { dvm_run(); }, "dvm_thread", &thread);
    }
    idle_slots_.reserve(xlate_slots);
    for (unsigned i = 0; i < xlate_slots; ++i) {
        slot_wake_.push_back(std::make_unique<sc_core::sc_event>());
        sc_core::sc_spawn([this, i] { translation_slot(i); }, ("slot" + std::to_string(i)).c_str(), &thread);
    }
}

Tcu::~Tcu() = default;

dti::TargetSocket& Tcu::dti(unsigned tbu) { return dti_.at(tbu)->socket; }
dti::InitiatorSocket& Tcu::to_tbu(unsigned tbu) { return links_.at(tbu)->socket; }

const WalkCounters& Tcu::walk() const { return translator_.walk_counters(); }

bool Tcu::register_access(tlm::tlm_generic_payload& gp) {
    const unsigned len = gp.get_data_length();
    if (gp.get_byte_enable_ptr() || (gp.get_streaming_width() && gp.get_streaming_width() < len) || len > 8)
        return false;
    const uint32_t offset = uint32_t(gp.get_address() & (frame_mask() - 1));
    unsigned char* data = gp.get_data_ptr();
    uint64_t value = 0;
    if (gp.is_read()) {
        if (!file_.read(offset, len, value)) return false;
        for (unsigned i = 0; i < len; ++i) data[i] = uint8_t(value >> (8 * i));
        return true;
    }
    if (!gp.is_write()) return true;
    for (unsigned i = 0; i < len; ++i) value |= uint64_t(data[i]) << (8 * i);
    return file_.write(offset, len, value);
}

bool Tcu::at_request(tlm::tlm_generic_payload& gp, unsigned) {
    // An unsupported access size or alignment is answered with an error (AXI SLVERR).
    gp.set_response_status(register_access(gp) ? tlm::TLM_OK_RESPONSE : tlm::TLM_GENERIC_ERROR_RESPONSE);
    regs.respond(gp, clock.cycles(reg_latency));
    return true;
}

void Tcu::at_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, unsigned) {
    gp.set_response_status(register_access(gp) ? tlm::TLM_OK_RESPONSE : tlm::TLM_GENERIC_ERROR_RESPONSE);
    delay += clock.cycles(reg_latency);
}

unsigned Tcu::at_transport_dbg(tlm::tlm_generic_payload& gp, unsigned) {
    // Debug reads only: a debug write must not have the side effects of a register write.
    uint64_t value;
    const unsigned len = gp.get_data_length();
    if (!gp.is_read() || !file_.read(uint32_t(gp.get_address() & (frame_mask() - 1)), len, value)) return 0;
    for (unsigned i = 0; i < len; ++i) gp.get_data_ptr()[i] = uint8_t(value >> (8 * i));
    return len;
}

void Tcu::irq_ctrl_update() {
    RegState& s = file_.state();
    s.irq_ctrlack = s.irq_ctrl;
}

void Tcu::dti_request(dti::DtiMessage& m, const sc_core::sc_time& delay) {
    ++dti_requests_;
    dti_peq_.notify(m, delay);
}

void Tcu::accept_requests() {
    while (dti::DtiMessage* m = dti_peq_.get_next_transaction()) waiting_.push_back(m);
    // As many idle slots as requests wait; a slot that finds the queue empty when it runs
    // (a busy slot took the request first) goes back to the idle ones.
    for (size_t n = waiting_.size(); n && !idle_slots_.empty(); --n) {
        slot_wake_[idle_slots_.back()]->notify(sc_core::SC_ZERO_TIME);
        idle_slots_.pop_back();
    }
}

void Tcu::wait_until(const sc_core::sc_time& t) {
    if (lt_) lt_now_ = std::max(lt_now_, t);
    else if (t > core::now()) wait(t - core::now());
}

void Tcu::take_ptw_slot() {
    while (!lt_ && busy_ptw_ >= ptw_slots) wait(ptw_free_);  // LT: no walk waits for a slot
    ptw_level_.set(++busy_ptw_);
    ptw_sig_.set(busy_ptw_);
}

void Tcu::translation_slot(unsigned slot) {
    for (;;) {
        while (waiting_.empty()) {
            idle_slots_.push_back(slot);
            wait(*slot_wake_[slot]);
        }
        dti::DtiMessage* m = waiting_.front();
        waiting_.pop_front();
        serve(*m);
        tlm::tlm_phase phase = tlm::BEGIN_RESP;
        sc_core::sc_time delay = m->link_latency;
        dti_[m->port]->socket->nb_transport_bw(*m, phase, delay);
    }
}

void Tcu::dti_b_transport(dti::DtiMessage& m, sc_core::sc_time& delay) {
    ++dti_requests_;
    lt_ = true;
    lt_now_ = core::now() + delay;  // the translation starts at the request's time
    serve(m);
    lt_ = false;
    delay = lt_now_ - core::now() + m.link_latency;
}

void Tcu::serve(dti::DtiMessage& m) {
    slots_level_.set(++busy_slots_);
    slots_sig_.set(busy_slots_);
    WalkState st;
    st.start_epoch = epoch_;
    ++inflight_[st.start_epoch];
    const sc_core::sc_time start = now();
    m.resp = translator_.translate(m.req, st);
    ++translations_;
    xlate_latency_.sample(now() - start);
    if (tracing()) trace_translation(m, start, st.walked);
    if (st.walked) {
        ++walks_;
        walk_latency_.sample(now() - start);
    }
    if (st.ptw_slot) {
        ptw_level_.set(--busy_ptw_);
        ptw_sig_.set(busy_ptw_);
        ptw_free_.notify(sc_core::SC_ZERO_TIME);
    }
    if (--inflight_[st.start_epoch] == 0) {
        inflight_.erase(st.start_epoch);
        drained_.notify(sc_core::SC_ZERO_TIME);
    }
    slots_level_.set(--busy_slots_);
    slots_sig_.set(busy_slots_);
}

bool Tcu::read(uint64_t pa, void* dst, unsigned len) {
    if (!lt_) return mem.read(pa, dst, len) == tlm::TLM_OK_RESPONSE;
    sc_core::sc_time delay = lt_now_ - core::now();
    const bool ok = mem.read_lt(pa, dst, len, delay) == tlm::TLM_OK_RESPONSE;
    lt_now_ = core::now() + delay;
    return ok;
}

}  // namespace smmusim::smmu::tcu
