#include "sw/driver/ecmdq.h"

#include <algorithm>
#include <string>

#include "models/smmu/arch/regs.h"

namespace smmusim::sw::driver {

using namespace smmu::arch;

namespace {
constexpr unsigned kEcmdqLog2 = 8;  // ECMDQ_MAX_SZ_SHIFT
constexpr uint32_t kEn = uint32_t(ecmdq::PROD_EN::mask), kEnack = uint32_t(ecmdq::CONS_ENACK::mask),
                   kErr = uint32_t(ecmdq::CONS_ERR::mask);

unsigned order_base_2(unsigned n) {
    unsigned l = 0;
    while ((1u << l) < n) ++l;
    return l;
}
}  // namespace

Ecmdqs::Ecmdqs(hal::Bus& bus, hal::PageAllocator& mem, const DriverConfig& cfg, Observer& obs, const SmmuCaps& caps)
    : bus_(bus), cfg_(cfg), obs_(obs), caps_(caps), cpus_(std::max(1u, bus.cpus())) {
    // A CPU needs at most one queue (nr_ecmdq = min(queues, CPUs)).
    const unsigned n = std::min(caps.ecmdqs, cpus_);
    const unsigned log2 = std::min(kEcmdqLog2 + order_base_2(cpus_ / n), caps.cmdq_log2);
    for (unsigned i = 0; i < n; ++i) {
        queues_.push_back(std::make_unique<CommandQueue>(bus, mem, cfg, obs, log2, caps.sev));
        queues_.back()->set_registers(regs(i) + reg::ECMDQ_PROD, regs(i) + reg::ECMDQ_CONS, kEn);
    }
}

bool Ecmdqs::enable() {
    for (size_t i = 0; i < queues_.size(); ++i) {
        CommandQueue& q = *queues_[i];
        bus_.write64(regs(i) + reg::ECMDQ_BASE, q.base_register());
        bus_.write32(regs(i) + reg::ECMDQ_PROD, 0);
        bus_.write32(regs(i) + reg::ECMDQ_CONS, 0);
        bus_.write32(regs(i) + reg::ECMDQ_PROD, kEn);
        // readl_relaxed_poll_timeout(cons_reg, reg, reg & ECMDQ_CONS_ENACK, 1, ARM_SMMU_POLL_TIMEOUT_US)
        const uint64_t start = bus_.now();
        while (!(bus_.read32(regs(i) + reg::ECMDQ_CONS) & kEnack)) {
            if (bus_.now() - start >= cfg_.poll_timeout) {
                obs_.warning("ecmdq[" + std::to_string(i) + "] enable failed; using the main command queue");
                return false;
            }
            bus_.work(cfg_.poll_delay);
        }
    }
    return true;
}

std::vector<CommandQueue*> Ecmdqs::per_cpu() const {
    std::vector<CommandQueue*> v;
    for (unsigned c = 0; c < cpus_; ++c) v.push_back(queues_[c % queues_.size()].get());
    return v;
}

// arm_smmu_ecmdq_skip_err: the queues with ERR != ERRACK only.
void Ecmdqs::recover_errors() {
    for (size_t i = 0; i < queues_.size(); ++i) {
        const uint32_t prod = bus_.read32(regs(i) + reg::ECMDQ_PROD);
        const uint32_t cons = bus_.read32(regs(i) + reg::ECMDQ_CONS);
        if (!((prod ^ cons) & kErr)) continue;
        queues_[i]->recover_error();
        queues_[i]->ack_error(cons);
    }
}

}  // namespace smmusim::sw::driver
