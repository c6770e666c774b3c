#pragma once
// Who owns each page of host memory (pKVM's page states, reference §9.8): the host, the host
// sharing it with the hypervisor (the host still owns it and may still DMA to it), or a page
// donated to the hypervisor or to a guest (the host may not touch it, devices included). The
// transitions are the hypervisor's: donate, reclaim, share, unshare; anything else is refused
// with a HypError naming the pages and their state.

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "sw/driver/smmu_driver.h"

namespace smmusim::sw::hyp {

// A hypercall the hypervisor refuses (a request about pages in the wrong state): an error
// of what the host asked, as the driver's are.
class HypError : public driver::DriverError {
public:
    using driver::DriverError::DriverError;
};

enum class PageState { HostOwned, SharedWithHyp, DonatedToHyp, DonatedToGuest };
const char* state_name(PageState s);

struct Range {
    uint64_t base = 0, size = 0;
    uint64_t end() const { return base + size; }
};

class Ownership {
public:
    static constexpr uint64_t kPage = 4096;

    // Host memory [base, base + size), all host-owned.
    Ownership(uint64_t base, uint64_t size);

    void donate(uint64_t pa, uint64_t size, bool to_guest);  // HostOwned -> Donated*
    void reclaim(uint64_t pa, uint64_t size);                 // Donated* -> HostOwned
    void share(uint64_t pa, uint64_t size);                   // HostOwned -> SharedWithHyp
    void unshare(uint64_t pa, uint64_t size);                 // SharedWithHyp -> HostOwned

    PageState at(uint64_t pa) const;
    bool host_may_access(PageState s) const { return s == PageState::HostOwned || s == PageState::SharedWithHyp; }
    // The ranges devices of the host may reach (owned or shared), merged, in address order.
    std::vector<Range> host_accessible() const;
    uint64_t bytes_in(PageState s) const;
    const Range& memory() const { return mem_; }

private:
    // Checks that all of [pa, pa + size) is in `from` (and page aligned, inside memory), then
    // sets it to `to`.
    void transition(uint64_t pa, uint64_t size, PageState from, PageState to, const char* what);
    void check_in_state(uint64_t pa, uint64_t size, const std::function<bool(PageState)>& ok, const char* want,
                        const char* what) const;
    void set(uint64_t pa, uint64_t size, PageState s);

    Range mem_;
    std::map<uint64_t, PageState> runs_;  // start of each run of equal state -> state
};

}  // namespace smmusim::sw::hyp
