#pragma once
// Run-wide settings that every module may consult: the seed, the transaction budget
// (--max-transactions) and the timing mode (sim.mode, sim.quantum). Traffic generators take a
// ticket before each transaction, so a bounded run completes exactly the requested number.
// Modules read the timing mode when they are constructed: set it before elaboration.

#include <cstdint>

#include <systemc>

namespace smmusim::core {

class RunControl {
public:
    static RunControl& instance() {  // inline: traffic generators ask per transaction
        static RunControl rc;
        return rc;
    }

    void configure(uint64_t seed, uint64_t max_transactions) {
        seed_ = seed;
        budget_ = max_transactions;
        issued_ = 0;
    }
    uint64_t seed() const { return seed_; }

    // sim.mode=lt: device traffic is loosely timed (b_transport, a local time offset and a
    // quantum keeper; docs/design.md, Timing modes). AT (false) by default.
    void set_loosely_timed(bool lt, const sc_core::sc_time& quantum) {
        lt_ = lt;
        quantum_ = quantum;
    }
    bool loosely_timed() const { return lt_; }
    const sc_core::sc_time& quantum() const { return quantum_; }

    // False once the budget is spent (a budget of 0 means unlimited).
    bool take_ticket() {
        if (budget_ && issued_ >= budget_) return false;
        if (++issued_ == budget_ && spent_event_) spent_event_->notify(sc_core::SC_ZERO_TIME);
        return true;
    }
    // Notified when the last ticket is taken: a process that waits with a timeout (the
    // software watchdog) must not keep a bounded run going after its devices stopped. One
    // watcher; nullptr to stop watching.
    void watch_budget(sc_core::sc_event* e) { spent_event_ = e; }
    bool budget_spent() const { return budget_ && issued_ >= budget_; }

private:
    uint64_t seed_ = 1;
    uint64_t budget_ = 0;
    uint64_t issued_ = 0;
    sc_core::sc_event* spent_event_ = nullptr;
    bool lt_ = false;
    sc_core::sc_time quantum_ = sc_core::SC_ZERO_TIME;
};

}  // namespace smmusim::core
