// The TBU's loosely-timed path (sim.mode=lt, docs/design.md "Timing modes"): b_transport from
// the device. The transaction is translated with the same TLBs, permission checks and fills
// as AT, and charged what AT charges it when nothing is in its way: the micro / main TLB
// lookup latencies, on a miss the DTI link each way and the TCU's translation, then the
// downstream access. A hit touches no event queue, process or slot and allocates nothing; a
// miss (or a hit the access may not use) asks the TCU with DTI b_transport, which runs the
// TCU's translation in the calling thread on the transaction's local time (its cache lookups
// and its structure and descriptor reads, b_transport, charged and never waited for).
// Not modelled in LT: translation slots (xlate_slots), lookup-port contention, miss merging
// (one transaction at a time per master), AXI-ID ordering, the transaction trace.

#include "models/core/json_log.h"
#include "models/core/sim_time.h"
#include "models/smmu/tbu/tbu.h"
#include "models/smmu/tbu/tbu_txn.h"

namespace smmusim::smmu::tbu {

void Tbu::at_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, unsigned) {
    const sc_core::sc_time at = core::now() + delay;
    TbuTxn& t = attach(gp, at, at);
    sc_core::sc_time leave = at + clock.cycles(1);  // SMMUEN=0: one cycle, as start()
    if (!global_.smmuen) {
        // As start(): bypass or abort by GBPA (§9.5), an abort beyond the output size (§3.4).
        if (global_.abort || t.iova >= global_.bypass_limit) {
            terminate(t, dti::TranslateResponse{});
        } else {
            t.oa = t.iova;
            t.forward = true;
            t.epoch = processed_;
        }
    } else if (t.at != dti::AtKind::Untranslated) {
        // DTI-ATS is AT only: the platforms refuse smmu.ats with sim.mode=lt.
        gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return;
    } else {
        const cache::TlbEntry* e = look_up(t, leave, true);
        if (e && (e->perms & t.needed())) {
            use(t, *e, epoch_of(*e));
        } else {
            dti::DtiMessage& m = request(t);
            sc_core::sc_time d = leave - core::now() + m.link_latency;
            dti->b_transport(m, d);  // the TCU's translation, annotated: d is when the answer is back
            leave = core::now() + d;
            cache::TlbEntry filled;
            answered(t, m.resp, filled);
        }
    }
    ++translations_;
    latency_.sample(leave - t.start);
    delay = leave - core::now();
    if (t.forward) {
        gp.set_address(t.oa);
        out.socket->b_transport(gp, delay);
        gp.set_address(t.iova);  // the device sees its own address back
    } else {
        terminated(t, gp);
    }
    if (core::JsonLog* log = core::JsonLog::get(core::LogId::Xlate)) log_xlate(*log, t, gp, core::now() + delay);
}

}  // namespace smmusim::smmu::tbu
