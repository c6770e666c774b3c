#include "platforms/hyp_host.h"

#include "models/smmu/arch/geometry.h"
#include "models/smmu/arch/regs.h"

namespace smmusim::platforms {

using sw::hyp::InvPolicy;
using sw::hyp::PageState;

HypHost::HypHost(const HypSetup& setup, sc_core::sc_time cpu_period)
    : setup_(setup),
      period_(cpu_period),
      policy("sw.hyp.policy", InvPolicy::Page,
             {{"page", InvPolicy::Page},
              {"range", InvPolicy::Range},
              {"vmid", InvPolicy::Vmid},
              {"gather", InvPolicy::Gather},
              {"blocks", InvPolicy::Blocks}},
             "how the shadow stage 2 is built and a donation invalidates it: page (the posted pKVM series: 4 KiB "
             "pages only, per page TLBI_S2_IPA + CMD_SYNC at once), range (4 KiB shadow, one range TLBI_S2_IPA and "
             "one sync per donation), vmid (4 KiB shadow, TLBI_S12_VMALL), gather (4 KiB shadow, one TLBI_S2_IPA "
             "per page issued together, one sync), blocks (largest blocks, split with break-before-make unless "
             "BBML2, one range TLBI)"),
      nh_all("sw.hyp.nh_all", true, "",
             "after the TLBI_S2_IPAs also TLBI_NH_ALL of the host VMID + CMD_SYNC (the series from v6; always "
             "issued when the host has nested stage-1 domains)"),
      cpu_s2_page_cycles("sw.hyp.cpu_s2_page_cycles", 60, "cycles",
                         "host CPU stage-2 update per donated page (descriptor write + TLBI IPAS2E1IS); an "
                         "estimate, not calibrated"),
      cpu_dsb_cycles("sw.hyp.cpu_dsb_cycles", 500, "cycles",
                     "DSB ISH after a donation's CPU TLBIs (broadcast completion); an estimate, not calibrated"),
      hvc_cycles("sw.hyp.hvc_cycles", 300, "cycles", "hypercall entry and exit; an estimate, not calibrated"),
      trap_cycles("sw.hyp.trap_cycles", 400, "cycles",
                  "a host access to the SMMU registers trapped into the hypervisor and back (stage-2 data abort, "
                  "syndrome decode, dispatch, ERET), besides the emulation's own work: the hypercall round trip "
                  "plus the decode; an estimate, not calibrated"),
      emul_cmd_cycles("sw.hyp.emul_cmd_cycles", 40, "cycles",
                      "the hypervisor reading, checking and copying one host command (twice sw.driver.cmd_cycles "
                      "for building one); an estimate, not calibrated"),
      refused("sw.hyp.refused", sw::hyp::Refused::CerrorIll,
              {{"cerror_ill", sw::hyp::Refused::CerrorIll}, {"skip", sw::hyp::Refused::Skip}},
              "a host command the hypervisor refuses: the host's queue stops at it with CERROR_ILL and "
              "GERROR.CMDQ_ERR (as an SMMU does for an illegal command; the issue's reading of the series), or "
              "it is dropped silently"),
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
              [this] {
                  // A stats reset (--warmup) may come before the shadow is built.
                  return hyp_ && hyp_->shadow_built() ? hyp_->shadow().domain().table().totals().blocks_split : 0;
              }),
      trapped_("sw.hyp.trapped_accesses", "host accesses to the SMMU registers trapped and emulated", "",
               [this] { return host_bus_ ? host_bus_->trapped() : 0; }),
      trap_cycles_spent_("sw.hyp.trap_cycles_spent", "CPU cycles of trap entry and exit (sw.hyp.trap_cycles each)",
                         "cycles", [this] { return host_bus_ ? host_bus_->trap_cycles_spent() : 0; }),
      emulated_("sw.hyp.emulated_commands", "host commands the hypervisor read from the host's queue", "",
                [this] { return emu_ ? emu_->cmdq().emulated() : 0; }),
      refused_cmds_("sw.hyp.refused_commands", "host commands the hypervisor refused (sw.hyp.refused)", "",
                    [this] { return emu_ ? emu_->cmdq().refused() : 0; }),
      forwarded_("sw.hyp.forwarded_commands", "host commands copied into the hardware queue", "",
                 [this] { return emu_ ? emu_->cmdq().forwarded() : 0; }),
      stes_("sw.hyp.stes_shadowed", "host STEs the hypervisor read and installed shadowed", "",
            [this] { return emu_ ? emu_->stes().installed() : 0; }) {
    if (!smmu::arch::granule_shift(granule)) granule.fail("must be 4096, 16384 or 65536");
}

HypHost::~HypHost() = default;

sw::workloads::Iommu& HypHost::attach(sw::hal::Bus& bus, sw::driver::SmmuDriver& drv, sw::hal::PageAllocator* hyp_mem,
                                     uint64_t lock_cycles) {
    sw::hyp::HypConfig c;
    c.shadow.policy = policy;
    c.shadow.nh_all = nh_all;
    c.cpu_s2_page_cycles = cpu_s2_page_cycles;
    c.cpu_dsb_cycles = cpu_dsb_cycles;
    c.shadow.granule_shift = *smmu::arch::granule_shift(granule);
    c.shadow.ias = ias;
    c.hvc_cycles = hvc_cycles;
    hyp_ = std::make_unique<sw::hyp::Hypervisor>(bus, drv, owners_, host_tables_, c, *this);
    sw::hyp::EmulationConfig e;
    e.cmd_cycles = emul_cmd_cycles;
    e.refused = refused;
    emu_ = std::make_unique<sw::hyp::SmmuEmulation>(bus, setup_.smmu_regs, drv, setup_.host_sids, e);
    host_bus_ = std::make_unique<sw::hyp::TrappedBus>(bus, setup_.smmu_regs, smmu::arch::reg::REGION_SIZE, *emu_,
                                                      trap_cycles);
    lock_cycles_ = lock_cycles;
    const sw::hal::LockWords w = sw::hal::alloc_lock_words(bus, hyp_mem, 1);
    if (bus.cpus() > 1) {
        smmu_lock_ = std::make_unique<sw::hal::SpinLock>(bus, lock_cycles_, w.at(0));
        host_bus_->set_lock(smmu_lock_.get());
    }
    // The host runs the same driver, with the same knobs (its own command-queue algorithm), on
    // the trapped bus and host memory.
    sw::driver::DriverConfig host_cfg = drv.config();
    host_cfg.cmdq = setup_.host_cmdq;
    host_drv_ = std::make_unique<sw::driver::SmmuDriver>(*host_bus_, host_tables_, host_cfg, host_obs_);
    host_bus_->on_irq([this](uint32_t lines) { host_drv_->handle_irq(lines); });
    iommu_ = std::make_unique<sw::hyp::HostIommu>(*hyp_, *host_drv_);
    return *iommu_;
}

void HypHost::init() {
    hyp_->init(setup_.host_sids);
    emu_->start(hyp_->shadow());
    iommu_->boot(setup_.host_sids);
}

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
