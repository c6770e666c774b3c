// The TCU's outbound DTI traffic: timed invalidation (reference §9.1, DESIGN §4) and the
// global state the TBUs apply while SMMUEN=0.

#include "models/core/sim_time.h"
#include "models/smmu/arch/regs.h"
#include "models/smmu/tcu/tcu.h"
#include "models/smmu/tcu/tcu_links.h"

namespace smmusim::smmu::tcu {

using namespace arch;

void Tcu::set_link_latency(unsigned tbu, const sc_core::sc_time& latency) { links_.at(tbu)->latency = latency; }

void Tcu::send_to_tbu(unsigned tbu, dti::DtiMessage& m) {
    TbuLink& l = *links_[tbu];
    m.link_latency = l.latency;
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    sc_core::sc_time delay = l.latency;
    l.socket->nb_transport_fw(m, phase, delay);
}

tlm::tlm_sync_enum Tcu::nb_transport_bw(dti::DtiMessage& m, tlm::tlm_phase&, sc_core::sc_time& delay) {
    ack_peq_.notify(m, delay);
    return tlm::TLM_COMPLETED;
}

void Tcu::acknowledged() {
    while (dti::DtiMessage* m = ack_peq_.get_next_transaction()) {
        switch (m->type) {
        case dti::MsgType::Invalidate:
            links_[m->port]->token_out = false;
            if (tracing()) trace_invalidation(m->port, links_[m->port]->inv_sent);
            break;
        case dti::MsgType::Sync:
            --sync_acks_;
            break;
        case dti::MsgType::Global:
            if (--global_acks_ == 0) {
                if (repeat_global_) {
                    repeat_global_ = false;
                    update_global();
                } else {
                    finish_updates();
                }
            }
            break;
        case dti::MsgType::Translate:
            break;
        }
        link_event_.notify(sc_core::SC_ZERO_TIME);
    }
}

void Tcu::invalidate(const Command& c) {
    const cache::InvScope s = cache::InvScope::from(c, f_, get<cr2::E2H>(file_.state().cr2));
    if (s.kind == cache::InvScope::Kind::None) return;
    invalidate_scope(s);
}

void Tcu::invalidate_scope(const cache::InvScope& s) {
    // From now on, a translation that started earlier may hold what this removes.
    ++epoch_;
    ++inv_sending_;
    if (watch_) watch_->consumed(s, epoch_);
    caches_.invalidate(s);
    for (unsigned i = 0; i < links_.size(); ++i) {
        TbuLink& l = *links_[i];
        while (l.token_out) wait(link_event_);  // one invalidation in flight per TBU
        l.token_out = true;
        l.inv.scope = s;
        l.inv_sent = core::now();
        ++invalidations_sent_;
        send_to_tbu(i, l.inv);
        if (inv_issue_cycles) wait(clock.cycles(inv_issue_cycles));
    }
    --inv_sending_;
}

bool Tcu::sync() { return sync_round(true); }

bool Tcu::sync_round(bool cmd_sync) {
    // Several command engines (ECMDQs), broadcast TLB maintenance: each TBU's sync message is
    // one object, so one round at a time, in the order the syncs came (a ticket: no engine
    // starves); a later round covers at least what its sync must.
    const uint64_t ticket = sync_tickets_++;
    while (ticket != sync_serving_) wait(sync_done_);
    // Translations that started before the last invalidation may have used what it removed.
    const uint64_t target = epoch_;
    // The stale-entry check may look only if every invalidation consumed so far was wholly sent
    // before this round's sync messages (each TBU's link keeps their order) and none came since:
    // another engine (an ECMDQ, the DVM thread) may be in the middle of one.
    const bool quiet = !inv_sending_;
    while (!inflight_.empty() && inflight_.begin()->first < target) wait(drained_);
    // Every TBU: its invalidations done and the transactions that used removed entries finished.
    for (unsigned i = 0; i < links_.size(); ++i) {
        ++sync_acks_;
        send_to_tbu(i, links_[i]->sync);
        if (inv_issue_cycles) wait(clock.cycles(inv_issue_cycles));
    }
    while (sync_acks_) wait(link_event_);
    bool done = true;
    if (cmd_sync) {
        done = wait_atc_completions();
        // The records of faults the devices were answered before now are visible (§4.7.3).
        if (done) events_.drain();
    }
    if (done && watch_ && quiet && epoch_ == target && !inv_sending_) watch_->synced();
    ++sync_serving_;
    sync_done_.notify(sc_core::SC_ZERO_TIME);
    return done;
}

void Tcu::cr0_update() { update_global(); }
void Tcu::gbpa_update() { update_global(); }

void Tcu::update_global() {
    const RegState& s = file_.state();
    dti::GlobalState want{bool(s.cr0 & 1u), bool(get<gbpa::ABORT>(s.gbpa)), uint64_t(1) << f_.oas_bits()};
    want.ats_fast = f_.ats && !(s.cr0 & (1u << 4));  // CR0.ATSCHK
    if (global_acks_) {
        repeat_global_ = true;  // one update at a time; this one follows
        return;
    }
    if (want.smmuen == tbu_state_.smmuen && want.abort == tbu_state_.abort && want.ats_fast == tbu_state_.ats_fast) {
        finish_updates();
        return;
    }
    // The TBUs apply SMMUEN / GBPA to new transactions before the update is acknowledged.
    tbu_state_ = want;
    for (unsigned i = 0; i < links_.size(); ++i) {
        links_[i]->global.global = want;
        ++global_acks_;
        send_to_tbu(i, links_[i]->global);
    }
    if (!global_acks_) finish_updates();
}

void Tcu::finish_updates() {
    RegState& s = file_.state();
    s.cr0ack = s.cr0;
    s.gbpa &= ~(1u << 31);  // the new attributes apply from now: Update reads 0
    cmdq_.kick();           // CMDQEN may have been set
}

}  // namespace smmusim::smmu::tcu
