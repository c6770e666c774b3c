#pragma once
// The SMMU's enhanced command queues as the posted series "iommu/arm-smmu-v3: Add support for
// ECMDQ register mode" (Zhen Lei, 2021-2024) drives them: probed from IDR6 and the control
// pages (probe.cpp), enabled after the main queue and before the first command
// (arm_smmu_ecmdq_reset: BASE, PROD = CONS = 0, PROD.EN, poll CONS.ENACK), one per CPU: CPU c
// takes queue c mod n when there are fewer queues than CPUs (the 2021 versions share them; the
// 2024 one refuses), each queue sized 256 << log2(CPUs per queue) entries (ECMDQ_MAX_SZ_SHIFT
// + shift_increment) and run by the driver's command-queue algorithm (its own llq, lock and
// valid map). GERROR.CMDQP_ERR: every queue whose ERR differs from ERRACK is repaired as the
// main queue is (arm_smmu_cmdq_skip_err), then its ERRACK is toggled (arm_smmu_ecmdq_err_ack).

#include <memory>
#include <vector>

#include "sw/driver/cmdq.h"
#include "sw/driver/probe.h"

namespace smmusim::sw::driver {

class Ecmdqs {
public:
    Ecmdqs(hal::Bus& bus, hal::PageAllocator& mem, const DriverConfig& cfg, Observer& obs, const SmmuCaps& caps);

    // Enables every queue; false (and a warning) if one did not acknowledge within the poll
    // timeout: the driver then keeps to the main queue, as the series falls back.
    bool enable();
    // The queue of each CPU, for CommandQueue::route.
    std::vector<CommandQueue*> per_cpu() const;
    size_t size() const { return queues_.size(); }
    CommandQueue& queue(size_t i) { return *queues_[i]; }
    // GERROR.CMDQP_ERR.
    void recover_errors();

private:
    uint64_t regs(size_t i) const { return cfg_.regs + caps_.ecmdq_offset + uint64_t(caps_.ecmdq_stride) * i; }

    hal::Bus& bus_;
    const DriverConfig& cfg_;
    Observer& obs_;
    const SmmuCaps& caps_;
    unsigned cpus_;
    std::vector<std::unique_ptr<CommandQueue>> queues_;
};

}  // namespace smmusim::sw::driver
