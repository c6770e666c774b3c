#include "models/noc/interconnect.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "models/core/ring.h"
#include "models/core/sim_time.h"

namespace smmusim::noc {

namespace {
// Which initiator port a forwarded request came from, kept on the payload (allocated once per
// payload and reused: routing allocates nothing per transaction).
struct Route : tlm::tlm_extension<Route> {
    const Interconnect* noc = nullptr;
    unsigned initiator = 0;
    tlm::tlm_extension_base* clone() const override { return new Route(*this); }
    void copy_from(const tlm::tlm_extension_base& o) override { *this = static_cast<const Route&>(o); }
};
}  // namespace

// The timing knobs every port has, named under the port: noc.<port>.width / .hop_latency.
struct PortTiming {
    PortTiming(const std::string& path, const char* data_direction)
        : width(path + ".width", 16, "bytes",
                std::string("bytes per cycle this port carries (") + data_direction + ")", {1, 4096}),
          hop_latency(path + ".hop_latency", 1, "cycles",
                      "cycles a request or response spends crossing this port", {0, 1000000}) {}
    core::Param<uint32_t> width;
    core::Param<uint32_t> hop_latency;
};

struct Interconnect::InitiatorPort : PortTiming {
    InitiatorPort(const std::string& name, Interconnect& ic, unsigned index)
        : PortTiming(core::join_name(&ic, name), "write data in, read data out"),
          port(name.c_str(), ic, index),
          requests(&port.socket, "requests", "requests received from this initiator"),
          fifo_level(&port.socket, "fifo", "requests waiting in this port's FIFO"),
          fifo_signal(&port.socket, "fifo", 16) {}

    core::AtTargetPort port;
    core::Counter requests;
    core::Level fifo_level;
    core::TraceSignal fifo_signal;
    core::Ring<Request> fifo;  // no allocation per request, as std::deque would
    int head_target = -1;      // target of the FIFO's head request (-1: empty)
    sc_core::sc_time req_free = sc_core::SC_ZERO_TIME;   // request data link
    sc_core::sc_time resp_free = sc_core::SC_ZERO_TIME;  // response data link
};

struct Interconnect::TargetPort : PortTiming {
    TargetPort(const std::string& name, Interconnect& ic, unsigned index)
        : PortTiming(core::join_name(&ic, name), "write data out, read data in"),
          port(name.c_str(), ic, index),
          requests(&port.socket, "requests", "requests forwarded to this target"),
          grant_wait(&port.socket, "grant_wait",
                     "time a ready request waited for this target port (arbitration, backpressure)") {}

