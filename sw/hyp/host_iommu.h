#pragma once
// The host's IOMMU under pKVM (the posted SMMUv3 series): the host runs its own SMMU driver,
// whose register accesses trap into the hypervisor (TrappedBus, SmmuEmulation); its tables,
// CDs and queue are in host memory. It sees an SMMU with stage 1 only, so it creates stage-1
// domains, which the hypervisor nests on the shadow stage 2 when it shadows their STEs. Host
// devices without a domain of the host's are in bypass (Linux iommu.passthrough): the shadow
// alone, IOVA == PA. The host does not map pages it does not own (its own bookkeeping; its
// devices could not reach them anyway). Memory ownership changes are hypercalls.

#include <string>
#include <vector>

#include "sw/hyp/hypervisor.h"
#include "sw/workloads/iommu.h"

namespace smmusim::sw::hyp {

class HostIommu : public workloads::Iommu {
public:
    static constexpr const char* kIdentity = "host_identity";

    HostIommu(Hypervisor& h, driver::SmmuDriver& host) : h_(h), d_(host) {}

    // The host kernel's boot: its driver probes the (emulated) SMMU, puts its devices in
    // bypass, then enables it.
    void boot(const std::vector<uint32_t>& sids) {
        d_.probe_and_reset(false);
        driver::DomainSpec id;
        id.name = kIdentity;
        id.kind = driver::DomainKind::Bypass;
        driver::Domain& bypass = d_.create_domain(id);
        for (uint32_t sid : sids) {
            d_.add_master(sid, false);
            d_.attach(sid, std::nullopt, bypass);
        }
        d_.enable();
    }

    // One SMMU instance (the hypervisor shadows one): instance() accepts only the first.
    void add_master_on(size_t, uint32_t sid, bool uses_ssids) override { d_.add_master(sid, uses_ssids); }
    driver::Domain& create_domain_on(size_t, const driver::DomainSpec& spec) override {
        if (spec.kind != driver::DomainKind::S1)
            throw driver::DriverError("domain '" + spec.name + "': the host may only create s1 domains (the "
                                      "hypervisor owns stage 2)");
        return d_.create_domain(spec);
    }
    driver::Domain* find_domain(const std::string& name) override { return d_.find_domain(name); }
    void attach(uint32_t sid, std::optional<uint32_t> ssid, driver::Domain& d) override { d_.attach(sid, ssid, d); }
    pgtable::Result map(driver::Domain& d, uint64_t iova, uint64_t pa, uint64_t size,
                        const pgtable::Prot& prot) override {
        h_.check_host_pages(pa, size, "map");
        return d_.map(d, iova, pa, size, prot);
    }
    pgtable::Result unmap(driver::Domain& d, uint64_t iova, uint64_t size) override { return d_.unmap(d, iova, size); }
    void on_iova_free(std::function<void(driver::Domain&, uint64_t, uint64_t)> f) override {
        d_.on_iova_free(std::move(f));
    }
    void run_timers() override { d_.run_timers(); }
    uint64_t next_timer() const override { return d_.next_timer(); }
    void flush_pending() override { d_.flush_queues(); }
    // Through the host's queue: trapped and filtered like the driver's own commands.
    void issue_raw_on(size_t, const smmu::arch::Command& c, bool sync) override { d_.cmdq().issue(c, sync); }

    void donate(uint64_t pa, uint64_t size, Owner to) override { h_.donate(pa, size, to == Owner::Guest); }
    void reclaim(uint64_t pa, uint64_t size) override { h_.reclaim(pa, size); }
    void share(uint64_t pa, uint64_t size) override { h_.share(pa, size); }
    void unshare(uint64_t pa, uint64_t size) override { h_.unshare(pa, size); }

    driver::SmmuDriver& driver() { return d_; }

private:
    Hypervisor& h_;
    driver::SmmuDriver& d_;
};

}  // namespace smmusim::sw::hyp
