#pragma once
// N initiator ports x M target ports, AT end to end. Each initiator port has a request FIFO
// (`buffer` deep; when full, END_REQ waits); the FIFO head competes, round robin, for its
// target port, which carries one request at a time until the target's END_REQ. Data move at
// each port's width (bytes per cycle: write data on requests, read data on responses), and
// every port adds its hop latency each way. An address no target decodes is answered with
// TLM_ADDRESS_ERROR_RESPONSE (AXI DECERR).

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/core/at_initiator_port.h"
#include "models/core/at_target_port.h"
#include "models/core/clock.h"
#include "models/core/params.h"
#include "models/core/stats.h"
#include "models/core/vcd.h"
#include "models/noc/address_map.h"

namespace smmusim::noc {

class Interconnect : public sc_core::sc_module,
                     private core::AtTargetHandler,
                     private core::AtInitiatorHandler {
public:
    // `targets`: name, base and size of each target port (from the targets' own parameters).
    Interconnect(sc_core::sc_module_name name, const std::vector<std::string>& initiators,
                 const std::vector<AddressRange>& targets);
    ~Interconnect() override;

    core::ClockParam clock{this};
    core::Param<uint32_t> buffer{this, "buffer", 4, "",
                                 "request FIFO depth of each initiator port", {1, 1024}};

    // Sockets by port name: initiators bind to initiator_socket(), targets to target_socket().
    tlm::tlm_target_socket<>& initiator_socket(const std::string& port);
    tlm::tlm_initiator_socket<>& target_socket(const std::string& port);
    const AddressMap& address_map() const { return map_; }

private:
    struct Request {
        tlm::tlm_generic_payload* gp;
        unsigned target;
        sc_core::sc_time ready;  // when it may compete for the target port
    };
    struct InitiatorPort;
    struct TargetPort;

    bool at_request(tlm::tlm_generic_payload& gp, unsigned port) override;
    void at_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, unsigned port) override;
    unsigned at_transport_dbg(tlm::tlm_generic_payload& gp, unsigned port) override;
    bool at_get_dmi(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi, unsigned port) override;
    void at_response(tlm::tlm_generic_payload& gp, unsigned port) override;
    void at_request_accepted(tlm::tlm_generic_payload& gp, unsigned port) override;
    void at_invalidate_dmi(uint64_t start, uint64_t end, unsigned port) override;

    void enqueue(unsigned i, tlm::tlm_generic_payload& gp);
    void arbitrate(unsigned j);
    void wake(unsigned j, const sc_core::sc_time& at);
    void set_fifo_level(unsigned i);

    AddressMap map_;
    std::vector<std::unique_ptr<InitiatorPort>> up_;
    std::vector<std::unique_ptr<TargetPort>> down_;

    core::Counter decode_errors_{this, "decode_errors", "requests to an unmapped address"};
};

}  // namespace smmusim::noc
