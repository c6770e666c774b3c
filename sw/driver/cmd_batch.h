#pragma once
// Linux's command batch (arm_smmu_cmdq_batch_add / _submit, reference §5.3): commands gather
// until the batch holds `limit` (CMDQ_BATCH_ENTRIES); adding one more first issues those
// without a CMD_SYNC; submit() issues what is left with one CMD_SYNC and waits for it (a
// lone CMD_SYNC when the batch is empty).

#include <vector>

#include "models/smmu/arch/commands.h"
#include "sw/driver/cmdq.h"

namespace smmusim::sw::driver {

class CommandBatch {
public:
    CommandBatch(CommandQueue& q, unsigned limit) : q_(q), limit_(limit ? limit : 1) { cmds_.reserve(limit_); }

    void add(const smmu::arch::Command& c) {
        if (cmds_.size() >= limit_) {
            q_.issue(cmds_.data(), cmds_.size(), false);
            cmds_.clear();
        }
        cmds_.push_back(c);
    }
    bool submit() {
        const bool ok = q_.issue(cmds_.data(), cmds_.size(), true);
        cmds_.clear();
        return ok;
    }
    // submit() without waiting: the CMD_SYNC published, to be waited for with q.wait().
    CommandQueue::PendingSync post() {
        CommandQueue::PendingSync p = q_.post(cmds_.data(), cmds_.size());
        cmds_.clear();
        return p;
    }
    size_t pending() const { return cmds_.size(); }

private:
    CommandQueue& q_;
    unsigned limit_;
    std::vector<smmu::arch::Command> cmds_;
};

}  // namespace smmusim::sw::driver
