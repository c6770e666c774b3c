#pragma once
// Run-wide settings that every module may consult: the seed and the transaction budget
// (--max-transactions). Traffic generators take a ticket before each transaction, so a
// bounded run completes exactly the requested number.

#include <cstdint>

#include <systemc>

namespace smmusim::core {

class RunControl {
public:
    static RunControl& instance();

    void configure(uint64_t seed, uint64_t max_transactions) {
        seed_ = seed;
        budget_ = max_transactions;
        issued_ = 0;
    }
    uint64_t seed() const { return seed_; }

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
};

}  // namespace smmusim::core
