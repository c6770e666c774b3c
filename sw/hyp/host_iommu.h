#pragma once
// The host's IOMMU under pKVM: what a workload asks goes to the hypervisor, which validates it
// (no domain but stage 1, nested on the shadow; no mapping of pages the host does not own;
// memory ownership changes as hypercalls).

#include "sw/hyp/hypervisor.h"
#include "sw/workloads/iommu.h"

namespace smmusim::sw::hyp {

class HostIommu : public workloads::Iommu {
public:
    explicit HostIommu(Hypervisor& h) : h_(h) {}

    void add_master(uint32_t sid, bool uses_ssids) override { h_.driver().add_master(sid, uses_ssids); }
    driver::Domain& create_domain(const driver::DomainSpec& spec) override { return h_.host_domain(spec); }
    driver::Domain* find_domain(const std::string& name) override {
        driver::Domain* d = h_.driver().find_domain(name);
        return d && d->name() != ShadowS2::kDomain ? d : nullptr;
    }
    void attach(uint32_t sid, std::optional<uint32_t> ssid, driver::Domain& d) override { h_.host_attach(sid, ssid, d); }
    pgtable::Result map(driver::Domain& d, uint64_t iova, uint64_t pa, uint64_t size,
                        const pgtable::Prot& prot) override {
        h_.check_host_pages(pa, size, "map");
        return h_.driver().map(d, iova, pa, size, prot);
    }
    pgtable::Result unmap(driver::Domain& d, uint64_t iova, uint64_t size) override {
        return h_.driver().unmap(d, iova, size);
    }
    void on_iova_free(std::function<void(driver::Domain&, uint64_t, uint64_t)> f) override {
        h_.driver().on_iova_free(std::move(f));
    }
    void run_timers() override { h_.driver().run_timers(); }
    uint64_t next_timer() const override { return h_.driver().next_timer(); }
    void flush_pending() override { h_.driver().flush_queues(); }
    void issue_raw(const smmu::arch::Command& c, bool sync) override { h_.driver().cmdq().issue(c, sync); }

    void donate(uint64_t pa, uint64_t size, Owner to) override { h_.donate(pa, size, to == Owner::Guest); }
    void reclaim(uint64_t pa, uint64_t size) override { h_.reclaim(pa, size); }
    void share(uint64_t pa, uint64_t size) override { h_.share(pa, size); }
    void unshare(uint64_t pa, uint64_t size) override { h_.unshare(pa, size); }

private:
    Hypervisor& h_;
};

}  // namespace smmusim::sw::hyp
