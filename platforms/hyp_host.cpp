#include "platforms/hyp_host.h"

#include "models/smmu/arch/geometry.h"

namespace smmusim::platforms {

using sw::hyp::InvPolicy;
using sw::hyp::PageState;

HypHost::HypHost(const HypSetup& setup, sc_core::sc_time cpu_period)
    : setup_(setup),
      period_(cpu_period),
      policy("sw.hyp.policy", InvPolicy::Range,
             {{"range", InvPolicy::Range}, {"page", InvPolicy::Page}, {"vmid", InvPolicy::Vmid}},
             "how a donation invalidates the shadow stage 2: range TLBI_S2_IPA (Linux's algorithm; per granule "
             "without RIL), one TLBI_S2_IPA per page or block, or TLBI_S12_VMALL of the host VMID"),
      hvc_cycles("sw.hyp.hvc_cycles", 300, "cycles", "hypercall entry and exit"),
      granule("sw.hyp.granule", 4096, "bytes", "granule of the shadow stage 2 (4096, 16384, 65536)", {4096, 65536}),
      ias("sw.hyp.ias", 40, "bits", "IPA size of the shadow stage 2 (must cover host memory)", {32, 48}),
      donations("sw.pkvm.donations", 512, "", "donations the built-in workload makes"),
      donation_bytes("sw.pkvm.donation_bytes", 4096, "bytes", "bytes per donation (whole 4 KiB pages)"),
      interval("sw.pkvm.interval", sc_core::sc_time(1, sc_core::SC_US), "", "CPU time between two donations"),
      pool_base("sw.pkvm.pool_base", setup.pool_base, "address", "first page of the donation pool"),
      pool_size("sw.pkvm.pool_size", setup.pool_size, "bytes", "size of the donation pool"),
      to_guest("sw.pkvm.to", true, {{"guest", true}, {"hyp", false}}, "who receives the donated pages"),
      reclaim("sw.pkvm.reclaim", true, "", "reclaim every donated page at the end"),
      owners_(setup.host_base, setup.host_size),
      host_tables_(setup.host_tables_base, setup.host_tables_size),
      shadow_bytes_("sw.hyp.shadow_table_bytes", "memory of the shadow stage-2 tables", "bytes",
                    [this] { return hyp_ ? hyp_->shadow_table_bytes() : 0; }),
      host_bytes_("sw.hyp.host_memory_bytes", "host memory the shadow stage 2 covers", "bytes",
                  [this] { return owners_.memory().size; }),
      donated_bytes_("sw.hyp.donated_bytes", "host memory donated at the end of the run", "bytes", [this] {
          return owners_.bytes_in(PageState::DonatedToGuest) + owners_.bytes_in(PageState::DonatedToHyp);
      }),
      splits_("sw.hyp.blocks_split", "shadow blocks split into tables", "",
              [this] { return hyp_ ? hyp_->shadow().domain().table().totals().blocks_split : 0; }) {
    if (!smmu::arch::granule_shift(granule)) granule.fail("must be 4096, 16384 or 65536");
}

HypHost::~HypHost() = default;

sw::workloads::Iommu& HypHost::attach(sw::hal::Bus& bus, sw::driver::SmmuDriver& drv) {
    sw::hyp::HypConfig c;
    c.shadow.policy = policy;
    c.shadow.granule_shift = *smmu::arch::granule_shift(granule);
    c.shadow.ias = ias;
    c.hvc_cycles = hvc_cycles;
    hyp_ = std::make_unique<sw::hyp::Hypervisor>(bus, drv, owners_, host_tables_, c, *this);
    iommu_ = std::make_unique<sw::hyp::HostIommu>(*hyp_);
    return *iommu_;
}

void HypHost::init() { hyp_->init(setup_.host_sids); }

void HypHost::run_donations(sw::workloads::Env& env) {
    sw::hyp::DonationParams p;
    p.donations = donations;
    p.donation_bytes = donation_bytes;
    p.interval_cycles = uint64_t(interval.value() / period_);
    p.pool_base = pool_base;
    p.pool_size = pool_size;
    p.to_guest = to_guest;
    p.reclaim = reclaim;
    sw::hyp::run_donations(p, env);
}

void HypHost::event(const smmu::arch::EventRecord& r) {
    using smmu::arch::EventRecord;
    if (r.get<EventRecord::Type>() != smmu::arch::evt::F_TRANSLATION || !r.get<EventRecord::S2>()) return;
    const uint64_t ipa = r.address<EventRecord::IPA>();
    const sw::hyp::Range& host = owners_.memory();
    if (ipa >= host.base && ipa < host.end() && owners_.host_may_access(owners_.at(ipa))) ++bbm_faults_;
}

void HypHost::hypercall(Op op, uint64_t, uint64_t cycles, uint64_t commands, uint64_t syncs) {
    switch (op) {
    case Op::Donate:
        ++donates_;
        donate_cycles_.sample(cycles);
        donate_commands_.sample(commands);
        donate_syncs_.sample(syncs);
        break;
    case Op::Reclaim:
        ++reclaims_;
        reclaim_cycles_.sample(cycles);
        break;
    case Op::Share:
    case Op::Unshare: ++shares_; break;
    }
}

}  // namespace smmusim::platforms
