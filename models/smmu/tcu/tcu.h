#pragma once
// The Translation Control Unit: the SMMU's programming interface (registers on an MMIO
// socket), its memory port (structures, walks, queues, MSIs), translation slots serving the
// TBUs' DTI requests, the command queue and the event queue (DESIGN §2-4).

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_get.h>

#include "models/core/at_target_port.h"
#include "models/core/blocking_port.h"
#include "models/core/clock.h"
#include "models/core/params.h"
#include "models/core/stats.h"
#include "models/core/vcd.h"
#include "models/smmu/dti/dti.h"
#include "models/smmu/features.h"
#include "models/smmu/tcu/command_queue.h"
#include "models/smmu/tcu/event_queue.h"
#include "models/smmu/tcu/interrupts.h"
#include "models/smmu/tcu/registers.h"
#include "models/smmu/tcu/translator.h"

namespace smmusim::smmu::tcu {

class Tcu : public sc_core::sc_module,
            private core::AtTargetHandler,
            private Invalidator,
            private TableReader {
public:
    Tcu(sc_core::sc_module_name name, const Features& f, unsigned tbus, uint32_t gbpa_reset);
    ~Tcu() override;

    core::ClockParam clock{this};
    core::Param<uint32_t> reg_latency{this, "reg_latency", 8, "cycles",
                                      "register access latency (MMIO request to response)", {0, 100000}};
    core::Param<uint32_t> ack_latency{this, "ack_latency", 16, "cycles",
                                      "CR0 / IRQ_CTRL / GBPA update: write to acknowledge", {0, 100000}};
    core::Param<uint32_t> xlate_slots{this, "xlate_slots", 64, "",
                                      "translations the TCU works on at once", {1, 4096}};
    core::Param<uint32_t> cmd_cycles{this, "cmd_cycles", 8, "cycles",
                                     "execution cost of each command", {0, 100000}};
    core::Param<uint32_t> cmd_fetch_batch{this, "cmd_fetch_batch", 4, "",
                                          "commands fetched per memory read", {1, 16}};

    core::AtTargetPort regs;  // MMIO: <name>.regs
    core::BlockingPort mem;   // memory: <name>.mem
    dti::TargetSocket& dti(unsigned tbu);

    const RegState& registers() const { return file_.state(); }
    Interrupts& interrupts() { return irq_; }

private:
    struct DtiPort;
    SC_HAS_PROCESS(Tcu);

    // MMIO
    bool at_request(tlm::tlm_generic_payload& gp, unsigned) override;
    void at_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, unsigned) override;
    unsigned at_transport_dbg(tlm::tlm_generic_payload& gp, unsigned) override;
    bool register_access(tlm::tlm_generic_payload& gp);
    // Architected update delays
    void cr0_update();
    void irq_ctrl_update();
    void gbpa_update();
    // DTI
    void dti_request(dti::DtiMessage& m, const sc_core::sc_time& delay);
    void accept_requests();
    void translation_slot();
    // Invalidator
    void invalidate(const arch::Command& c) override;
    void sync() override;
    // TableReader
    bool read(uint64_t pa, void* dst, unsigned len) override;
    const WalkCounters& walk() const;

    Features f_;
    RegisterFile file_;
    Interrupts irq_;
    EventQueue events_;
    Translator translator_;
    CommandQueue cmdq_;
    std::vector<std::unique_ptr<DtiPort>> dti_;

    sc_core::sc_event cr0_ev_, irq_ctrl_ev_, gbpa_ev_;
    tlm_utils::peq_with_get<dti::DtiMessage> dti_peq_;
    std::deque<dti::DtiMessage*> waiting_;
    sc_core::sc_event work_;
    unsigned busy_slots_ = 0;

    // Translations in flight by the invalidation epoch they started in: CMD_SYNC waits for
    // those older than the last invalidation.
    uint64_t epoch_ = 0;
    std::map<uint64_t, unsigned> inflight_;
    sc_core::sc_event drained_;

    core::Counter translations_, dti_requests_;
    core::TimeHistogram xlate_latency_;
    core::Formula ptw_reads_, ptw_reads_s1_, ptw_reads_s2_, ste_fetches_, cd_fetches_, faults_,
        events_recorded_, aborted_, bypassed_;
    core::Level slots_level_;
    core::TraceSignal slots_sig_;
};

}  // namespace smmusim::smmu::tcu
