#pragma once
// Run-wide settings that every module may consult: the seed and the transaction budget
// (--max-transactions). Traffic generators take a ticket before each transaction, so a
// bounded run completes exactly the requested number.

#include <cstdint>

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
        ++issued_;
        return true;
    }
    bool budget_spent() const { return budget_ && issued_ >= budget_; }

private:
    uint64_t seed_ = 1;
    uint64_t budget_ = 0;
    uint64_t issued_ = 0;
};

}  // namespace smmusim::core