    core::AtInitiatorPort port;
    core::Counter requests;
    core::TimeHistogram grant_wait;
    sc_core::sc_event arbitrate;
    bool busy = false;  // a request is in the target's request channel (no END_REQ yet)
    sc_core::sc_time link_free = sc_core::SC_ZERO_TIME;
    unsigned last_grant = 0;
    // Initiator ports whose FIFO head is for this target, a bit each: arbitration visits only
    // them (hundreds of CPU ports, mostly idle, would otherwise be scanned for every grant).
    std::vector<uint64_t> heads;
};

namespace {
// The first set bit of `bits` in [from, end), or `end`.
unsigned next_bit(const std::vector<uint64_t>& bits, unsigned from, unsigned end) {
    while (from < end) {
        const uint64_t w = bits[from / 64] >> (from % 64);
        if (w) return std::min(end, from + unsigned(__builtin_ctzll(w)));
        from = (from / 64 + 1) * 64;
    }
    return end;
}
}  // namespace

Interconnect::Interconnect(sc_core::sc_module_name name, const std::vector<std::string>& initiators,
                           const std::vector<AddressRange>& targets)
    : sc_module(name) {
    std::set<std::string> names;
    for (const std::string& n : initiators)
        if (!names.insert(n).second) throw std::logic_error("interconnect: duplicate port " + n);
    for (const AddressRange& t : targets)
        if (!names.insert(t.target).second)
            throw std::logic_error("interconnect: duplicate port " + t.target);

    for (unsigned i = 0; i < initiators.size(); ++i)
        up_.push_back(std::make_unique<InitiatorPort>(initiators[i], *this, i));
    for (unsigned j = 0; j < targets.size(); ++j) {
        map_.add(targets[j]);
        down_.push_back(std::make_unique<TargetPort>(targets[j].target, *this, j));
        sc_core::sc_spawn_options opts;
        opts.spawn_method();
        opts.dont_initialize();
        opts.set_sensitivity(&down_[j]->arbitrate);
        sc_core::sc_spawn([this, j] { arbitrate(j); }, (targets[j].target + "_arbiter").c_str(), &opts);
    }
    for (auto& d : down_) d->heads.assign((up_.size() + 63) / 64, 0);
}

Interconnect::~Interconnect() = default;

tlm::tlm_target_socket<>& Interconnect::initiator_socket(const std::string& port) {
    for (auto& u : up_)
        if (u->port.socket.basename() == port) return u->port.socket;
    throw std::logic_error(std::string(name()) + ": no initiator port " + port);
}

tlm::tlm_initiator_socket<>& Interconnect::target_socket(const std::string& port) {
    for (auto& d : down_)
        if (d->port.socket.basename() == port) return d->port.socket;
    throw std::logic_error(std::string(name()) + ": no target port " + port);
}

bool Interconnect::at_request(tlm::tlm_generic_payload& gp, unsigned i) {
    if (up_[i]->fifo.size() >= buffer) return false;  // held: END_REQ when space frees
    enqueue(i, gp);
    return true;
}

void Interconnect::enqueue(unsigned i, tlm::tlm_generic_payload& gp) {
    InitiatorPort& u = *up_[i];
    ++u.requests;
    const sc_core::sc_time now = core::now();
    const unsigned len = gp.get_data_length();
    uint64_t beats = gp.is_write() ? core::ClockParam::beats(len, u.width) : 1;
    u.req_free = std::max(now, u.req_free) + clock.cycles(beats);

    std::optional<unsigned> j = map_.decode(gp.get_address(), len);
    if (!j) {
        ++decode_errors_;
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        sc_core::sc_time at = std::max(u.req_free + clock.cycles(2 * u.hop_latency), u.resp_free);
        u.resp_free = at + clock.cycles(1);
        u.port.respond(gp, u.resp_free - now);
        return;
    }
    sc_core::sc_time ready = u.req_free + clock.cycles(u.hop_latency + down_[*j]->hop_latency);
    u.fifo.push_back(Request{&gp, *j, ready});
    set_fifo_level(i);
    if (u.fifo.size() == 1) wake(*j, ready);
}

void Interconnect::wake(unsigned j, const sc_core::sc_time& at) {
    const sc_core::sc_time now = core::now();
    down_[j]->arbitrate.notify(at > now ? at - now : sc_core::SC_ZERO_TIME);
}

void Interconnect::arbitrate(unsigned j) {
    TargetPort& d = *down_[j];
    const sc_core::sc_time now = core::now();
    if (d.busy) return;  // END_REQ wakes us
    if (d.link_free > now) {
        d.arbitrate.notify(d.link_free - now);
        return;
    }
    const unsigned n = unsigned(up_.size());
    sc_core::sc_time earliest = sc_core::SC_ZERO_TIME;
    bool later = false;
    // Round robin from the port after the last grant, over the ports whose head is for j.
    const unsigned start = d.last_grant + 1 < n ? d.last_grant + 1 : 0;  // (last + 1) % n, no division
    unsigned i = next_bit(d.heads, start, n);
    bool wrapped = false;
    for (;;) {
        if (i >= (wrapped ? start : n)) {
            if (wrapped || start == 0) break;
            wrapped = true;
            i = next_bit(d.heads, 0, start);
            continue;
        }
        InitiatorPort& u = *up_[i];
        const Request r = u.fifo.front();
        if (r.ready > now) {
            if (!later || r.ready < earliest) earliest = r.ready;
            later = true;
            i = next_bit(d.heads, i + 1, wrapped ? start : n);
            continue;
        }
        u.fifo.pop_front();
        set_fifo_level(i);
        d.last_grant = i;
        d.busy = true;
        ++d.requests;
        d.grant_wait.sample(now - r.ready);
        uint64_t beats =
            r.gp->is_write() ? core::ClockParam::beats(r.gp->get_data_length(), d.width) : 1;
        d.link_free = now + clock.cycles(beats);
        Route* route = r.gp->get_extension<Route>();
        if (!route) {
            route = new Route;
            r.gp->set_extension(route);
        }
        route->noc = this;
        route->initiator = i;
        if (!u.fifo.empty()) wake(u.fifo.front().target, u.fifo.front().ready);
        if (tlm::tlm_generic_payload* held = u.port.held()) {
            enqueue(i, *held);
            u.port.accept_held();
        }
        d.port.send(*r.gp);
        return;
    }
    if (later) d.arbitrate.notify(earliest - now);
}

void Interconnect::at_request_accepted(tlm::tlm_generic_payload&, unsigned j) {
    down_[j]->busy = false;
    wake(j, down_[j]->link_free);
}

void Interconnect::at_response(tlm::tlm_generic_payload& gp, unsigned j) {
    Route* route = gp.get_extension<Route>();
    if (!route || route->noc != this)
        SC_REPORT_ERROR(name(), "response for a transaction this interconnect did not forward");
    const unsigned i = route->initiator;
    route->noc = nullptr;
    InitiatorPort& u = *up_[i];
    const sc_core::sc_time now = core::now();
    uint64_t beats = gp.is_read() ? core::ClockParam::beats(gp.get_data_length(), u.width) : 1;
    sc_core::sc_time at = std::max(now + clock.cycles(down_[j]->hop_latency + u.hop_latency), u.resp_free);
    u.resp_free = at + clock.cycles(beats);
    u.port.respond(gp, u.resp_free - now);
}

void Interconnect::set_fifo_level(unsigned i) {
    InitiatorPort& u = *up_[i];
    const int head = u.fifo.empty() ? -1 : int(u.fifo.front().target);
    if (head != u.head_target) {
        if (u.head_target >= 0) down_[unsigned(u.head_target)]->heads[i / 64] &= ~(uint64_t(1) << (i % 64));
        if (head >= 0) down_[unsigned(head)]->heads[i / 64] |= uint64_t(1) << (i % 64);
        u.head_target = head;
    }
    u.fifo_level.set(int64_t(u.fifo.size()));
    u.fifo_signal.set(u.fifo.size());
}

// Loosely timed (sim.mode=lt): what the AT path charges a request that meets no other, the
// request's data beats and both hops each way, then the response's data beats (enqueue,
// at_response); no FIFO, arbitration or link occupancy (docs/design.md, Timing modes).
void Interconnect::at_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, unsigned i) {
    InitiatorPort& u = *up_[i];
    ++u.requests;
    const unsigned len = gp.get_data_length();
    delay += clock.cycles(gp.is_write() ? core::ClockParam::beats(len, u.width) : 1);
    std::optional<unsigned> j = map_.decode(gp.get_address(), len);
    if (!j) {
        ++decode_errors_;
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        delay += clock.cycles(2 * u.hop_latency + 1);
        return;
    }
    TargetPort& d = *down_[*j];
    ++d.requests;
    const sc_core::sc_time hops = clock.cycles(u.hop_latency + d.hop_latency);
    delay += hops;
    d.port.socket->b_transport(gp, delay);
    delay += hops + clock.cycles(gp.is_read() ? core::ClockParam::beats(len, u.width) : 1);
}

unsigned Interconnect::at_transport_dbg(tlm::tlm_generic_payload& gp, unsigned) {
    std::optional<unsigned> j = map_.decode(gp.get_address(), gp.get_data_length());
    return j ? down_[*j]->port.socket->transport_dbg(gp) : 0;
}

bool Interconnect::at_get_dmi(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi, unsigned) {
    std::optional<unsigned> j = map_.decode(gp.get_address(), 1);
    return j && down_[*j]->port.socket->get_direct_mem_ptr(gp, dmi);
}

void Interconnect::at_invalidate_dmi(uint64_t start, uint64_t end, unsigned) {
    for (auto& u : up_) u->port.invalidate_dmi(start, end);
}

}  // namespace smmusim::noc
