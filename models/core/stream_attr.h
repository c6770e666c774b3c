#pragma once
// Attributes a device attaches to each transaction (DESIGN §3): StreamID, SubstreamID, the
// access attributes the SMMU checks (privileged, instruction, secure), and the AXI ID:
// transactions of one StreamID with the same ID keep their order through the SMMU.

#include <cstdint>

#include <tlm>

#include "models/core/ats.h"

namespace smmusim::core {

struct StreamAttr : tlm::tlm_extension<StreamAttr> {
    uint32_t sid = 0;
    uint32_t ssid = 0;
    bool ssid_valid = false;
    bool priv = false;
    bool instr = false;
    bool secure = false;
    uint16_t id = 0;
    AtKind at = AtKind::Untranslated;  // PCIe ATS (models/core/ats.h)

    tlm::tlm_extension_base* clone() const override { return new StreamAttr(*this); }
    void copy_from(const tlm::tlm_extension_base& other) override {
        *this = static_cast<const StreamAttr&>(other);
    }
};

}  // namespace smmusim::core
