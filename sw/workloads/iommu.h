#pragma once
// What a workload asks of the IOMMU software: devices, domains, attachments, map and unmap,
// and (under a hypervisor) changes of memory ownership. On a plain platform the SMMU driver
// does it all (LinuxIommu); under pKVM the host asks the hypervisor, which validates and owns
// stage 2 (sw/hyp). Requests that make no sense throw driver::DriverError.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "models/smmu/arch/commands.h"
#include "sw/driver/smmu_driver.h"

namespace smmusim::sw::workloads {

class Iommu {
public:
    virtual ~Iommu() = default;

    virtual void add_master(uint32_t sid, bool uses_ssids) = 0;
    virtual driver::Domain& create_domain(const driver::DomainSpec& spec) = 0;
    virtual driver::Domain* find_domain(const std::string& name) = 0;
    virtual void attach(uint32_t sid, std::optional<uint32_t> ssid, driver::Domain& d) = 0;
    virtual pgtable::Result map(driver::Domain& d, uint64_t iova, uint64_t pa, uint64_t size,
                                const pgtable::Prot& prot) = 0;
    virtual pgtable::Result unmap(driver::Domain& d, uint64_t iova, uint64_t size) = 0;
    virtual void on_iova_free(std::function<void(driver::Domain&, uint64_t, uint64_t)> f) = 0;
    // Deferred work (lazy flush queues): run what is due; the cycle of the next (0: none).
    virtual void run_timers() = 0;
    virtual uint64_t next_timer() const = 0;
    virtual void flush_pending() = 0;
    // Two raw dwords onto the command queue (error-injection studies).
    virtual void issue_raw(const smmu::arch::Command& c, bool sync) = 0;

    // Memory ownership (pKVM): the host gives pages to the hypervisor or a guest, takes them
    // back, shares them with the hypervisor or stops sharing. Without a hypervisor: DriverError.
    enum class Owner { Hyp, Guest };
    virtual void donate(uint64_t pa, uint64_t size, Owner to);
    virtual void reclaim(uint64_t pa, uint64_t size);
    virtual void share(uint64_t pa, uint64_t size);
    virtual void unshare(uint64_t pa, uint64_t size);
};

// The plain platform: the driver itself.
class LinuxIommu : public Iommu {
public:
    explicit LinuxIommu(driver::SmmuDriver& d) : d_(d) {}

    void add_master(uint32_t sid, bool uses_ssids) override { d_.add_master(sid, uses_ssids); }
    driver::Domain& create_domain(const driver::DomainSpec& spec) override { return d_.create_domain(spec); }
    driver::Domain* find_domain(const std::string& name) override { return d_.find_domain(name); }
    void attach(uint32_t sid, std::optional<uint32_t> ssid, driver::Domain& d) override { d_.attach(sid, ssid, d); }
    pgtable::Result map(driver::Domain& d, uint64_t iova, uint64_t pa, uint64_t size,
                        const pgtable::Prot& prot) override {
        return d_.map(d, iova, pa, size, prot);
    }
    pgtable::Result unmap(driver::Domain& d, uint64_t iova, uint64_t size) override {
        return d_.unmap(d, iova, size);
    }
    void on_iova_free(std::function<void(driver::Domain&, uint64_t, uint64_t)> f) override {
        d_.on_iova_free(std::move(f));
    }
    void run_timers() override { d_.run_timers(); }
    uint64_t next_timer() const override { return d_.next_timer(); }
    void flush_pending() override { d_.flush_queues(); }
    void issue_raw(const smmu::arch::Command& c, bool sync) override { d_.cmdq().issue(c, sync); }

private:
    driver::SmmuDriver& d_;
};

}  // namespace smmusim::sw::workloads
