// Devices and attach: the STE and CDs a device's attachments call for, written with the
// hitless entry writer (reference §9.2) and Linux's STE/CD templates (reference §2.3).

#include "models/smmu/arch/atc_inv.h"
#include "models/smmu/arch/cd.h"
#include "models/smmu/arch/command_builders.h"
#include "models/smmu/arch/ste.h"
#include "sw/driver/smmu_driver.h"

namespace smmusim::sw::driver {

using namespace smmu::arch;

namespace {

bool uses_cd(const Domain* d) {
    return d && (d->kind() == DomainKind::S1 || d->kind() == DomainKind::Nested || d->kind() == DomainKind::Sva);
}
bool translates(const Domain* d) { return uses_cd(d) || (d && d->kind() == DomainKind::S2); }

// The stage-2 half of an STE from a stage-2 domain (VTCR fields from its table's geometry).
// Table walks are cacheable and inner shareable when the SMMU is coherent, else
// non-cacheable and outer shareable (Linux: IRGN/ORGN/SH from coherent_walk).
void set_s2(Ste& s, const Domain& d, bool coherent, unsigned instance) {
    const pgtable::Geometry& g = d.table().geometry();
    s.set<Ste::S2VMID>(d.vmid_on(instance));
    s.set<Ste::S2T0SZ>(g.tsz);
    s.set<Ste::S2SL0>(g.sl0);
    s.set<Ste::S2IR0>(coherent ? 1 : 0);
    s.set<Ste::S2OR0>(coherent ? 1 : 0);
    s.set<Ste::S2SH0>(coherent ? 3 : 2);
    s.set<Ste::S2TG>(g.tg);
    s.set<Ste::S2PS>(g.ps);
    s.set<Ste::S2AA64>(1);
    s.set<Ste::S2PTW>(1);
    s.set<Ste::S2R>(1);
    s.set_address<Ste::S2TTB>(d.table().root());
}

}  // namespace

SmmuDriver::Master& SmmuDriver::master(uint32_t sid) {
    auto it = masters_.find(sid);
    if (it == masters_.end()) throw DriverError("StreamID " + std::to_string(sid) + " has no device (add_master)");
    return it->second;
}

void SmmuDriver::add_master(uint32_t sid, bool uses_ssids, bool ats) {
    if (!strtab_) throw DriverError("add_master before probe_and_reset");
    if (masters_.count(sid)) return;
    if (!strtab_->add_stream(sid))
        throw DriverError("StreamID " + std::to_string(sid) + " is beyond the SMMU's " +
                          std::to_string(caps_.sid_bits) + " StreamID bits");
    Master m;
    m.sid = sid;
    // Without 2-level CD tables Linux caps the linear table at 1024 CDs (CTXDESC_LINEAR_CDMAX).
    const unsigned max_bits = caps_.cd2l ? caps_.ssid_bits : std::min(caps_.ssid_bits, 10u);
    m.ssid_bits = uses_ssids ? std::min(cfg_.ssid_bits, max_bits) : 0;
    m.ats = ats && caps_.ats && cfg_.ats;
    masters_.emplace(sid, std::move(m));
}

void SmmuDriver::attach(uint32_t sid, std::optional<uint32_t> ssid, Domain& d) {
    Master& m = master(sid);
    if (ssid && *ssid == 0) ssid.reset();  // SSID 0 is the CD requests without SubstreamID use (S1DSS=SSID0)
    const std::string what = "attach of StreamID " + std::to_string(sid) + " to '" + d.name() + "'";
    // iommu_attach_device_pasid: an SVA domain serves a PASID, never the requests without one.
    if (!ssid && d.kind() == DomainKind::Sva) throw DriverError(what + ": an SVA domain attaches to a PASID (ssid)");
    if (ssid) {
        if (!uses_cd(&d)) throw DriverError(what + ": only stage-1, nested and SVA domains attach to a SubstreamID");
        if (!m.ssid_bits || (*ssid >> m.ssid_bits))
            throw DriverError(what + ": SubstreamID " + std::to_string(*ssid) + " beyond the device's " +
                              std::to_string(m.ssid_bits) + " SubstreamID bits");
    }
    // One STE: its CD-based attachments share one stage-2 configuration (or none).
    auto compatible = [&](const Domain* o) {
        if (!uses_cd(o) || !uses_cd(&d)) return true;
        return o->parent() == d.parent();
    };
    // SubstreamIDs live in a CD table, so the requests without one can use a CD (stage 1 or
    // nested), bypass (S1DSS=BYPASS) or abort (S1DSS=TERMINATE), but not a stage-2 domain
    // (Linux refuses a PASID attach unless the RID domain is identity, blocked or a CD table).
    if (!ssid && d.kind() == DomainKind::S2 && !m.ssids.empty())
        throw DriverError(what + ": the device has SubstreamID attachments; a stage-2 domain cannot serve its "
                                 "requests without SubstreamID beside them");
    if (ssid && m.rid && m.rid->kind() == DomainKind::S2)
        throw DriverError(what + ": the device's requests without SubstreamID use stage-2 domain '" +
                          m.rid->name() + "'; SubstreamIDs need a stage-1, nested, bypass or abort domain there");
    // (The attachment being replaced does not count.)
    if (ssid && !compatible(m.rid))
        throw DriverError(what + ": mixes stage-1 and nested (or two parents) on one device");
    for (auto& [s, o] : m.ssids)
        if ((!ssid || s != *ssid) && !compatible(o))
            throw DriverError(what + ": mixes stage-1 and nested (or two parents) on one device");

    // Another instance's domain: this instance joins its invalidation array (one more user of
    // its entries) before the STE or CD names it, and a domain replaced here leaves it after.
    auto at = ssid ? m.ssids.find(*ssid) : m.ssids.end();
    Domain* const current = ssid ? (at == m.ssids.end() ? nullptr : at->second) : m.rid;
    if (current != &d && !owns(d)) join_domain(d, what);  // a re-attach changes no array
    Domain* const replaced = current == &d ? nullptr : current;
    Domain*& slot = ssid ? m.ssids[*ssid] : m.rid;
    if (Domain* old = slot) {
        auto& v = old->streams();
        for (auto it = v.begin(); it != v.end(); ++it)
            if (it->first == sid && it->second == ssid) {
                v.erase(it);
                break;
            }
        old->remove_ats(*inv_, sid, ssid);
        if (old->parent()) old->parent()->remove_ats(*inv_, sid, ssid, true);
    }
    slot = &d;
    d.streams().emplace_back(sid, ssid);
    // ATS only under a translating domain for the requests without PASID (Linux disables it
    // for identity and blocked domains): the domain's invalidations then reach the ATC.
    if (m.ats && translates(&d) && translates(m.rid)) {
        d.add_ats(*inv_, sid, ssid);
        if (d.parent()) d.parent()->add_ats(*inv_, sid, ssid, true);
    }
    if (uses_cd(&d)) {
        // A nested device's CDs are read through its stage 2: the table must be in memory the
        // parent maps, so it cannot move between a stage-1 and a nested domain.
        hal::PageAllocator* alloc = d.parent() ? d.parent()->guest_memory() : &mem_;
        if (m.cds && m.cd_memory != alloc)
            throw DriverError(what + ": the device's CD table is in " +
                              (d.parent() ? std::string("memory the parent does not map")
                                          : std::string("its former parent's memory")) +
                              " (detach is not supported: use another device)");
        if (!m.cds) {
            m.cds = std::make_unique<CdTable>(bus_, *alloc, m.ssid_bits, caps_.cd2l);
            m.cd_memory = alloc;
        }
        write_cd(m, ssid.value_or(0), make_cd(d));  // the CD before the STE that points at it
    }
    // Linux arm_smmu_attach_prepare / _commit: ATS is on in the device while its requests
    // without PASID have a translating domain. Switched off, the device stops first (before the
    // STE refuses its requests); switched on, it starts after the STE allows them and its ATC
    // was emptied (arm_smmu_enable_ats); a translation that changed under it is flushed.
    const bool ats_on = m.ats && translates(m.rid);
    if (!ats_on && m.ats_enabled && cfg_.pci_ats) cfg_.pci_ats(sid, false);
    write_ste(m);
    if (!ssid && !uses_cd(&d) && m.cds) {  // CD 0 is no longer reachable: clear it
        write_cd(m, 0, Entry{});
    }
    if (ats_on && !m.ats_enabled) {
        atc_inv_master(m, std::nullopt);
        if (cfg_.pci_ats) cfg_.pci_ats(sid, true);
    } else if (ats_on) {
        atc_inv_master(m, ssid);
    } else if (m.ats_enabled) {
        atc_inv_master(m, std::nullopt);
    }
    m.ats_enabled = ats_on;
    if (replaced) leave_domain(*replaced);
}

void SmmuDriver::atc_inv_master(const Master& m, std::optional<uint32_t> ssid) {
    cmdq_->issue(cmd::atc_inv(m.sid, ssid.has_value(), ssid.value_or(0), 0, 0), true);
}

Entry SmmuDriver::make_cd(const Domain& d) const {
    const pgtable::Geometry& g = d.table().geometry();
    Cd c;
    c.set<Cd::T0SZ>(g.tsz);
    c.set<Cd::TG0>(g.tg);
    c.set<Cd::IR0>(caps_.coherent ? 1 : 0);
    c.set<Cd::OR0>(caps_.coherent ? 1 : 0);
    c.set<Cd::SH0>(caps_.coherent ? 3 : 2);
    c.set<Cd::EPD1>(1);
    c.set<Cd::V>(1);
    c.set<Cd::IPS>(g.ps);
    c.set<Cd::AA64>(1);
    c.set<Cd::R>(1);
    c.set<Cd::A>(1);
    // Non-shared ASIDs (DMA domains, mainline SVA); the CPU's, shared, with broadcast TLBIs.
    c.set<Cd::ASET>(d.broadcast() ? 0 : 1);
    c.set<Cd::ASID>(d.asid_on(cfg_.instance));
    c.set_address<Cd::TTB0>(d.table().root());
    c.set<Cd::MAIR>(g.mair);
    return c.dw;
}

Entry SmmuDriver::make_ste(Master& m) {
    Ste s;
    Domain* rid = m.rid;
    Domain* any_cd = uses_cd(rid) ? rid : nullptr;
    for (auto& [ssid, d] : m.ssids)
        if (!any_cd) any_cd = d;
    if (!rid && !any_cd) return abort_ste();
    s.set<Ste::V>(1);
    if (any_cd) {
        Domain* parent = any_cd->parent();
        s.set<Ste::Config>(parent ? ste_config::NESTED : ste_config::S1_TRANS);
        s.set<Ste::S1Fmt>(m.cds->s1fmt());
        s.set_address<Ste::S1ContextPtr>(m.cds->context_ptr());
        s.set<Ste::S1CDMax>(m.cds->s1cdmax());
        s.set<Ste::S1DSS>(uses_cd(rid)                                 ? s1dss::SSID0
                          : rid && rid->kind() == DomainKind::Bypass ? s1dss::BYPASS
                                                                     : s1dss::TERMINATE);
        s.set<Ste::S1CIR>(1);
        s.set<Ste::S1COR>(1);
        s.set<Ste::S1CSH>(3);
        s.set<Ste::STRW>(strw::NS_EL1);
        if (parent) set_s2(s, *parent, caps_.coherent, cfg_.instance);
        // Linux arm_smmu_make_cdtable_ste: EATS = STRTAB_STE_1_EATS_TRANS when ATS is enabled.
        if (m.ats && translates(rid)) s.set<Ste::EATS>(1);
        return s.dw;
    }
    switch (rid->kind()) {
    case DomainKind::Abort: return abort_ste();
    case DomainKind::Bypass: s.set<Ste::Config>(ste_config::BYPASS); break;
    case DomainKind::S2:
        s.set<Ste::Config>(ste_config::S2_TRANS);
        set_s2(s, *rid, caps_.coherent, cfg_.instance);
        if (m.ats) s.set<Ste::EATS>(1);  // arm_smmu_make_s2_domain_ste
        break;
    default: break;
    }
    return s.dw;
}

void SmmuDriver::write_ste(Master& m) {
    const uint32_t sid = m.sid;
    const EntryWriteStats st =
        write_entry(bus_, strtab_->ste_address(sid), strtab_->ste(sid), make_ste(m), ste_used_bits,
                    [&] { cmdq_->issue(cmd::cfgi_ste(sid, true), true); });
    ++stats_.ste_writes;
    if (st.breaking) ++stats_.breaking_writes;
    if (cfg_.prefetch_config) cmdq_->issue(cmd::prefetch_config(sid), false);
}

void SmmuDriver::install_ste(uint32_t sid, const Entry& target) {
    master(sid);
    const EntryWriteStats st = write_entry(bus_, strtab_->ste_address(sid), strtab_->ste(sid), target, ste_used_bits,
                                           [&] { cmdq_->issue(cmd::cfgi_ste(sid, true), true); });
    ++stats_.ste_writes;
    if (st.breaking) ++stats_.breaking_writes;
}

Entry SmmuDriver::stage2_ste(const Domain& d) const {
    Ste s;
    s.set<Ste::V>(1);
    s.set<Ste::Config>(ste_config::S2_TRANS);
    set_s2(s, d, caps_.coherent, cfg_.instance);
    return s.dw;
}

void SmmuDriver::write_cd(Master& m, uint32_t ssid, const Entry& target) {
    const uint32_t sid = m.sid;
    const uint64_t at = m.cds->cd_address(ssid, [&] { cmdq_->issue(cmd::cfgi_cd(sid, ssid, false), true); });
    const EntryWriteStats st = write_entry(bus_, at, m.cds->cd(ssid), target, cd_used_bits,
                                           [&] { cmdq_->issue(cmd::cfgi_cd(sid, ssid, true), true); });
    ++stats_.cd_writes;
    if (st.breaking) ++stats_.breaking_writes;
}

}  // namespace smmusim::sw::driver
