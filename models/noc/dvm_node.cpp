#include "models/noc/dvm_node.h"

#include "models/core/sim_time.h"

namespace smmusim::noc {

DvmNode::DvmNode(sc_core::sc_module_name name, const std::vector<std::string>& participants)
    : sc_module(name), in("in") {
    in.bind(static_cast<dvm::FwIf&>(*this));
    for (const std::string& p : participants) {
        out_.push_back(std::make_unique<dvm::InitiatorSocket>(p.c_str()));
        out_.back()->bind(static_cast<dvm::BwIf&>(*this));
    }
    sync_out_.resize(out_.size());
    for (dvm::DvmMessage& m : sync_out_) m.type = dvm::MsgType::Sync;
    SC_THREAD(run);
}

DvmNode::~DvmNode() = default;

tlm::tlm_sync_enum DvmNode::nb_transport_fw(dvm::DvmMessage& m, tlm::tlm_phase&, sc_core::sc_time& delay) {
    const sc_core::sc_time due = delay + clock.cycles(latency);
    if (m.type == dvm::MsgType::Sync) {
        arrivals_.notify(m, due);
        return tlm::TLM_ACCEPTED;
    }
    // A TLBI is posted: the node keeps a copy and the requester is done with it.
    arrivals_.notify(*copies_.copy(m), due);
    return tlm::TLM_COMPLETED;
}

tlm::tlm_sync_enum DvmNode::nb_transport_bw(dvm::DvmMessage& m, tlm::tlm_phase&, sc_core::sc_time& delay) {
    // A participant's answer to the node's Sync: it arrives one hop later.
    answers_.notify(m, delay + clock.cycles(latency));
    return tlm::TLM_COMPLETED;
}

void DvmNode::run() {
    for (;;) {
        dvm::DvmMessage* m;
        while (!(m = arrivals_.get_next_transaction())) wait(arrivals_.get_event());
        const sc_core::sc_time arrived = core::now();
        if (op_cycles) wait(clock.cycles(op_cycles));
        const sc_core::sc_time hop = clock.cycles(latency);
        if (m->type == dvm::MsgType::Tlbi) {
            ++tlbis_;
            for (auto& s : out_) {
                tlm::tlm_phase phase = tlm::BEGIN_REQ;
                sc_core::sc_time delay = hop;
                (*s)->nb_transport_fw(*m, phase, delay);  // the participant copies it
            }
            copies_.give_back(m);
            continue;
        }
        // A Sync: to every participant, then wait for all their answers.
        unsigned outstanding = unsigned(out_.size());
        for (size_t i = 0; i < out_.size(); ++i) {
            tlm::tlm_phase phase = tlm::BEGIN_REQ;
            sc_core::sc_time delay = hop;
            (*out_[i])->nb_transport_fw(sync_out_[i], phase, delay);
        }
        while (outstanding) {
            while (answers_.get_next_transaction()) --outstanding;
            if (outstanding) wait(answers_.get_event());
        }
        ++syncs_;
        sync_latency_.sample(core::now() + hop - arrived);
        tlm::tlm_phase phase = tlm::BEGIN_RESP;
        sc_core::sc_time delay = hop;
        in->nb_transport_bw(*m, phase, delay);
    }
}

}  // namespace smmusim::noc
