// The `pkvm` platform: the shared hardware (platforms/soc.h) under a pKVM-style hypervisor
// that owns the SMMU and isolates host DMA with a shadow stage 2 of host memory (IOVA == PA
// for host devices left on it), with the host's software on top: by default the devices run
// their own pattern traffic to host memory while the host donates pages to guests and takes
// them back (`sw.workload=donate`, `sw.pkvm.*`, invalidation policy `sw.hyp.*`).
//
// Memory map: host memory is DRAM up to the hypervisor's 256 MiB at the top; the host's IOMMU
// tables sit at 0x1_0000_0000 (256 MiB), the default donation pool at 0x1_8000_0000 (1 GiB).

#include <memory>
#include <ostream>

#include "platforms/soc_platform.h"

namespace smmusim::platforms {
namespace {

constexpr uint64_t MiB = uint64_t(1) << 20;
constexpr uint64_t kHypMemory = 256 * MiB;
constexpr uint64_t kHostEnd = Soc::kDramBase + Soc::kDramSize - kHypMemory;
constexpr uint64_t kHostTables = 0x100000000ull;
constexpr uint64_t kPool = 0x180000000ull;

class PkvmPlatform : public SocPlatform {
public:
    explicit PkvmPlatform(const PlatformOptions& opts) : SocPlatform(true) {
        SoftwareSetup sw = software_setup(opts);
        sw.memory_base = kHostEnd;  // the hypervisor's own memory: SMMU tables, queues, the shadow
        sw.memory_size = kHypMemory;
        HypSetup h;
        h.host_base = Soc::kDramBase;
        h.host_size = kHostEnd - Soc::kDramBase;
        h.host_tables_base = kHostTables;
        h.host_tables_size = 256 * MiB;
        h.pool_base = kPool;
        h.pool_size = 1024 * MiB;
        h.host_sids = {1, 2};
        sw.hyp = h;
        start_software(std::move(sw));
    }

    void print_address_map(std::ostream& os) const override {
        soc.print_wiring(os);
        os << std::hex << "  host memory [0x" << Soc::kDramBase << ", 0x" << kHostEnd << "), hypervisor [0x"
           << kHostEnd << ", 0x" << Soc::kDramBase + Soc::kDramSize << "); host IOMMU tables at 0x" << kHostTables
           << ", donation pool at 0x" << kPool << std::dec << "\n";
    }
};

}  // namespace

std::unique_ptr<Platform> make_pkvm_platform(const PlatformOptions& opts) {
    return std::make_unique<PkvmPlatform>(opts);
}

}  // namespace smmusim::platforms
