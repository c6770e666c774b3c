#include "sw/hyp/cmdq_emulation.h"

#include <algorithm>

#include "models/smmu/arch/command_builders.h"
#include "models/smmu/arch/queue.h"
#include "models/smmu/arch/regs.h"

namespace smmusim::sw::hyp {

using namespace smmu::arch;

bool CmdqEmulation::host_sid(uint32_t sid) const { return std::find(sids_.begin(), sids_.end(), sid) != sids_.end(); }

void CmdqEmulation::set_enabled(bool on) {
    enabled_ = on;
    if (on) run();
}

void CmdqEmulation::write_prod(uint32_t prod) {
    prod_ = prod & kPtrMask;
    run();
}

uint32_t CmdqEmulation::cons() const { return uint32_t(put<queue_ptr::CMDQ_ERR>(cons_, err_)); }

void CmdqEmulation::resume() {
    if (!err_) return;
    err_ = cerror::NONE;
    run();
}

CmdqEmulation::Verdict CmdqEmulation::filter(Command& c) {
    const uint16_t vmid = shadow_ ? shadow_->domain().vmid() : 0;
    switch (c.opcode()) {
    case op::CMD_SYNC: return Verdict::Sync;
    case op::CFGI_STE: stes_.sync(uint32_t(c.get<Command::StreamID>())); return Verdict::Handled;
    case op::CFGI_STE_RANGE: {
        const uint64_t range = c.get<Command::Range>();
        if (range == 31) {
            stes_.sync_range(0, uint64_t(1) << 32);
        } else {
            const uint64_t n = uint64_t(2) << range;
            stes_.sync_range(uint32_t(c.get<Command::StreamID>() & ~(n - 1)), n);
        }
        return Verdict::Handled;
    }
    case op::CFGI_CD:
    case op::CFGI_CD_ALL:
    case op::PREFETCH_CONFIG:
    case op::PREFETCH_ADDR:
        return host_sid(uint32_t(c.get<Command::StreamID>())) ? Verdict::Forward : Verdict::Refuse;
    case op::TLBI_NH_ALL:
    case op::TLBI_NH_ASID:
    case op::TLBI_NH_VA:
    case op::TLBI_NH_VAA: c.set<Command::VMID>(vmid); return Verdict::Forward;
    case op::TLBI_NSNH_ALL: c = cmd::tlbi_nh_all(vmid); return Verdict::Forward;
    default: return Verdict::Refuse;
    }
}

// The hypervisor's own CMD_SYNC completes what was copied (the driver's queue waits by CONS
// polling in the hypervisor: DriverConfig::sync).
void CmdqEmulation::submit(bool sync) {
    if (out_.empty() && !sync) return;
    drv_.cmdq().issue(out_.data(), out_.size(), sync);
    forwarded_ += out_.size();
    out_.clear();
}

void CmdqEmulation::run() {
    if (!enabled_ || err_ || !base_) return;
    const QueueIndex q(unsigned(get<queue_base::LOG2SIZE>(base_)));
    const uint64_t slots = queue_base::ADDR::address(base_);
    bool copied = false;
    while (!q.empty(prod_, cons_)) {
        unsigned char b[16];
        bus_.read(slots + q.index(cons_) * 16, b, sizeof b);
        Command c;
        c.load(b);
        bus_.work(cfg_.cmd_cycles);
        ++emulated_;
        const Verdict v = filter(c);
        if (v == Verdict::Refuse) {
            ++refused_;
            if (cfg_.refused == Refused::CerrorIll) {
                submit(copied);
                err_ = cerror::ILL;
                if (on_error) on_error();
                return;
            }
        } else if (v == Verdict::Forward) {
            out_.push_back(c);
            copied = true;
        } else if (v == Verdict::Handled) {
            submit(false);  // what came before goes first
        } else {
            submit(true);
            copied = false;
        }
        cons_ = q.next(cons_);
    }
    // Back to the host only once the hardware queue has drained.
    submit(copied);
}

}  // namespace smmusim::sw::hyp
