// The TBU's side of invalidation (reference §9.1, DESIGN §4): messages from the TCU are
// handled one at a time, in arrival order.

#include <deque>

#include "models/smmu/cache/invalidation.h"
#include "models/smmu/tbu/tbu.h"
#include "models/smmu/tbu/tbu_txn.h"

namespace smmusim::smmu::tbu {

tlm::tlm_sync_enum Tbu::nb_transport_fw(dti::DtiMessage& m, tlm::tlm_phase&, sc_core::sc_time& delay) {
    inbound_.notify(m, delay);
    return tlm::TLM_ACCEPTED;
}

void Tbu::acknowledge(dti::DtiMessage& m) {
    tlm::tlm_phase phase = tlm::BEGIN_RESP;
    sc_core::sc_time delay = link_latency();
    from_tcu->nb_transport_bw(m, phase, delay);
}

void Tbu::control() {
    auto& queue = control_queue_;  // a member: a thread's locals are never destroyed
    for (;;) {
        while (dti::DtiMessage* m = inbound_.get_next_transaction()) queue.push_back(m);
        if (queue.empty()) {
            wait(inbound_.get_event());
            continue;
        }
        dti::DtiMessage& m = *queue.front();
        queue.pop_front();
        switch (m.type) {
        case dti::MsgType::Invalidate: {
            if (inv_cycles) wait(clock.cycles(inv_cycles));
            cache::invalidate_tlb(utlb, m.scope);
            cache::invalidate_tlb(mtlb, m.scope);
            // What survives this did not use anything it removed (Tbu::epoch_of).
            ++processed_;
            ++invalidations_;
            break;
        }
        case dti::MsgType::Sync:
            // Transactions still waiting for a translation, and those translated before the
            // last invalidation, may have used what it removed: the sync waits for them.
            for (TbuTxn* t : live_) {
                if (t->pending || t->epoch < processed_) {
                    t->blocks_sync = true;
                    ++sync_blockers_;
                }
            }
            while (sync_blockers_) wait(sync_progress_);
            ++syncs_;
            break;
        case dti::MsgType::Global:
            global_ = m.global;
            break;
        case dti::MsgType::Translate:
            break;
        }
        acknowledge(m);
    }
}

}  // namespace smmusim::smmu::tbu
