#pragma once
// The scenario file (DESIGN §5): parameter overrides, domains, attachments and the steps the
// software runs in order (map, unmap, dma, wait; command, which puts two raw dwords on the
// command queue, for studies of malformed commands and the driver's error recovery; and, under
// a hypervisor, donate, reclaim, share and unshare of host memory). Parsing checks everything that can be
// checked without running: unknown keys and ops, missing or mistyped fields, bad numbers,
// unknown domains, duplicate names. A problem is a ScenarioError naming the file and the
// place ("steps[3] (map): ..."); the runner reports what only running can find the same way.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/smmu/arch/dvm.h"
#include "sw/driver/domain.h"
#include "sw/hal/dma.h"
#include "sw/workloads/iommu.h"
#include "sw/pgtable/prot.h"

namespace smmusim::sw::workloads {

class ScenarioError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct AttachSpec {
    uint32_t sid = 0;
    std::optional<uint32_t> ssid;
    std::string domain;
    std::string smmu;  // the SMMU instance whose StreamID it is; empty: the domain's
};

struct Step {
    enum class Op { Map, Unmap, Dma, Wait, Command, Tlbi, Donate, Reclaim, Share, Unshare } op = Op::Wait;
    size_t index = 0;  // position in "steps"
    std::string domain;
    uint64_t iova = 0, pa = 0, size = 0;
    pgtable::Prot prot = pgtable::Prot::rw();
    hal::DmaRequest dma;
    bool async = false;
    uint64_t raw[2] = {0, 0};  // command: the two dwords, issued as they are
    bool sync = true;          // command: followed by a CMD_SYNC
    std::string smmu;          // command: the SMMU instance whose queue takes it (empty: the first)
    smmu::arch::dvm::Message tlbi;  // tlbi: the CPU's TLBI (sync: followed by DSB ISH)
    Iommu::Owner to = Iommu::Owner::Guest;  // donate: the new owner (pa, size: the pages)

    const char* op_name() const;
    std::string where(const std::string& file) const;  // "<file>: steps[3] (map)"
};

struct Scenario {
    std::string file;
    std::vector<std::pair<std::string, nlohmann::json>> set;  // "set": parameter overrides, in order
    std::vector<driver::DomainSpec> domains;
    std::vector<std::string> domain_smmus;  // each domain's SMMU instance ("smmu"; empty: the first)
    std::vector<AttachSpec> attach;
    std::vector<Step> steps;

    // The SMMU instance an attachment's StreamID belongs to: its own "smmu", else its domain's.
    const std::string& attach_smmu(const AttachSpec& a) const;
    // Whether StreamID `sid` of instance `smmu` is attached with a SubstreamID other than 0 anywhere.
    bool uses_ssids(uint32_t sid, const std::string& smmu = {}) const;
};

Scenario load_scenario(const std::string& path);
Scenario parse_scenario(const nlohmann::json& j, const std::string& file);

// A number as scenario files write them: a JSON integer >= 0, or a string in decimal or
// 0x-hex, with '_' separators and an optional KiB/MiB/GiB/TiB suffix. nullopt if not.
std::optional<uint64_t> parse_number(const nlohmann::json& v);

}  // namespace smmusim::sw::workloads
