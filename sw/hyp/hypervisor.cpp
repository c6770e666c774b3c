#include "sw/hyp/hypervisor.h"

#include "sw/hal/hex.h"

namespace smmusim::sw::hyp {

using hal::hex;

Hypervisor::Hypervisor(hal::Bus& bus, driver::SmmuDriver& drv, Ownership& owners, hal::PageAllocator& host_mem,
                       const HypConfig& cfg, HypObserver& obs)
    : bus_(bus), drv_(drv), owners_(owners), host_mem_(host_mem), cfg_(cfg), obs_(obs) {}

void Hypervisor::init(const std::vector<uint32_t>& host_sids) {
    // The shadow and the host devices' STEs are in place before SMMUEN=1: until then host
    // DMA takes the global bypass, identical to the shadow.
    drv_.probe_and_reset(false);
    if (!drv_.caps().s2) throw driver::DriverError("the hypervisor needs an SMMU with stage 2 (smmu.s2p)");
    const uint64_t top = owners_.memory().end() - 1;
    if (cfg_.shadow.ias < 64 && (top >> cfg_.shadow.ias))
        throw driver::DriverError("sw.hyp.ias " + std::to_string(cfg_.shadow.ias) + " bits cannot reach host memory up to " +
                                  hex(top));
    shadow_ = std::make_unique<ShadowS2>(drv_, cfg_.shadow);
    // pKVM builds the identity map at its own initialisation, before the host runs: outside
    // the measured run (a 4 KiB-page map of host memory is millions of descriptors).
    bus_.set_untimed(true);
    try {
        shadow_->build(owners_.host_accessible());
    } catch (...) {
        bus_.set_untimed(false);
        throw;
    }
    bus_.set_untimed(false);
    host_sids_ = host_sids;
    for (uint32_t sid : host_sids) {
        drv_.add_master(sid, false);
        drv_.attach(sid, std::nullopt, shadow_->domain());
    }
    drv_.enable();
}

template <typename F>
void Hypervisor::hypercall(HypObserver::Op op, uint64_t bytes, F&& body) {
    const uint64_t start = bus_.now(), cmds = drv_.cmdq().commands(), syncs = drv_.cmdq().syncs();
    bus_.work(cfg_.hvc_cycles);
    body();
    obs_.hypercall(op, bytes, bus_.now() - start, drv_.cmdq().commands() - cmds, drv_.cmdq().syncs() - syncs);
}

void Hypervisor::donate(uint64_t pa, uint64_t size, bool to_guest) {
    hypercall(HypObserver::Op::Donate, size, [&] {
        owners_.donate(pa, size, to_guest);
        // The host CPU loses the pages first (its stage 2, TLBI, DSB), then its devices.
        bus_.work(cfg_.cpu_s2_page_cycles * (size / Ownership::kPage) + cfg_.cpu_dsb_cycles);
        shadow_->unmap({pa, size});
    });
}

void Hypervisor::reclaim(uint64_t pa, uint64_t size) {
    hypercall(HypObserver::Op::Reclaim, size, [&] {
        owners_.reclaim(pa, size);
        // Invalid -> valid needs no invalidation: faults are not cached (§9.2).
        shadow_->map({pa, size});
    });
}

void Hypervisor::share(uint64_t pa, uint64_t size) {
    // A shared page stays the host's: the shadow does not change.
    hypercall(HypObserver::Op::Share, size, [&] { owners_.share(pa, size); });
}

void Hypervisor::unshare(uint64_t pa, uint64_t size) {
    hypercall(HypObserver::Op::Unshare, size, [&] { owners_.unshare(pa, size); });
}

void Hypervisor::check_host_pages(uint64_t pa, uint64_t size, const char* what) const {
    const uint64_t page = Ownership::kPage;
    for (uint64_t a = pa & ~(page - 1); a < pa + size; a += page) {
        if (a < owners_.memory().base || a >= owners_.memory().end())
            throw driver::DriverError(std::string(what) + ": " + hex(a) + " is not host memory");
        const PageState s = owners_.at(a);
        if (!owners_.host_may_access(s))
            throw driver::DriverError(std::string(what) + ": page " + hex(a) + " is " + state_name(s));
    }
}

uint64_t Hypervisor::shadow_table_bytes() const {
    return shadow_ && shadow_->built() ? shadow_->domain().table().table_bytes() : 0;
}

}  // namespace smmusim::sw::hyp
