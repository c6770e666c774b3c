// Broadcast TLB maintenance at the TCU (SMMUv3 §3.17, IDR0.BTM): the CPUs' TLBIs arrive as DVM
// messages and invalidate the TCU's caches and every TBU's TLBs as the command of the same
// reach would (cache::InvScope::from_dvm gives what the architecture requires of a broadcast:
// ASET, VMID 0 without stage 2, regimes); a DVM Sync is answered once every TLBI received
// before it has completed: the TBUs have acknowledged it and the translations that may have
// used what it removed have finished (the CMD_SYNC round, without its ATC and event-queue
// parts, which belong to the command queue). With CR2.PTM = 1 the SMMU ignores broadcasts, as
// Arm strongly recommends (§3.17), and answers Syncs at once.

#include "models/smmu/tcu/tcu_dvm.h"

#include "models/smmu/arch/regs.h"

namespace smmusim::smmu::tcu {

using namespace arch;
using noc::dvm::DvmMessage;
using noc::dvm::MsgType;

Tcu::DvmPort::DvmPort(Tcu& t)
    : socket("dvm"),
      tcu(t),
      tlbis(&t, "dvm_tlbis", "broadcast TLB invalidations applied (IDR0.BTM, CR2.PTM = 0)"),
      ignored(&t, "dvm_ignored",
              "broadcast TLB invalidations ignored (CR2.PTM = 1, or a stage or regime this SMMU does not have)"),
      syncs(&t, "dvm_syncs", "DVM Syncs answered") {
    socket.bind(*this);
}

tlm::tlm_sync_enum Tcu::DvmPort::nb_transport_fw(DvmMessage& m, tlm::tlm_phase&, sc_core::sc_time& d) {
    if (m.type == MsgType::Sync) {
        arrivals.notify(m, d);
        return tlm::TLM_ACCEPTED;
    }
    arrivals.notify(*copies.copy(m), d);
    return tlm::TLM_COMPLETED;
}

noc::dvm::TargetSocket& Tcu::dvm() {
    if (!dvm_) throw std::logic_error(std::string(name()) + ": no DVM target without IDR0.BTM (smmu.btm)");
    return dvm_->socket;
}

void Tcu::dvm_run() {
    DvmPort& p = *dvm_;
    for (;;) {
        DvmMessage* m;
        while (!(m = p.arrivals.get_next_transaction())) wait(p.arrivals.get_event());
        if (dvm_cycles) wait(clock.cycles(dvm_cycles));
        const bool private_tlbs = get<cr2::PTM>(file_.state().cr2);
        if (m->type == MsgType::Tlbi) {
            const cache::InvScope s = private_tlbs ? cache::InvScope{} : cache::InvScope::from_dvm(m->tlbi, f_);
            p.copies.give_back(m);
            if (s.kind == cache::InvScope::Kind::None) {
                ++p.ignored;
                continue;
            }
            ++p.tlbis;
            p.applied = true;
            invalidate_scope(s);
            continue;
        }
        if (p.applied) {
            p.applied = false;
            sync_round(false);
        }
        ++p.syncs;
        tlm::tlm_phase phase = tlm::BEGIN_RESP;
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        p.socket->nb_transport_bw(*m, phase, delay);
    }
}

}  // namespace smmusim::smmu::tcu
