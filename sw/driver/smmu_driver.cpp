#include "sw/driver/smmu_driver.h"

#include <algorithm>
#include <cstdio>

#include "models/smmu/arch/command_builders.h"
#include "models/smmu/arch/regs.h"

namespace smmusim::sw::driver {

using namespace smmu::arch;


SmmuDriver::SmmuDriver(hal::Bus& bus, hal::PageAllocator& mem, const DriverConfig& cfg, Observer& obs)
    : bus_(bus), mem_(mem), cfg_(cfg), obs_(obs) {}

SmmuDriver::~SmmuDriver() {
    // Nested domains first: their tables live in their parents' memory.
    for (auto& [name, d] : domains_)
        if (d->kind() == DomainKind::Nested) d.reset();
}

void SmmuDriver::write_reg_sync(uint32_t reg, uint32_t ack, uint32_t value) {
    bus_.write32(cfg_.regs + reg, value);
    const uint64_t deadline = bus_.now() + cfg_.poll_timeout;
    while (bus_.read32(cfg_.regs + ack) != value) {
        if (bus_.now() >= deadline) {
            char b[80];
            std::snprintf(b, sizeof b, "register 0x%x: acknowledgement 0x%x never followed", reg, ack);
            throw DriverError(b);
        }
        bus_.work(cfg_.poll_delay);
    }
}

// GBPA's update protocol: wait for Update to clear, write with Update, wait again.
void SmmuDriver::update_gbpa(uint32_t set_bits) {
    const uint32_t update = uint32_t(gbpa::Update::mask);
    uint32_t v = bus_.read32(cfg_.regs + reg::GBPA);
    const uint64_t deadline = bus_.now() + cfg_.poll_timeout;
    while (v & update) {
        if (bus_.now() >= deadline) throw DriverError("GBPA.Update never cleared");
        bus_.work(cfg_.poll_delay);
        v = bus_.read32(cfg_.regs + reg::GBPA);
    }
    bus_.write32(cfg_.regs + reg::GBPA, v | set_bits | update);
    while (bus_.read32(cfg_.regs + reg::GBPA) & update) {
        if (bus_.now() >= deadline) throw DriverError("GBPA.Update never cleared");
        bus_.work(cfg_.poll_delay);
    }
}

void SmmuDriver::probe_and_reset(bool enable_now) {
    caps_ = probe(bus_, cfg_.regs);
    // Linux allocates the queues, stream table and CDs with dma_alloc_coherent: non-cacheable
    // for an SMMU that does not snoop the CPU caches.
    bus_.set_device_coherent(caps_.coherent);
    // The SMMU cannot reach what lies above its output address size: queues and tables there
    // would abort every fetch, for ever (issue 19).
    const uint64_t reach = caps_.oas >= 64 ? ~uint64_t(0) : (uint64_t(1) << caps_.oas) - 1;
    if (mem_.size() && mem_.base() + mem_.size() - 1 > reach) {
        char b[200];
        std::snprintf(b, sizeof b,
                      "IDR5.OAS: the SMMU outputs %u-bit addresses, but the driver's memory for tables and queues "
                      "is [0x%llx, 0x%llx)",
                      caps_.oas, static_cast<unsigned long long>(mem_.base()),
                      static_cast<unsigned long long>(mem_.base() + mem_.size()));
        throw ProbeError(b);
    }
    // Linux polls for the CMD_SYNC's MSI write-back when the SMMU can write it coherently.
    const bool msipoll = caps_.msi && caps_.coherent;
    if (cfg_.sync == SyncMode::Auto) cfg_.sync = msipoll ? SyncMode::Msi : SyncMode::PollCons;
    if (cfg_.sync == SyncMode::Msi && !msipoll) cfg_.sync = SyncMode::PollCons;
    strtab_ = std::make_unique<StreamTable>(bus_, mem_, caps_.sid_bits, caps_.two_level_st);
    cmdq_ = std::make_unique<CommandQueue>(bus_, mem_, cfg_, obs_, std::min(cfg_.cmdq_log2, caps_.cmdq_log2),
                                           caps_.sev);
    evtq_ = std::make_unique<EventQueue>(bus_, mem_, obs_, cfg_.regs, std::min(cfg_.evtq_log2, caps_.evtq_log2));
    inv_ = std::make_unique<TlbInvalidator>(*cmdq_, cfg_, caps_.ril);

    // Linux arm_smmu_device_reset (reference §9.5).
    if (get<cr0::SMMUEN>(bus_.read32(cfg_.regs + reg::CR0))) update_gbpa(uint32_t(gbpa::ABORT::mask));
    write_reg_sync(reg::CR0, reg::CR0ACK, 0);
    uint64_t cr1 = 0;
    cr1 = put<cr1::TABLE_SH>(cr1, 3);
    cr1 = put<cr1::TABLE_OC>(cr1, 1);
    cr1 = put<cr1::TABLE_IC>(cr1, 1);
    cr1 = put<cr1::QUEUE_SH>(cr1, 3);
    cr1 = put<cr1::QUEUE_OC>(cr1, 1);
    cr1 = put<cr1::QUEUE_IC>(cr1, 1);
    bus_.write32(cfg_.regs + reg::CR1, uint32_t(cr1));
    // CR2: PTM unless broadcast TLB maintenance is to reach the SMMU (Config::btm).
    const bool ptm = !(cfg_.btm && caps_.btm);
    bus_.write32(cfg_.regs + reg::CR2, uint32_t((ptm ? cr2::PTM::mask : 0) | cr2::RECINVSID::mask));
    bus_.write64(cfg_.regs + reg::STRTAB_BASE, strtab_->base_register());
    bus_.write32(cfg_.regs + reg::STRTAB_BASE_CFG, strtab_->cfg_register());
    bus_.write64(cfg_.regs + reg::CMDQ_BASE, cmdq_->base_register());
    bus_.write32(cfg_.regs + reg::CMDQ_PROD, 0);
    bus_.write32(cfg_.regs + reg::CMDQ_CONS, 0);
    uint32_t enables = uint32_t(cr0::CMDQEN::mask);
    if (cfg_.atschk && caps_.ats) enables |= uint32_t(cr0::ATSCHK::mask);
    write_reg_sync(reg::CR0, reg::CR0ACK, enables);
    enable_ecmdqs();
    cmdq_->issue(cmd::cfgi_all(), true);
    if (caps_.hyp) cmdq_->issue(cmd::tlbi_el2_all(), true);
    cmdq_->issue(cmd::tlbi_nsnh_all(), true);
    bus_.write64(cfg_.regs + reg::EVENTQ_BASE, evtq_->base_register());
    bus_.write32(cfg_.regs + reg::EVENTQ_PROD, 0);
    bus_.write32(cfg_.regs + reg::EVENTQ_CONS, 0);
    enables |= uint32_t(cr0::EVENTQEN::mask);
    write_reg_sync(reg::CR0, reg::CR0ACK, enables);
    // Wired interrupts: no MSI addresses.
    write_reg_sync(reg::IRQ_CTRL, reg::IRQ_CTRLACK, 0);
    if (caps_.msi) {
        bus_.write64(cfg_.regs + reg::GERROR_IRQ_CFG0, 0);
        bus_.write64(cfg_.regs + reg::EVENTQ_IRQ_CFG0, 0);
    }
    write_reg_sync(reg::IRQ_CTRL, reg::IRQ_CTRLACK,
                   uint32_t(irq_ctrl::EVENTQ_IRQEN::mask | irq_ctrl::GERROR_IRQEN::mask));
    enables_ = enables;
    if (enable_now) enable();
}

// The series' arm_smmu_ecmdq_reset, after CMDQEN and before CFGI_ALL: from here on every
// command goes to its CPU's ECMDQ.
void SmmuDriver::enable_ecmdqs() {
    if (!cfg_.ecmdq) return;
    if (!caps_.ecmdq_refused.empty()) obs_.warning("suppress ecmdq feature: " + caps_.ecmdq_refused);
    if (!caps_.ecmdqs) {
        if (caps_.ecmdq_refused.empty()) obs_.warning("sw.driver.ecmdq: the SMMU has no ECMDQs (IDR1.ECMDQ = 0)");
        return;
    }
    ecmdqs_ = std::make_unique<Ecmdqs>(bus_, mem_, cfg_, obs_, caps_);
    if (ecmdqs_->enable())
        cmdq_->route(ecmdqs_->per_cpu());
    else
        ecmdqs_.reset();
}

void SmmuDriver::enable() {
    enables_ |= uint32_t(cr0::SMMUEN::mask);
    write_reg_sync(reg::CR0, reg::CR0ACK, enables_);
}

void SmmuDriver::irq_thread() {
    for (;;) {
        handle_irq(bus_.wait_irq(hal::IRQ_EVENTQ | hal::IRQ_GERROR, 0));
    }
}

void SmmuDriver::handle_irq(uint32_t lines) {
    if (lines & hal::IRQ_GERROR) handle_gerror();
    if ((lines & hal::IRQ_EVENTQ) && evtq_) evtq_->drain();
}

// Linux arm_smmu_gerror_handler: act on each active error, then acknowledge them all at once
// by writing GERROR's value to GERRORN.
void SmmuDriver::handle_gerror() {
    const uint32_t g = bus_.read32(cfg_.regs + reg::GERROR);
    const uint32_t gn = bus_.read32(cfg_.regs + reg::GERRORN);
    const uint32_t active = (g ^ gn) & (gerror::kImplemented | gerror::CMDQP_ERR);
    if (!active) return;
    obs_.gerror(active);
    char b[64];
    std::snprintf(b, sizeof b, "unexpected global error reported (0x%08x)", unsigned(active));
    obs_.warning(b);
    if (active & gerror::SFM_ERR) write_reg_sync(reg::CR0, reg::CR0ACK, 0);
    if (active & gerror::EVENTQ_ABT_ERR) obs_.warning("EVTQ write aborted -- events may have been lost");
    if ((active & gerror::CMDQ_ERR) && cmdq_) cmdq_->recover_error();
    if ((active & gerror::CMDQP_ERR) && ecmdqs_) ecmdqs_->recover_errors();
    bus_.write32(cfg_.regs + reg::GERRORN, g);
}

uint16_t SmmuDriver::alloc_id(std::map<uint16_t, bool>& used, unsigned bits, const char* what) {
    const uint32_t limit = (1u << bits) - 1;
    for (uint32_t id = 1; id <= limit; ++id)  // 0 is reserved, as Linux does
        if (!used.count(uint16_t(id))) {
            used[uint16_t(id)] = true;
            return uint16_t(id);
        }
    throw DriverError(std::string("no free ") + what);
}

bool SmmuDriver::owns(const Domain& d) const {
    auto it = domains_.find(d.name());
    return it != domains_.end() && it->second.get() == &d;
}

// This instance joins another's domain (the series' attach to a domain of several instances):
// the SMMU must be able to walk the domain's table (stage, granule, output size), and it gives
// the domain an ID of its own. Linux allocates ASIDs from one system-wide space, so a shared
// domain has one ASID everywhere; the model's drivers allocate per instance, so the domain's
// home ID is kept where this instance has it free, and where another domain of this instance
// holds it the domain gets another here (its array entry names it): no two domains share an
// ASID or VMID on one SMMU. VMIDs are per instance in Linux too (smmu->vmid_map).
void SmmuDriver::join_domain(Domain& d, const std::string& what) {
    const DomainKind k = d.kind();
    if (k == DomainKind::Bypass || k == DomainKind::Abort) return;  // no table, nothing to invalidate
    const bool s1 = k == DomainKind::S1 || k == DomainKind::Sva;
    if (d.on(cfg_.instance)) {  // one more attachment: one more user of the same entries
        d.join(cfg_.instance, *inv_, s1 ? d.asid_on(cfg_.instance) : d.vmid_on(cfg_.instance));
        return;
    }
    if (k == DomainKind::Nested)
        throw DriverError(what + ": a nested domain serves the instance of its stage-2 parent");
    if (s1 && !caps_.s1) throw DriverError(what + ": this SMMU has no stage 1");
    // The CPUs' TLBIs keep a broadcast SVA domain's entries right only where they reach.
    if (d.broadcast() && !(cfg_.btm && caps_.btm))
        throw DriverError(what + ": the SVA domain relies on broadcast TLB maintenance, which this SMMU does not take");
    if (k == DomainKind::S2 && !caps_.s2) throw DriverError(what + ": this SMMU has no stage 2");
    const pgtable::Format& f = d.table().geometry().fmt;
    if (!((caps_.pgsize_bitmap >> f.granule_shift) & 1))
        throw DriverError(what + ": granule " + std::to_string(1u << f.granule_shift) +
                          " is not supported by this SMMU (IDR5)");
    if (f.oas > caps_.oas || (f.stage == pgtable::Stage::S2 && f.ias > caps_.oas))
        throw DriverError(what + ": the domain's table needs a " + std::to_string(std::max(f.oas, f.ias)) +
                          "-bit address size, this SMMU's OAS is " + std::to_string(caps_.oas));
    std::map<uint16_t, bool>& used = s1 ? asids_ : vmids_;
    const unsigned bits = s1 ? caps_.asid_bits : caps_.vmid_bits;
    const uint16_t want = s1 ? d.asid() : d.vmid();
    uint16_t id = want;
    if (d.broadcast() && (used.count(want) || (uint32_t(want) >> bits)))
        throw DriverError(what + ": CPU ASID " + std::to_string(want) + " is not free on this SMMU");
    if (used.count(want) || (uint32_t(want) >> bits)) id = alloc_id(used, bits, s1 ? "ASID" : "VMID");
    else used[want] = true;
    d.join(cfg_.instance, *inv_, id);
}

// The last attachment of this instance to another's domain went away (Linux
// arm_smmu_install_old_domain_invs, after the STE or CD no longer names it): the entries without
// users leave the array, and their IDs are flushed from this SMMU's TLBs before they are free
// for another domain (arm_smmu_invs_flush_iotlb_tags: "all ASIDs/VMIDs not in an invalidation
// array are left cleared in the IOTLB").
void SmmuDriver::leave_domain(Domain& d) {
    if (owns(d) || (d.kind() != DomainKind::S1 && d.kind() != DomainKind::S2 && d.kind() != DomainKind::Sva)) return;
    for (const InvEntry& e : d.leave(cfg_.instance)) {
        if (e.type == InvType::S1Asid) {
            cmdq_->issue(cmd::tlbi_nh_asid(e.id, 0), true);
            asids_.erase(e.id);
        } else if (e.type == InvType::S2Vmid) {
            cmdq_->issue(cmd::tlbi_s12_vmall(e.id), true);  // covers S2_VMID_S1_CLEAR
            vmids_.erase(e.id);
        }
    }
}

Domain* SmmuDriver::find_domain(const std::string& name) {
    auto it = domains_.find(name);
    return it == domains_.end() ? nullptr : it->second.get();
}

Domain& SmmuDriver::create_domain(const DomainSpec& spec) {
    if (!strtab_) throw DriverError("create_domain before probe_and_reset");
    if (domains_.count(spec.name)) throw DriverError("domain '" + spec.name + "' already exists");
    auto d = std::make_unique<Domain>(spec, *inv_, cfg_);
    const DomainKind k = spec.kind;
    if ((k == DomainKind::S1 || k == DomainKind::Nested || k == DomainKind::Sva) && !caps_.s1)
        throw DriverError("domain '" + spec.name + "': the SMMU has no stage 1");
    if ((k == DomainKind::S2 || k == DomainKind::Nested) && !caps_.s2)
        throw DriverError("domain '" + spec.name + "': the SMMU has no stage 2");
    if (k == DomainKind::Nested) {
        Domain* p = find_domain(spec.parent);
        if (!p || p->kind() != DomainKind::S2)
            throw DriverError("domain '" + spec.name + "': parent '" + spec.parent + "' is not a stage-2 domain");
        d->set_parent(p);
    }
    if (k == DomainKind::S1 || k == DomainKind::Nested) d->set_ids(alloc_id(asids_, caps_.asid_bits, "ASID"), 0);
    if (k == DomainKind::Sva) setup_sva(*d);
    if (k == DomainKind::S2) d->set_ids(0, alloc_id(vmids_, caps_.vmid_bits, "VMID"));
    if (d->kind() != DomainKind::Bypass && d->kind() != DomainKind::Abort) setup_table(*d);
    if (d->has_table() && d->lazy() && k != DomainKind::Sva) setup_fq(*d);  // SVA is no DMA API domain
    Domain& ref = *d;
    domains_[spec.name] = std::move(d);
    return ref;
}

// An SVA domain (arm_smmu_sva_domain_alloc). Mainline: an ASID of the SMMU's own allocator and
// CD.ASET = 1, so the CPUs' broadcast TLBIs (which name the CPU's ASID) never touch its entries
// and every change is invalidated through the command queue. With broadcast TLB maintenance in
// use (sw.driver.btm on an SMMU with IDR0.BTM, the posted SVA BTM patches): the CD takes the
// CPU's ASID, pinned, with ASET = 0, and the CPUs' TLBIs invalidate the SMMU's TLBs. The ASID
// may be held by one of this SMMU's DMA domains; the patches then move that domain to a new
// ASID (arm_smmu_share_asid), which is not modelled: the bind is refused instead.
void SmmuDriver::setup_sva(Domain& d) {
    const DomainSpec& s = d.spec();
    if (s.granule_shift != 12) throw DriverError("domain '" + s.name + "': an SVA domain has the CPU's 4 KiB pages");
    // arm_smmu_sva_supported: CPUs that change mapping sizes without break-before-make
    // (BBML2_NOABORT) need an SMMU that tolerates it on the table they share (IDR3.BBML = 2).
    if (cfg_.cpu_tlb.bbml2 && caps_.bbml != 2)
        throw DriverError("domain '" + s.name + "': the CPUs use BBML2 and this SMMU's IDR3.BBML is " +
                          std::to_string(caps_.bbml) + " (SVA needs 2)");
    if (cfg_.btm && caps_.btm) {
        const uint16_t asid = s.cpu_asid;
        if (!asid || (uint32_t(asid) >> caps_.asid_bits))
            throw DriverError("domain '" + s.name + "': CPU ASID " + std::to_string(asid) + " does not fit the SMMU's " +
                              std::to_string(caps_.asid_bits) + "-bit ASIDs");
        if (asids_.count(asid))
            throw DriverError("domain '" + s.name + "': CPU ASID " + std::to_string(asid) +
                              " is held by another domain of this SMMU (moving it, arm_smmu_share_asid, is not modelled)");
        asids_[asid] = true;
        d.set_ids(asid, 0);
        d.set_broadcast(true);
    } else {
        d.set_ids(alloc_id(asids_, caps_.asid_bits, "ASID"), 0);
    }
    // The process's TLB flushes, by the CPU, with this SMMU's notifier at their end.
    d.set_mm_flush([this, &d](uint64_t start, uint64_t end, bool last_level, uint64_t stride, unsigned level) {
        const mm::Notifier notify = [this, &d](uint64_t s0, uint64_t e0) {
            // With BTM the notifier's only work is the ATC invalidation, which must follow the
            // TLBs' (a Translation Request could refill an ATC from a stale TLB entry): the CPU's
            // TLBIs are only posted here, so their DSB (and its DVM Sync) comes first.
            if (d.broadcast() && d.has_ats()) bus_.barrier();
            d.sva_invalidate(s0, e0);
        };
        if (end == mm::kFlushAll) mm::flush_tlb_mm(bus_, d.spec().cpu_asid, notify);
        else mm::flush_tlb_range(bus_, cfg_.cpu_tlb, d.spec().cpu_asid, start, end, stride, last_level, level, notify);
    });
}

void SmmuDriver::setup_table(Domain& d) {
    const DomainSpec& s = d.spec();
    if (!((caps_.pgsize_bitmap >> s.granule_shift) & 1))
        throw DriverError("domain '" + s.name + "': granule " + std::to_string(1u << s.granule_shift) +
                          " is not supported by the SMMU (IDR5)");
    pgtable::Format f;
    f.stage = d.kind() == DomainKind::S2 ? pgtable::Stage::S2 : pgtable::Stage::S1;
    f.granule_shift = s.granule_shift;
    const unsigned s2_ias = cfg_.s2_ias ? cfg_.s2_ias : caps_.oas;
    f.ias = s.ias ? s.ias : f.stage == pgtable::Stage::S2 ? s2_ias : 48;  // 0: Linux's choice
    f.oas = caps_.oas;
    f.blocks = s.blocks;
    f.concat = cfg_.s2_concat;
    if (f.stage == pgtable::Stage::S1 && f.ias > 48) throw DriverError("domain '" + s.name + "': ias above 48");
    if (f.stage == pgtable::Stage::S2 && f.ias > caps_.oas)
        throw DriverError("domain '" + s.name + "': ias " + std::to_string(f.ias) + " above the SMMU's OAS " +
                          std::to_string(caps_.oas));
    pgtable::IoPgtable::Config pc;
    pc.pte_read_cycles = cfg_.pte_read_cycles;
    // An SVA domain's table is the process's: its splits are the CPUs' (BBML2_NOABORT or
    // break-before-make), which setup_sva checked the SMMU copes with.
    pc.bbml2 = d.kind() == DomainKind::Sva ? cfg_.cpu_tlb.bbml2 : caps_.bbml == 2;
    pc.coherent_walk = caps_.coherent;  // Linux: io_pgtable_cfg.coherent_walk = ARM_SMMU_FEAT_COHERENCY
    pc.skip_cleans = cfg_.skip_cleans;
    hal::PageAllocator* alloc = &mem_;
    if (Domain* p = d.parent()) {
        if (!p->guest_memory()) {
            // Stage-1 tables and CDs of nested domains live in memory identity-mapped in the
            // parent (as a VMM maps the guest RAM that holds them).
            const uint64_t base = mem_.alloc(cfg_.guest_table_memory);
            pgtable::Result r = p->table().map(base, base, cfg_.guest_table_memory, pgtable::Prot::rw());
            if (!r.ok())
                throw DriverError("domain '" + s.name + "': cannot identity-map its table memory in '" + p->name() +
                                  "' (" + pgtable::error_name(r.error) + ")");
            p->set_guest_memory(std::make_unique<hal::PageAllocator>(base, cfg_.guest_table_memory));
        }
        p->add_nested_child();
        alloc = p->guest_memory();
    }
    try {
        pgtable::TlbOps* ops = s.tlb_ops ? s.tlb_ops : &d;
        d.set_table(std::make_unique<pgtable::IoPgtable>(f, bus_, *alloc, ops, pc));
    } catch (const std::invalid_argument& e) {
        throw DriverError("domain '" + s.name + "': " + e.what());
    }
}

pgtable::Result SmmuDriver::map(Domain& d, uint64_t iova, uint64_t pa, uint64_t size, const pgtable::Prot& prot) {
    if (!d.has_table()) throw DriverError("domain '" + d.name() + "' (" + domain_kind_name(d.kind()) + ") has no page table");
    run_timers();
    const uint64_t start = bus_.now();
    // No lock: as Linux io-pgtable-arm, new tables go in by compare-and-swap (IoPgtable).
    const pgtable::Result r = d.table().map(iova, pa, size, prot);
    ++stats_.maps;
    stats_.bytes_mapped += r.bytes;
    obs_.map_done(bus_.now() - start, r.bytes);
    return r;
}

pgtable::Result SmmuDriver::unmap(Domain& d, uint64_t iova, uint64_t size) {
    if (!d.has_table()) throw DriverError("domain '" + d.name() + "' (" + domain_kind_name(d.kind()) + ") has no page table");
    run_timers();
    // Commands and syncs of every instance the domain's invalidation reaches.
    const std::vector<CommandQueue*> qs = d.queues();
    auto count = [&qs](uint64_t (CommandQueue::*f)() const) {
        uint64_t n = 0;
        for (const CommandQueue* q : qs) n += (q->*f)();
        return n;
    };
    const uint64_t start = bus_.now(), cmds = count(&CommandQueue::commands), syncs = count(&CommandQueue::syncs);
    pgtable::Gather g;
    pgtable::Result r;
    if (d.kind() == DomainKind::Sva) {
        // munmap of pinned pages: the PTEs cleared (zap_pte_range, free_pgtables), then
        // tlb_finish_mmu's one __flush_tlb_range over what was unmapped.
        d.munmap(iova, [&] {
            r = d.table().unmap(iova, size, g);
            return r.bytes;
        });
    } else {
        r = d.table().unmap(iova, size, g);
        if (!d.fq()) {
            d.iotlb_sync(g);
            if (r.bytes && iova_free_) iova_free_(d, iova, r.bytes);
        } else if (r.bytes) {
            d.fq()->queue(iova, r.bytes);  // dma-iommu iommu_dma_free_iova -> queue_iova
        }
    }
    ++stats_.unmaps;
    stats_.bytes_unmapped += r.bytes;
    obs_.unmap_done(bus_.now() - start, r.bytes, count(&CommandQueue::commands) - cmds,
                    count(&CommandQueue::syncs) - syncs);
    return r;
}

// iommu_dma_init_fq: the domain's queues, their lock words in memory when CPUs can contend.
void SmmuDriver::setup_fq(Domain& d) {
    FlushQueue::Config c;
    c.queues = cfg_.fq_queues;
    c.entries = cfg_.fq_entries;
    c.timeout = cfg_.fq_timeout;
    c.entry_cycles = &cfg_.fq_entry_cycles;
    c.lock_cycles = &cfg_.lock_cycles;
    const hal::LockWords words = hal::alloc_lock_words(bus_, &mem_, FlushQueue::queues(c.queues, bus_.cpus()));
    FlushQueue::Client client;
    client.flush_iotlb_all = [&d] { d.flush_all(); };
    client.free_iova = [this, &d](uint64_t iova, uint64_t size) {
        if (iova_free_) iova_free_(d, iova, size);
    };
    client.flushed = [this](uint64_t freed, bool timeout) {
        ++stats_.fq_flushes;
        obs_.fq_flush(freed, timeout);
    };
    d.set_fq(std::make_unique<FlushQueue>(bus_, c, std::move(client), words));
}

void SmmuDriver::run_timers() {
    for (auto& [name, d] : domains_)
        if (d->fq()) d->fq()->run_timer();
}

uint64_t SmmuDriver::next_timer() const {
    uint64_t t = 0;
    for (const auto& [name, d] : domains_) {
        const uint64_t dl = d->fq() ? d->fq()->deadline() : 0;
        if (dl && (!t || dl < t)) t = dl;
    }
    return t;
}

void SmmuDriver::flush_queues() {
    for (auto& [name, d] : domains_)
        if (d->fq()) d->fq()->drain();
}

uint64_t SmmuDriver::table_bytes() const {
    uint64_t n = strtab_ ? strtab_->table_bytes() : 0;
    for (const auto& [name, d] : domains_)
        if (d && d->has_table()) n += d->table().table_bytes();
    for (const auto& [sid, m] : masters_)
        if (m.cds) n += m.cds->table_bytes();
    return n;
}

}  // namespace smmusim::sw::driver
