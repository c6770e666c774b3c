#pragma once
// What a workload asks of the IOMMU software: devices, domains, attachments, map and unmap,
// and (under a hypervisor) changes of memory ownership. On a plain platform the SMMU driver
// does it all (LinuxIommu); under pKVM the host asks the hypervisor, which validates and owns
// stage 2 (sw/hyp). Requests that make no sense throw driver::DriverError.
//
// A platform may have several SMMU instances (docs/topology.md), each with its own driver:
// StreamIDs are per instance. A domain is created by one instance's driver (its home) and may
// be attached to StreamIDs of others (attach_on): each joins the domain's invalidation array
// (sw/driver/inv_array.h), as Linux's domains shared across instances. The calls without an
// instance act on the first.

#include <cstdint>
#include <functional>
#include <optional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "models/smmu/arch/commands.h"
#include "sw/driver/smmu_driver.h"

namespace smmusim::sw::workloads {

class Iommu {
public:
    virtual ~Iommu() = default;

    // The instance named `smmu` (a topology's SMMU name; "" is the first): DriverError naming
    // the instances there are when there is none of that name.
    size_t instance(const std::string& smmu) const;
    // The instance a domain lives on.
    virtual size_t instance_of(const driver::Domain&) const { return 0; }

    virtual void add_master_on(size_t smmu, uint32_t sid, bool uses_ssids) = 0;
    virtual driver::Domain& create_domain_on(size_t smmu, const driver::DomainSpec& spec) = 0;
    void add_master(uint32_t sid, bool uses_ssids) { add_master_on(0, sid, uses_ssids); }
    driver::Domain& create_domain(const driver::DomainSpec& spec) { return create_domain_on(0, spec); }
    virtual driver::Domain* find_domain(const std::string& name) = 0;
    // Attaches StreamID `sid` of the domain's instance.
    virtual void attach(uint32_t sid, std::optional<uint32_t> ssid, driver::Domain& d) = 0;
    // Attaches StreamID `sid` of instance `smmu` (the domain's, or another: the domain is
    // then shared). Without several instances: attach.
    virtual void attach_on(size_t smmu, uint32_t sid, std::optional<uint32_t> ssid, driver::Domain& d) {
        if (smmu != instance_of(d)) throw driver::DriverError("this platform's domains serve one SMMU instance");
        attach(sid, ssid, d);
    }
    virtual pgtable::Result map(driver::Domain& d, uint64_t iova, uint64_t pa, uint64_t size,
                                const pgtable::Prot& prot) = 0;
    virtual pgtable::Result unmap(driver::Domain& d, uint64_t iova, uint64_t size) = 0;
    virtual void on_iova_free(std::function<void(driver::Domain&, uint64_t, uint64_t)> f) = 0;
    // Deferred work (lazy flush queues): run what is due; the cycle of the next (0: none).
    virtual void run_timers() = 0;
    virtual uint64_t next_timer() const = 0;
    virtual void flush_pending() = 0;
    // Two raw dwords onto an instance's command queue (error-injection studies).
    virtual void issue_raw_on(size_t smmu, const smmu::arch::Command& c, bool sync) = 0;
    void issue_raw(const smmu::arch::Command& c, bool sync) { issue_raw_on(0, c, sync); }

    // Memory ownership (pKVM): the host gives pages to the hypervisor or a guest, takes them
    // back, shares them with the hypervisor or stops sharing. Without a hypervisor: DriverError.
    enum class Owner { Hyp, Guest };
    virtual void donate(uint64_t pa, uint64_t size, Owner to);
    virtual void reclaim(uint64_t pa, uint64_t size);
    virtual void share(uint64_t pa, uint64_t size);
    virtual void unshare(uint64_t pa, uint64_t size);

protected:
    // The instances' names, in order (empty: one instance, which only "" names).
    virtual std::vector<std::string> instance_names() const { return {}; }
};

// The plain platform: the drivers themselves, one per SMMU instance.
class LinuxIommu : public Iommu {
public:
    struct Instance {
        std::string name;
        driver::SmmuDriver* driver;
    };
    explicit LinuxIommu(driver::SmmuDriver& d) : LinuxIommu(std::vector<Instance>{{"", &d}}) {}
    explicit LinuxIommu(std::vector<Instance> instances) : in_(std::move(instances)) {}

    size_t instance_of(const driver::Domain& d) const override;
    void add_master_on(size_t smmu, uint32_t sid, bool uses_ssids) override {
        drv(smmu).add_master(sid, uses_ssids, ats_.count({smmu, sid}) > 0);
    }
    // The platform: StreamID `sid` of instance `smmu` is a device with a PCIe ATS capability
    // (what Linux learns from the device's config space, pci_ats_supported).
    void set_ats_capable(size_t smmu, uint32_t sid) { ats_.insert({smmu, sid}); }
    driver::Domain& create_domain_on(size_t smmu, const driver::DomainSpec& spec) override;
    driver::Domain* find_domain(const std::string& name) override;
    void attach(uint32_t sid, std::optional<uint32_t> ssid, driver::Domain& d) override {
        drv(instance_of(d)).attach(sid, ssid, d);
    }
    void attach_on(size_t smmu, uint32_t sid, std::optional<uint32_t> ssid, driver::Domain& d) override {
        drv(smmu).attach(sid, ssid, d);
    }
    pgtable::Result map(driver::Domain& d, uint64_t iova, uint64_t pa, uint64_t size,
                        const pgtable::Prot& prot) override {
        return drv(instance_of(d)).map(d, iova, pa, size, prot);
    }
    pgtable::Result unmap(driver::Domain& d, uint64_t iova, uint64_t size) override {
        return drv(instance_of(d)).unmap(d, iova, size);
    }
    void on_iova_free(std::function<void(driver::Domain&, uint64_t, uint64_t)> f) override {
        for (const Instance& i : in_) i.driver->on_iova_free(f);
    }
    void run_timers() override {
        for (const Instance& i : in_) i.driver->run_timers();
    }
    uint64_t next_timer() const override;
    void flush_pending() override {
        for (const Instance& i : in_) i.driver->flush_queues();
    }
    void issue_raw_on(size_t smmu, const smmu::arch::Command& c, bool sync) override {
        drv(smmu).cmdq().issue(c, sync);
    }

protected:
    std::vector<std::string> instance_names() const override;

private:
    driver::SmmuDriver& drv(size_t i) const { return *in_.at(i).driver; }
    std::vector<Instance> in_;
    std::map<const driver::Domain*, size_t> domains_;  // on instances other than the first
    std::set<std::pair<size_t, uint32_t>> ats_;          // ATS-capable (instance, StreamID)
};

}  // namespace smmusim::sw::workloads
