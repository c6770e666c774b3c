// bare-at-hop: the baseline scripts/bench divides by. A bare SystemC/TLM-2.0 program doing what
// any AT model must do per transaction and nothing else: two masters, each with up to 16
// transactions outstanding and one issued per cycle (as smmu-speed's DMA masters), send 64-byte
// transactions through one AT hop (BEGIN_REQ / END_REQ, a payload event queue, BEGIN_RESP /
// END_RESP) to a target that answers after a fixed latency. A model's speed is quoted as a
// ratio to this program's transactions per CPU second in the same run of scripts/bench, so that
// the machine and its load cancel out.
// Usage: bare-at-hop [transactions per master]

#include <array>
#include <cstdio>
#include <cstdlib>

#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_get.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "models/core/cpu_time.h"
#include "models/core/leak_check.h"

namespace {

const sc_core::sc_time kCycle(1, sc_core::SC_NS);
constexpr unsigned kOutstanding = 16;

struct Target : sc_core::sc_module {
    tlm_utils::simple_target_socket<Target> socket{"socket"};
    tlm_utils::peq_with_get<tlm::tlm_generic_payload> ready{"ready"};
    std::array<unsigned char, 64> line{};

    SC_HAS_PROCESS(Target);
    explicit Target(sc_core::sc_module_name n) : sc_module(n) {
        socket.register_nb_transport_fw(this, &Target::fw);
        SC_METHOD(respond);
        sensitive << ready.get_event();
        dont_initialize();
    }
    tlm::tlm_sync_enum fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay) {
        if (phase == tlm::END_RESP) return tlm::TLM_COMPLETED;
        ready.notify(gp, delay + 20 * kCycle);
        phase = tlm::END_REQ;
        return tlm::TLM_UPDATED;
    }
    void respond() {
        while (tlm::tlm_generic_payload* gp = ready.get_next_transaction()) {
            if (gp->is_read()) std::copy(line.begin(), line.end(), gp->get_data_ptr());
            gp->set_response_status(tlm::TLM_OK_RESPONSE);
            tlm::tlm_phase phase = tlm::BEGIN_RESP;
            sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
            socket->nb_transport_bw(*gp, phase, delay);
        }
    }
};

struct Master : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Master> socket{"socket"};
    uint64_t count, done = 0;
    std::array<tlm::tlm_generic_payload, kOutstanding> pool;
    std::array<std::array<unsigned char, 64>, kOutstanding> data{};
    std::array<unsigned, kOutstanding> free_slots{};
    unsigned nfree = kOutstanding;
    sc_core::sc_event freed;

    SC_HAS_PROCESS(Master);
    Master(sc_core::sc_module_name n, uint64_t c) : sc_module(n), count(c) {
        socket.register_nb_transport_bw(this, &Master::bw);
        for (unsigned i = 0; i < kOutstanding; ++i) {
            free_slots[i] = i;
            pool[i].set_data_ptr(data[i].data());
            pool[i].set_data_length(64);
            pool[i].set_streaming_width(64);
        }
        SC_THREAD(run);
    }
    void run() {
        for (uint64_t i = 0; i < count; ++i) {
            while (!nfree) wait(freed);
            tlm::tlm_generic_payload& gp = pool[free_slots[--nfree]];
            gp.set_command(i % 10 < 7 ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
            gp.set_address((i * 64) & 0xFFFF);
            gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            tlm::tlm_phase phase = tlm::BEGIN_REQ;
            sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
            socket->nb_transport_fw(gp, phase, delay);
            wait(kCycle);
        }
    }
    tlm::tlm_sync_enum bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time&) {
        if (phase != tlm::BEGIN_RESP) return tlm::TLM_ACCEPTED;
        free_slots[nfree++] = unsigned(&gp - pool.data());
        ++done;
        freed.notify(sc_core::SC_ZERO_TIME);
        phase = tlm::END_RESP;
        return tlm::TLM_COMPLETED;
    }
};

}  // namespace

int sc_main(int argc, char** argv) {
    const uint64_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 2000000;
    Master m0("m0", count), m1("m1", count);
    Target t0("t0"), t1("t1");
    m0.socket.bind(t0.socket);
    m1.socket.bind(t1.socket);
    const double start = smmusim::core::cpu_seconds();
    sc_core::sc_start();
    const double secs = smmusim::core::cpu_seconds() - start;
    const uint64_t done = m0.done + m1.done;
    std::printf("bench bare-at-hop: %llu transactions in %.3f s = %.0f per CPU second\n",
                static_cast<unsigned long long>(done), secs, double(done) / secs);
    return done == 2 * count ? 0 : 1;
}

int main(int argc, char** argv) {
    smmusim::core::prepare_leak_check();
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
