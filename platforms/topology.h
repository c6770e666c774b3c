#pragma once
// A platform described as data (docs/topology.md): CPUs, the interconnect, memories, SMMU
// instances with their TBUs, DMA masters behind them with their StreamIDs, background CPU
// traffic and the software (Linux-like driver, or a pKVM-style hypervisor under the host).
// The built-in platforms are topology files embedded in the binary
// (platforms/topologies/*.json); `--platform FILE.json` runs any other.
//
// Every error is a TopologyError (an InputError, exit 2) naming the file and the key, e.g.
// `topo.json: smmus[1].tbus: ...`.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/core/errors.h"

namespace smmusim::platforms {

struct TopologyError : InputError {
    using InputError::InputError;
};

struct Topology {
    struct Range {
        uint64_t base = 0, size = 0;
        uint64_t end() const { return base + size; }
    };
    struct Memory {
        std::string name;
        Range range;
    };
    struct Smmu {
        std::string name;
        uint64_t regs = 0;  // base of its 128 KiB register frame
        uint32_t tbus = 0;  // default of <name>.tbus
    };
    struct Device {
        std::string name;
        size_t smmu = 0;  // index into smmus
        uint32_t tbu = 0;
        uint32_t sid = 0;
    };
    enum class Software { Linux, Pkvm };
    struct Hyp {
        Range host, host_tables, pool;
        std::vector<uint32_t> host_sids;
    };

    std::string file;  // names the topology in messages ("base.json" for a built-in)
    std::string name, description;
    uint32_t cpus = 1;  // default of the `cpus` parameter
    std::string interconnect = "noc";
    std::vector<Memory> memories;  // the first is the software's DRAM
    std::vector<Smmu> smmus;
    std::vector<Device> devices;
    bool cpu_traffic = true;  // a background CPU traffic generator `cpu_traffic`
    Software software = Software::Linux;
    Range dma_window;  // kept free for DMA buffers (scenarios)
    Range buffers;     // the built-in workloads' DMA buffers
    Range sw_memory;   // the software's (or hypervisor's) tables and queues
    std::optional<Hyp> hyp;
    // Parameter defaults by full name (`dma0.pattern`), each with the file:key that set it.
    std::map<std::string, std::pair<nlohmann::json, std::string>> params;

    size_t smmu_index(const std::string& name) const;  // npos if none
};

// Parses and validates `j`, read from `file`.
Topology parse_topology(const nlohmann::json& j, const std::string& file);
// Reads a topology file (syntax errors name the file and line).
Topology load_topology(const std::string& path);
// The built-in topologies (platforms/topologies/*.json, embedded at build time), parsed.
const std::vector<Topology>& builtin_topologies();

}  // namespace smmusim::platforms
