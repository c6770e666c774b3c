#include "sw/workloads/iommu.h"

namespace smmusim::sw::workloads {

namespace {
[[noreturn]] void no_hypervisor(const char* what) {
    throw driver::DriverError(std::string(what) + " needs a hypervisor that owns memory (the pkvm platform)");
}
}  // namespace

size_t Iommu::instance(const std::string& smmu) const {
    if (smmu.empty()) return 0;
    const std::vector<std::string> names = instance_names();
    for (size_t i = 0; i < names.size(); ++i)
        if (names[i] == smmu) return i;
    std::string known;
    for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
    throw driver::DriverError("no SMMU instance '" + smmu + "' here" +
                              (known.empty() ? std::string(" (the platform has one)") : " (the platform has " + known + ")"));
}

size_t LinuxIommu::instance_of(const driver::Domain& d) const {
    auto it = domains_.find(&d);
    return it == domains_.end() ? 0 : it->second;
}

driver::Domain& LinuxIommu::create_domain_on(size_t smmu, const driver::DomainSpec& spec) {
    if (smmu >= in_.size()) throw driver::DriverError("no SMMU instance " + std::to_string(smmu));
    // Names are the software's, across instances (scenarios name domains).
    for (size_t i = 0; i < in_.size(); ++i)
        if (i != smmu && in_[i].driver->find_domain(spec.name))
            throw driver::DriverError("domain '" + spec.name + "' exists already (on " + in_[i].name + ")");
    driver::Domain& d = drv(smmu).create_domain(spec);
    if (smmu != 0) domains_[&d] = smmu;
    return d;
}

driver::Domain* LinuxIommu::find_domain(const std::string& name) {
    for (const Instance& i : in_)
        if (driver::Domain* d = i.driver->find_domain(name)) return d;
    return nullptr;
}

uint64_t LinuxIommu::next_timer() const {
    uint64_t next = 0;
    for (const Instance& i : in_) {
        const uint64_t t = i.driver->next_timer();
        if (t && (!next || t < next)) next = t;
    }
    return next;
}

std::vector<std::string> LinuxIommu::instance_names() const {
    std::vector<std::string> v;
    for (const Instance& i : in_) v.push_back(i.name);
    return v;
}

void Iommu::donate(uint64_t, uint64_t, Owner) { no_hypervisor("donate"); }
void Iommu::reclaim(uint64_t, uint64_t) { no_hypervisor("reclaim"); }
void Iommu::share(uint64_t, uint64_t) { no_hypervisor("share"); }
void Iommu::unshare(uint64_t, uint64_t) { no_hypervisor("unshare"); }

}  // namespace smmusim::sw::workloads
