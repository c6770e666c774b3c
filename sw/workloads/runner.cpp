#include "sw/workloads/runner.h"

#include <map>
#include <set>
#include <vector>

#include "sw/hal/hex.h"

namespace smmusim::sw::workloads {

using hal::hex;

namespace {

void map_step(const Step& s, const Scenario& sc, Env& env) {
    driver::Domain& d = *env.iommu.find_domain(s.domain);
    const pgtable::Result r = env.iommu.map(d, s.iova, s.pa, s.size, s.prot);
    if (!r.ok())
        throw ScenarioError(s.where(sc.file) + ": cannot map " + hex(s.size) + " bytes at " + hex(s.iova) + " -> " +
                            hex(s.pa) + " in '" + s.domain + "': " + pgtable::error_name(r.error));
}

void unmap_step(const Step& s, const Scenario& sc, Env& env) {
    driver::Domain& d = *env.iommu.find_domain(s.domain);
    // Said for what it is, not as "nothing is mapped" (issue 19).
    if (s.size == 0) throw ScenarioError(s.where(sc.file) + ": size 0: nothing to unmap");
    const uint64_t granule = uint64_t(1) << d.spec().granule_shift;
    if ((s.iova | s.size) & (granule - 1))
        throw ScenarioError(s.where(sc.file) + ": iova " + hex(s.iova) + " and size " + hex(s.size) +
                            " must be multiples of the granule of '" + s.domain + "' (" + hex(granule) + ")");
    const pgtable::Result r = env.iommu.unmap(d, s.iova, s.size);
    if (r.bytes == 0)
        throw ScenarioError(s.where(sc.file) + ": nothing is mapped at " + hex(s.iova) + " in '" + s.domain + "'");
    if (r.bytes != s.size)
        throw ScenarioError(s.where(sc.file) + ": unmapped " + hex(r.bytes) + " of " + hex(s.size) + " bytes at " +
                            hex(s.iova) + " in '" + s.domain + "' (" + pgtable::error_name(r.error) + ")");
}

}  // namespace

void check_scenario(const Scenario& sc, const hal::DmaEngines& dma) {
    for (const Step& s : sc.steps)
        if (s.op == Step::Op::Dma && !s.dma.dev.empty() && !dma.has_device(s.dma.dev))
            throw ScenarioError(s.where(sc.file) + ": no device '" + s.dma.dev + "'");
}

std::vector<std::string> scenario_warnings(const Scenario& sc, uint64_t dram_base, uint64_t dram_size,
                                           const std::vector<uint32_t>& known_sids) {
    std::vector<std::string> w;
    std::set<uint32_t> sids(known_sids.begin(), known_sids.end());
    for (const AttachSpec& a : sc.attach) sids.insert(a.sid);
    std::map<std::string, driver::DomainKind> kinds;
    for (const driver::DomainSpec& d : sc.domains) kinds[d.name] = d.kind;
    const uint64_t dram_end = dram_base + dram_size;
    for (const Step& s : sc.steps) {
        if (s.op == Step::Op::Dma && !sids.count(s.dma.sid))
            w.push_back(s.where(sc.file) + ": StreamID " + std::to_string(s.dma.sid) +
                        " is attached to no domain: the SMMU aborts its transactions");
        if (s.op == Step::Op::Map) {
            auto k = kinds.find(s.domain);
            // A nested domain's output is an IPA, translated again by its parent.
            const bool outputs_pa = k != kinds.end() && (k->second == driver::DomainKind::S1 ||
                                                         k->second == driver::DomainKind::S2 ||
                                                         k->second == driver::DomainKind::Sva);
            if (outputs_pa && (s.pa < dram_base || s.pa > dram_end || s.size > dram_end - s.pa))
                w.push_back(s.where(sc.file) + ": pa range [" + hex(s.pa) + ", +" + hex(s.size) +
                            ") is outside DRAM [" + hex(dram_base) + ", " + hex(dram_end) +
                            "): DMA there ends with a bus error");
        }
    }
    return w;
}

void run_scenario(const Scenario& sc, Env& env) {
    // Each attachment's SMMU instance, and each domain's ("smmu" keys; docs/scenarios.md).
    std::vector<size_t> attach_on(sc.attach.size()), domain_on(sc.domains.size());
    try {
        for (size_t i = 0; i < sc.domains.size(); ++i) domain_on[i] = env.iommu.instance(sc.domain_smmus[i]);
    } catch (const driver::DriverError& e) {
        throw ScenarioError(sc.file + ": domains: " + e.what());
    }
    for (size_t i = 0; i < sc.attach.size(); ++i) {
        const AttachSpec& a = sc.attach[i];
        try {
            attach_on[i] = env.iommu.instance(sc.attach_smmu(a));
            env.iommu.add_master_on(attach_on[i], a.sid, sc.uses_ssids(a.sid, sc.attach_smmu(a)));
        } catch (const driver::DriverError& e) {
            throw ScenarioError(sc.file + ": attach[" + std::to_string(i) + "]: " + e.what());
        }
    }
    for (size_t i = 0; i < sc.domains.size(); ++i) {
        try {
            env.iommu.create_domain_on(domain_on[i], sc.domains[i]);
        } catch (const driver::DriverError& e) {
            throw ScenarioError(sc.file + ": domains[" + std::to_string(i) + "]: " + e.what());
        } catch (const hal::OutOfMemory& e) {
            throw ScenarioError(sc.file + ": domains[" + std::to_string(i) + "]: " + e.what());
        }
    }
    for (size_t i = 0; i < sc.attach.size(); ++i) {
        const AttachSpec& a = sc.attach[i];
        const std::string where = sc.file + ": attach[" + std::to_string(i) + "]: ";
        driver::Domain& d = *env.iommu.find_domain(a.domain);
        // A domain attached to a StreamID of another instance is shared with it (inv_array.h).
        try {
            env.iommu.attach_on(attach_on[i], a.sid, a.ssid, d);
        } catch (const driver::DriverError& e) {
            throw ScenarioError(where + e.what());
        }
    }
    std::vector<uint64_t> async;
    for (const Step& s : sc.steps) {
        try {
            switch (s.op) {
            case Step::Op::Map: map_step(s, sc, env); break;
            case Step::Op::Unmap: unmap_step(s, sc, env); break;
            case Step::Op::Dma: {
                hal::DmaRequest r = s.dma;
                if (r.dev.empty()) r.dev = env.dma.default_device();
                const uint64_t h = env.dma.start(r);
                if (s.async) async.push_back(h);
                else env.wait(h);
                break;
            }
            case Step::Op::Wait:
                for (uint64_t h : async) env.wait(h);
                async.clear();
                break;
            case Step::Op::Command: {
                smmu::arch::Command c;
                c.dw = {s.raw[0], s.raw[1]};
                env.iommu.issue_raw_on(env.iommu.instance(s.smmu), c, s.sync);
                break;
            }
            case Step::Op::Tlbi:
                // A CPU's TLBI ...IS, and the DSB ISH after it (Linux: __tlbi(); dsb(ish)).
                env.bus.tlbi(s.tlbi);
                if (s.sync) env.bus.barrier();
                break;
            case Step::Op::Donate: env.iommu.donate(s.pa, s.size, s.to); break;
            case Step::Op::Reclaim: env.iommu.reclaim(s.pa, s.size); break;
            case Step::Op::Share: env.iommu.share(s.pa, s.size); break;
            case Step::Op::Unshare: env.iommu.unshare(s.pa, s.size); break;
            }
        } catch (const driver::DriverError& e) {
            throw ScenarioError(s.where(sc.file) + ": " + e.what());
        } catch (const std::invalid_argument& e) {
            throw ScenarioError(s.where(sc.file) + ": " + e.what());
        } catch (const hal::OutOfMemory& e) {
            throw ScenarioError(s.where(sc.file) + ": " + e.what());
        }
    }
    for (uint64_t h : async) env.wait(h);
}

}  // namespace smmusim::sw::workloads
