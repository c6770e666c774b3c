#include "platforms/software_host.h"

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "models/core/rng.h"
#include "models/core/run_control.h"
#include "models/core/stats.h"
#include "models/smmu/arch/geometry.h"
#include "models/smmu/event_log.h"
#include "sw/workloads/runner.h"

namespace smmusim::platforms {

using sw::driver::DomainKind;
using sw::driver::InvPolicy;
using sw::driver::SyncMode;

// What the driver reports, as stats and the event log.
class SoftwareHost::Stats : public sw::driver::Observer {
public:
    Stats(SoftwareHost& host, unsigned cpus) : host_(host) {
        for (unsigned i = 0; i < cpus; ++i) {
            const std::string p = "sw.driver.cmdq.cpu" + std::to_string(i) + ".";
            cpu_.push_back({std::make_unique<core::Counter>(p + "issue_cycles",
                                                            "CPU cycles in arm_smmu_cmdq_issue_cmdlist, all included",
                                                            "cycles"),
                            std::make_unique<core::Counter>(p + "space_cycles",
                                                            "CPU cycles waiting for space in the command queue",
                                                            "cycles"),
                            std::make_unique<core::Counter>(
                                p + "owner_cycles",
                                "CPU cycles as the owner waiting for the previous owner (owner_prod) and for the "
                                "gathered slots to become valid (valid map)",
                                "cycles"),
                            std::make_unique<core::Counter>(p + "sync_cycles",
                                                            "CPU cycles waiting for CMD_SYNC completion", "cycles")});
        }
    }

    void command(const smmu::arch::Command& c) override {
        host_.progressed("command");
        ++commands_;
        const uint8_t op = c.opcode();
        if (op == smmu::arch::op::CMD_SYNC) ++syncs_;
        else if (op >= smmu::arch::op::TLBI_NH_ALL && op <= smmu::arch::op::TLBI_NSNH_ALL) ++tlbi_;
        else if (op >= smmu::arch::op::CFGI_STE && op <= smmu::arch::op::CFGI_CD_ALL) ++cfgi_;
    }
    void sync_waited(uint64_t cycles, bool timed_out) override {
        if (!timed_out) host_.progressed("CMD_SYNC");
        sync_wait_.sample(cycles);
        if (timed_out) ++sync_timeouts_;
    }
    void cmdq_issued(unsigned cpu, const sw::driver::CmdqCpuTimes& t) override {
        if (cpu >= cpu_.size()) return;
        CpuCounters& c = cpu_[cpu];
        *c.issue += t.issue;
        *c.space += t.space;
        *c.owner += t.owner;
        *c.sync += t.sync;
    }
    // Every queue's together, and per ECMDQ (all SMMU instances' ECMDQ i together, made at
    // its first publish).
    void prod_published(unsigned queue, uint64_t commands) override {
        ++publishes_;
        per_publish_.sample(commands);
        if (queue == 0) return;
        if (ecmdq_.size() < queue) ecmdq_.resize(queue);
        auto& h = ecmdq_[queue - 1];
        if (!h) {
            const std::string p = "sw.driver.ecmdq" + std::to_string(queue - 1) + ".";
            h = std::make_unique<core::Histogram>(p + "commands_per_publish",
                                                  "ECMDQ " + std::to_string(queue - 1) +
                                                      ": commands published by each ECMDQ_PROD write");
        }
        h->sample(commands);
    }
    void event(const smmu::arch::EventRecord& r) override {
        host_.progressed("event record");
        ++events_;
        smmu::log_event_record(r);
        if (host_.hyp_) host_.hyp_->event(r);
    }
    void gerror(uint32_t) override { ++gerrors_; }
    void map_done(uint64_t cycles, uint64_t) override { host_.progressed("map"); map_cycles_.sample(cycles); }
    void unmap_done(uint64_t cycles, uint64_t, uint64_t commands, uint64_t) override {
        host_.progressed("unmap");
        unmap_cycles_.sample(cycles);
        commands_per_unmap_.sample(commands);
    }
    void fq_flush(uint64_t entries, bool timeout) override {
        ++fq_flushes_;
        if (timeout) ++fq_timeouts_;
        fq_entries_.sample(entries);
    }
    void warning(const std::string& w) override {
        ++warnings_;
        host_.last_warning_ = w;  // not progress: a driver retrying for ever warns for ever
        if (warnings_.value() <= kPrinted)
            std::cerr << "smmu-sim: sw.driver at " << sc_core::sc_time_stamp() << ": " << w << "\n";
        else if (warnings_.value() == kPrinted + 1)
            std::cerr << "smmu-sim: sw.driver: further warnings counted in sw.driver.warnings only\n";
    }

private:
    static constexpr uint64_t kPrinted = 10;
    SoftwareHost& host_;
    struct CpuCounters {
        std::unique_ptr<core::Counter> issue, space, owner, sync;
    };
    std::vector<CpuCounters> cpu_;
    std::vector<std::unique_ptr<core::Histogram>> ecmdq_;
    core::Counter publishes_{"sw.driver.cmdq.publishes", "CMDQ_PROD writes publishing commands"};
    core::Histogram per_publish_{"sw.driver.cmdq.commands_per_publish",
                                 "commands published by each CMDQ_PROD write (of one CPU or, merged, several)"};
    core::Counter commands_{"sw.driver.commands", "commands the driver wrote to the command queue"};
    core::Counter syncs_{"sw.driver.syncs", "CMD_SYNCs the driver issued"};
    core::Counter tlbi_{"sw.driver.tlbi", "TLB invalidation commands the driver issued"};
    core::Counter cfgi_{"sw.driver.cfgi", "configuration invalidation commands the driver issued"};
    core::Histogram sync_wait_{"sw.driver.sync_wait_cycles", "CPU cycles waiting for each CMD_SYNC", "cycles"};
    core::Counter sync_timeouts_{"sw.driver.sync_timeouts", "CMD_SYNC waits that timed out"};
    core::Counter events_{"sw.driver.events", "event records the driver read"};
    core::Counter gerrors_{"sw.driver.gerrors", "GERROR interrupts with active errors"};
    core::Histogram map_cycles_{"sw.driver.map_cycles", "CPU cycles per map", "cycles"};
    core::Histogram unmap_cycles_{"sw.driver.unmap_cycles",
                                  "CPU cycles per unmap, invalidation and CMD_SYNC waits included", "cycles"};
    core::Histogram commands_per_unmap_{"sw.driver.commands_per_unmap",
                                        "commands (CMD_SYNC included) issued by each unmap"};
    core::Counter fq_flushes_{"sw.driver.fq_flushes", "lazy mode: flush-queue flushes (whole-context TLBIs)"};
    core::Counter fq_timeouts_{"sw.driver.fq_timeouts", "lazy mode: flushes the flush-queue timer made (the rest: a full queue, or the end of the run)"};
    core::Histogram fq_entries_{"sw.driver.fq_flush_entries",
                                "lazy mode: queued unmaps each flush freed at once (a full queue's flush: that queue's)"};
    core::Counter warnings_{"sw.driver.warnings", "driver warnings (timeouts, overflows, command errors)"};
    // The map benchmark (sw.workload=mapbench).
    core::Histogram mb_map_{"sw.mapbench.map_cycles",
                            "map benchmark: CPU cycles per dma_map_single (IOVA allocation and page-table map)",
                            "cycles"};
    core::Histogram mb_unmap_{"sw.mapbench.unmap_cycles",
                              "map benchmark: CPU cycles per dma_unmap_single (page table, invalidation and its "
                              "CMD_SYNC when strict, IOVA free)",
                              "cycles"};
    core::Counter mb_pairs_{"sw.mapbench.pairs", "map benchmark: map+unmap pairs done, all CPUs"};
    core::Counter mb_pair_cycles_{"sw.mapbench.pair_cycles",
                                  "map benchmark: CPU cycles in the pairs, summed over the CPUs", "cycles"};
    core::Formula mb_rate_{"sw.mapbench.pairs_per_cpu_s",
                           "map benchmark: map+unmap pairs per CPU per second (the pairs over the CPUs' time in "
                           "them, at core 0's clock)",
                           "1/s", [this] {
                               const double cycles = double(mb_pair_cycles_.value());
                               return cycles ? double(mb_pairs_.value()) / (cycles * host_.cpus_.core(0).clock.value().to_seconds()) : 0.0;
                           }};

public:
    void pair_done(uint64_t map, uint64_t unmap, uint64_t pair) {
        mb_map_.sample(map);
        mb_unmap_.sample(unmap);
        ++mb_pairs_;
        mb_pair_cycles_ += pair;
    }

private:
    core::Formula table_bytes_{"sw.driver.table_bytes",
                               "memory the driver holds for stream, CD and page tables", "bytes", [this] {
                                   uint64_t bytes = host_.driver_ ? host_.driver_->table_bytes() : 0;
                                   for (const auto& d : host_.more_drivers_) bytes += d->table_bytes();
                                   return bytes;
                               }};
    core::CountSince dma_jobs_{"sw.workload.dma_jobs", "DMA jobs the software waited for", "", [this] {
                                return host_.env_ ? host_.env_->stats.dma_jobs : 0;
                            }};
    core::CountSince dma_errors_{"sw.workload.dma_errors", "DMA transactions that completed with an error", "",
                              [this] { return host_.env_ ? host_.env_->stats.dma_errors : 0; }};
    // The workloads' IOVA allocators (sw/workloads/iova_allocator.h).
    uint64_t iova(uint64_t sw::workloads::IovaStats::*field) const {
        return host_.env_ ? host_.env_->stats.iova.*field : 0;
    }
    using IS = sw::workloads::IovaStats;
    core::CountSince iova_hits_{"sw.iova.rcache_hits", "IOVA allocations a per-CPU range cache answered", "",
                                [this] { return iova(&IS::rcache_hits); }};
    core::CountSince iova_tree_allocs_{"sw.iova.tree_allocs", "IOVA allocations the tree answered", "",
                                       [this] { return iova(&IS::tree_allocs); }};
    core::CountSince iova_tree_frees_{"sw.iova.tree_frees", "IOVA ranges given back to the tree", "",
                                      [this] { return iova(&IS::tree_frees); }};
    core::CountSince iova_depot_{"sw.iova.depot_exchanges", "IOVA magazines moved to or from a depot", "",
                                 [this] { return iova(&IS::depot_exchanges); }};
    core::CountSince iova_trims_{"sw.iova.depot_trims",
                                 "IOVA magazines the depot work gave back to the tree (depot larger than the CPUs)", "",
                                 [this] { return iova(&IS::depot_trims); }};
};

namespace {
template <typename E>
using Choices = typename core::EnumParam<E>::Choices;

}  // namespace

SoftwareHost::SoftwareHost(cpu::Cluster& cpus, SoftwareSetup setup)
    : cpus_(cpus),
      setup_(std::move(setup)),
      enable("sw.enable", true, "",
             "run the software (driver and workload); false: the SMMU stays disabled (GBPA bypass) and the "
             "DMA masters' own pattern traffic is the workload"),
      strict("sw.strict", false, "",
             "scenario steps the hardware absorbs silently (a dma to a StreamID attached to no domain, a map "
             "whose output leaves DRAM): false: one warning line each on stderr; true: exit 2 (--strict)"),
      workload("sw.workload", setup_.hyp ? Workload::Donate : Workload::Nic,
               setup_.hyp ? core::EnumParam<Workload>::Choices{{"donate", Workload::Donate},
                                                               {"nic", Workload::Nic},
                                                               {"storage", Workload::Storage},
                                                               {"none", Workload::None}}
                          : core::EnumParam<Workload>::Choices{{"nic", Workload::Nic},
                                                               {"storage", Workload::Storage},
                                                               {"footprint", Workload::Footprint},
                                                               {"mapbench", Workload::Mapbench},
                                                               {"none", Workload::None}},
               "built-in workload the software runs when no --scenario is given (nic on the first DMA "
               "device, storage on the second; footprint: random reads over a large mapped footprint on "
               "the first; mapbench: Linux's DMA map benchmark on the first, map+unmap pairs with no DMA; "
               "donate: the host donates and reclaims pages while its devices run their pattern traffic)"),
      policy("sw.driver.policy", InvPolicy::Strict, {{"strict", InvPolicy::Strict}, {"lazy", InvPolicy::Lazy}},
             "unmap invalidation: strict (before unmap returns) or lazy (flush queue, whole-context TLBI)"),
      sync("sw.driver.sync", SyncMode::Auto,
           {{"auto", SyncMode::Auto}, {"poll", SyncMode::PollCons}, {"msi", SyncMode::Msi}, {"irq", SyncMode::Irq}},
           "CMD_SYNC completion: auto (Linux: msi when the SMMU has MSIs and is coherent, else poll), poll "
           "CMDQ_CONS, MSI write-back polled in memory, or the wired IRQ"),
      cmdq("sw.driver.cmdq", sw::driver::CmdqAlgo::Linux,
           {{"linux", sw::driver::CmdqAlgo::Linux}, {"simple", sw::driver::CmdqAlgo::Simple}},
           "command queue: linux (mainline arm_smmu_cmdq_issue_cmdlist: slots reserved by cmpxchg on the shared "
           "llq, the owner publishes CMDQ_PROD for every CPU that joined, CMD_SYNC waited with WFE) or simple "
           "(one CPU, one CMDQ_PROD write per call, every wait a poll with back-off: this model's first queue)"),
      ecmdq("sw.driver.ecmdq", false, "",
            "use the SMMU's enhanced command queues (smmu.ecmdqs) as the posted Linux ECMDQ series does: one per "
            "CPU (CPU c on queue c mod n when fewer), each run by sw.driver.cmdq; the main queue carries only the "
            "commands before they are enabled"),
      skip_cleans("sw.driver.skip_cleans", false, "",
                  "fault injection: with smmu.coherent=false the driver leaves out io-pgtable's cleans to the point "
                  "of coherency after its descriptor writes (needs cluster.cache.size > 0 to show: the SMMU then "
                  "walks the stale descriptors DRAM still holds)"),
      btm("sw.driver.btm", false, "",
          "with smmu.btm: clear CR2.PTM so that the CPUs' broadcast TLBIs reach the SMMU (the posted SVA-with-BTM "
          "patches; mainline Linux always sets PTM)"),
      batch("sw.driver.batch", 64, "commands", "commands gathered before a batch is issued without CMD_SYNC",
            {1, 4096}),
      range_inv("sw.driver.range_inv", true, "", "use range TLBIs when the SMMU has IDR3.RIL"),
      ats("sw.driver.ats", true, "",
          "enable PCIe ATS for ATS-capable devices when the SMMU has IDR0.ATS (STE.EATS=1, CMD_ATC_INV after each "
          "TLB invalidation); Linux's default: on whenever both sides support it"),
      full_flush_pages("sw.driver.full_flush_pages", 0, "pages",
                       "an invalidation of this many pages or more becomes one ASID/VMID TLBI (0: never, as Linux "
                       "DMA domains)"),
      inv_instances("sw.driver.inv_instances", sw::driver::InvInstances::Serial,
                    {{"serial", sw::driver::InvInstances::Serial}, {"parallel", sw::driver::InvInstances::Parallel}},
                    "a domain shared by several SMMU instances: invalidate them one after the other, each waiting "
                    "for its CMD_SYNC (serial: Linux's arm_smmu_domain_inv_range, whose batch submit waits), or "
                    "publish every instance's commands first and then wait for every CMD_SYNC (parallel)"),
      prefetch_config("sw.driver.prefetch_config", true, "", "PREFETCH_CONFIG after each STE update (Linux)"),
      fq_queues("sw.driver.fq_queues", sw::driver::FqQueues::PerCpu,
                {{"percpu", sw::driver::FqQueues::PerCpu}, {"single", sw::driver::FqQueues::Single}},
                "lazy: a flush queue per CPU (Linux's default) or one shared by all CPUs (Linux's "
                "IOMMU_DMA_OPTS_SINGLE_QUEUE, for IOMMUs whose flushes shadow)"),
      fq_entries("sw.driver.fq_entries", 0, "",
                 "lazy: entries per flush queue, a power of two; a queue holds one less (0: Linux's, "
                 "IOVA_DEFAULT_FQ_SIZE 256 per CPU, IOVA_SINGLE_FQ_SIZE 32768 single)",
                 {0, 1u << 20}),
      fq_timeout("sw.driver.fq_timeout", sc_core::SC_ZERO_TIME, "",
                 "lazy: the flush-queue timer, armed by the first unmap queued after it last fired (0: Linux's, "
                 "IOVA_DEFAULT_FQ_TIMEOUT 10 ms per CPU, IOVA_SINGLE_FQ_TIMEOUT 1000 ms single)"),
      fq_entry_cycles("sw.driver.fq_entry_cycles", 10, "cycles",
                      "lazy: CPU work per unmap queued or freed (queue_iova / fq_ring_free: ring index, flush "
                      "counter read, entry write; an estimate: a few L1-resident loads and stores)"),
      ssid_bits("sw.driver.ssid_bits", 8, "bits", "SubstreamID bits of a device the scenario attaches by SSID",
                {1, 20}),
      cmdq_log2("sw.driver.cmdq_log2", 10, "", "command queue entries, log2 (capped by IDR1.CMDQS)", {7, 19}),
      evtq_log2("sw.driver.evtq_log2", 10, "", "event queue entries, log2 (capped by IDR1.EVENTQS)", {1, 19}),
      guest_table_memory("sw.driver.guest_table_memory", uint64_t(16) << 20, "bytes",
                         "memory per stage-2 parent for its nested domains' stage-1 tables and CDs (identity-mapped "
                         "in the parent; a power of two)",
                         {uint64_t(1) << 20, uint64_t(1) << 30}),
      s2_ias("sw.driver.s2_ias", 0, "bits",
             "IPA size of the stage-2 tables of the built-in workloads (0: the SMMU's OAS, as Linux's arm-smmu-v3; "
             "KVM's default guest IPA is 40 bits, start level 1 with 4K)",
             {0, 48}),
      s2_concat("sw.driver.s2_concat", sw::pgtable::S2Concat::WhenStartL0Fits,
                {{"start-l0", sw::pgtable::S2Concat::WhenStartL0Fits}, {"mandatory", sw::pgtable::S2Concat::ArchMandatory}},
                "stage-2 root concatenation: start-l0 (Linux up to 6.13: a level-0 start of at most 16 entries) or "
                "mandatory (Linux 6.14 on: only where the architecture requires it; 16K with a 40-bit OAS needs it)"),
      cmd_cycles("sw.driver.cmd_cycles", 20, "cycles",
                 "CPU work to build one command (arm_smmu_cmdq_build_cmd: a memset and a few FIELD_PREPs, about 20 "
                 "instructions); its two 64-bit stores into the queue are timed by the bus"),
      cmdq_call_cycles("sw.driver.cmdq_call_cycles", 40, "cycles",
                       "sw.driver.cmdq=linux: CPU work of one arm_smmu_cmdq_issue_cmdlist call besides its memory "
                       "accesses and atomics (timed by the bus): local_irq_save/restore and the llq arithmetic, "
                       "about 40 instructions of the function's uncontended path"),
      poll_spins("sw.driver.poll_spins", 10, "", "cheap re-polls before backing off (ARM_SMMU_POLL_SPIN_COUNT)"),
      poll_relax("sw.driver.poll_relax", 10, "cycles", "CPU cycles between cheap re-polls (cpu_relax)", {1, 1000000}),
      pte_read_cycles("sw.driver.pte_read_cycles", 2, "cycles", "CPU reading one of its descriptors (cached)"),
      poll_delay("sw.driver.poll_delay", sc_core::sc_time(1, sc_core::SC_US), "",
                 "first back-off delay when polling, doubling after each (udelay)"),
      poll_timeout("sw.driver.poll_timeout", sc_core::sc_time(1, sc_core::SC_SEC), "",
                   "give up waiting for a CMD_SYNC or queue space (counted, warned)"),
      watchdog("sw.watchdog", sc_core::sc_time(5, sc_core::SC_SEC), "",
               "stop the run when the software makes no progress (no command, CMD_SYNC, event, map, unmap or DMA "
               "job completes) for this simulated time (0: never); longer than the driver's own timeouts"),
      doorbell("sw.doorbell_cycles", 200, "cycles", "CPU cost of starting a DMA job (descriptor + doorbell)"),
      lock_cycles("sw.lock_cycles", 20, "cycles",
                  "an uncontended spin_lock_irqsave + spin_unlock_irqrestore (IOVA caches, flush queues): DAIF "
                  "save/mask/restore and an L1-resident CAS + store-release; an estimate from Arm Neoverse "
                  "software optimization guides' L1 load-to-use latency (4 cycles) and atomic latencies. "
                  "Contention (more than one CPU) adds the lock word's accesses in memory"),
      iova_rcache_cycles("sw.iova.rcache_cycles", 15, "cycles",
                         "IOVA range cache: one magazine push or pop with its per-CPU lookup (iova.c "
                         "__iova_rcache_get/insert; an estimate: a handful of L1-resident loads and stores)"),
      iova_depot_cycles("sw.iova.depot_cycles", 100, "cycles",
                        "IOVA range cache: a magazine exchanged with the depot, the 1 KiB magazine's kmem_cache "
                        "alloc or free included (an estimate: a slab fast path is some tens of cycles)"),
      iova_tree_cycles("sw.iova.tree_cycles", 400, "cycles",
                       "IOVA tree: fixed cost of an allocation or free (struct iova kmem_cache alloc/free, "
                       "rb_insert_color/rb_erase, cached-node update; an estimate. Peleg et al., USENIX ATC 2015, "
                       "whose per-CPU caches Linux adopted, measured the tree and its lock as the bottleneck)"),
      iova_tree_node_cycles("sw.iova.tree_node_cycles", 10, "cycles",
                            "IOVA tree: each rbtree level descended and each free range walked past (a pointer "
                            "chase, mostly cache hits; an estimate)"),
      iova_depot_delay("sw.iova.depot_delay", sc_core::sc_time(100, sc_core::SC_MS), "",
                       "IOVA_DEPOT_DELAY: how often a depot larger than the CPUs gives one magazine back to the "
                       "tree"),
      builtin_() {
    if (poll_timeout.value() < sc_core::sc_time(1, sc_core::SC_US)) poll_timeout.fail("must be at least 1 us");
    if (poll_delay.value() == sc_core::SC_ZERO_TIME) poll_delay.fail("must be positive");
    if (guest_table_memory.value() & (guest_table_memory.value() - 1)) guest_table_memory.fail("must be a power of two");
    if (s2_ias.value() != 0 && s2_ias.value() < 32) s2_ias.fail("must be 0 or 32..48");
    if (fq_entries.value() == 1 || (fq_entries.value() & (fq_entries.value() - 1)))
        fq_entries.fail("must be 0 (Linux's) or a power of two of at least 2");
    if (!enable) {
        if (setup_.scenario) enable.fail("a --scenario needs the software (sw.enable=true)");
        return;
    }
    if (setup_.hyp) {
        if (setup_.smmus.size() != 1) throw std::logic_error("the pKVM hypervisor shadows one SMMU");
        setup_.hyp->smmu_regs = setup_.smmus[0].regs;
        setup_.hyp->host_cmdq = cmdq;
        hyp_ = std::make_unique<HypHost>(*setup_.hyp, cpus_.core(0).clock.value());
    }
    bus_ = std::make_unique<sw::hal::TimedBus>(cpus_);
    builtin_.check(bus_->cpus(), setup_.devices.size());
    if (cmdq == sw::driver::CmdqAlgo::Simple && bus_->cpus() > 1)
        cmdq.fail("simple is a single-CPU queue; " + std::to_string(bus_->cpus()) + " CPUs need linux");
    stats_ = std::make_unique<Stats>(*this, bus_->cpus());
    mem_ = std::make_unique<sw::hal::PageAllocator>(setup_.memory_base, setup_.memory_size);
    std::vector<std::pair<std::string, traffic::TrafficGen*>> masters;
    for (const SoftwareSetup::Device& d : setup_.devices) masters.emplace_back(d.name, d.master);
    dma_ = std::make_unique<DeviceDma>(cpus_, masters, doorbell);
    driver_ = std::make_unique<sw::driver::SmmuDriver>(*bus_, *mem_, driver_config(0), *stats_);
    for (size_t i = 1; i < setup_.smmus.size(); ++i) {
        // The same cores, its own interrupt lines: the driver waits for sw::hal::Irq bits of its own.
        irq_buses_.push_back(std::make_unique<sw::hal::TimedBus>(cpus_, unsigned(3 * i)));
        more_drivers_.push_back(
            std::make_unique<sw::driver::SmmuDriver>(*irq_buses_.back(), *mem_, driver_config(i), *stats_));
    }
    if (hyp_) {
        iommu_ = &hyp_->attach(*bus_, *driver_, mem_.get(), lock_cycles);
    } else {
        std::vector<sw::workloads::LinuxIommu::Instance> in{{setup_.smmus[0].name, driver_.get()}};
        for (size_t i = 1; i < setup_.smmus.size(); ++i) in.push_back({setup_.smmus[i].name, more_drivers_[i - 1].get()});
        auto linux_iommu = std::make_unique<sw::workloads::LinuxIommu>(std::move(in));
        for (const SoftwareSetup::Device& d : setup_.devices)
            if (d.ats) linux_iommu->set_ats_capable(d.smmu, d.sid);
        linux_iommu_ = std::move(linux_iommu);
        iommu_ = linux_iommu_.get();
    }
    env_ = std::make_unique<sw::workloads::Env>(*bus_, *iommu_, *dma_);
    env_->reset_stats = [] { core::StatsRegistry::instance().reset_all(); };
    env_->memory = mem_.get();
    env_->pair_done = [this](uint64_t map, uint64_t unmap, uint64_t pair) { stats_->pair_done(map, unmap, pair); };
    env_->iova_costs = iova_costs();
    env_->start_cpus = [this](unsigned n, const std::function<void(unsigned)>& body) { on_cpus(n, body); };
    if (setup_.scenario) {
        sw::workloads::check_scenario(*setup_.scenario, *dma_);
        std::vector<uint32_t> known;  // a hypervisor attaches its host's devices itself
        if (hyp_)
            for (const SoftwareSetup::Device& d : setup_.devices) known.push_back(d.sid);
        for (const std::string& w :
             sw::workloads::scenario_warnings(*setup_.scenario, setup_.dram_base, setup_.dram_size, known)) {
            if (strict) throw sw::workloads::ScenarioError(w + " (sw.strict)");
            std::cerr << "smmu-sim: warning: " << w << " (--strict makes this an error)\n";
        }
    }
    // The workload runs on core 0; the interrupt threads on the core the interrupts go to.
    cpus_.start(0, "main", [this] { main(); });
    cpus_.start(cpus_.irq_cpu, "irq", [this] { driver_->irq_thread(); }, false);
    for (size_t i = 0; i < more_drivers_.size(); ++i)
        cpus_.start(cpus_.irq_cpu, "irq_" + setup_.smmus[i + 1].name, [this, i] { more_drivers_[i]->irq_thread(); },
                    false);
    if (watchdog.value() > sc_core::SC_ZERO_TIME) {
        core::RunControl::instance().watch_budget(&budget_spent_);
        cpus_.start(0, "watchdog", [this] { watch(); }, false);
    }
}

void SoftwareHost::progressed(const char* what) {
    ++progress_;
    last_progress_ = what;
    last_progress_at_ = sc_core::sc_time_stamp();
}

// Wakes a few times per period (and at once when the workload ends, so that the run's end
// time is the software's); an exception here stops the run as a software failure.
void SoftwareHost::watch() {
    const sc_core::sc_time limit = watchdog.value(), step = limit / 4;
    uint64_t seen = progress_ + (env_ ? env_->stats.dma_jobs : 0);
    sc_core::sc_time since = sc_core::sc_time_stamp();
    while (!finished_) {
        sc_core::wait(step, finished_event_ | budget_spent_);
        // A run bounded by --max-transactions stops its devices: the software then waits for
        // DMA that never comes, by design, and the run ends when its events do.
        if (core::RunControl::instance().budget_spent()) return;
        const uint64_t now = progress_ + (env_ ? env_->stats.dma_jobs : 0);
        if (now != seen) {
            seen = now;
            since = sc_core::sc_time_stamp();
        } else if (!finished_ && sc_core::sc_time_stamp() - since >= limit) {
            throw std::runtime_error("sw.watchdog: the software made no progress for " + limit.to_string() +
                                     " of simulated time (last progress: " + last_progress_ + " at " +
                                     last_progress_at_.to_string() + "; last driver warning: " +
                                     (last_warning_.empty() ? std::string("none") : "'" + last_warning_ + "'") + ")");
        }
    }
}

SoftwareHost::~SoftwareHost() {
    core::RunControl::instance().watch_budget(nullptr);
    cpus_.kill_threads();
}

sw::driver::DriverConfig SoftwareHost::driver_config(size_t smmu) const {
    const sc_core::sc_time period = cpus_.core(0).clock.value();
    auto cycles = [&](const sc_core::sc_time& t) { return uint64_t(t / period); };
    sw::driver::DriverConfig c;
    c.regs = setup_.smmus.at(smmu).regs;
    c.policy = policy;
    c.sync = sync;
    // The pKVM hypervisor completes its CMD_SYNCs by polling CMDQ_CONS (CS=SEV), as the series.
    if (setup_.hyp && c.sync == sw::driver::SyncMode::Auto) c.sync = sw::driver::SyncMode::PollCons;
    // Its queue is the series' own (arch/arm64/kvm/hyp/nvhe/iommu/arm-smmu-v3.c: commands
    // written and PROD published under the hypervisor's lock, CONS polled), not Linux's.
    if (setup_.hyp) c.cmdq = sw::driver::CmdqAlgo::Simple;
    c.batch = batch;
    c.range_inv = range_inv;
    c.ats = ats;
    // The pKVM hypervisor trusts no device of the host: Translated transactions are checked.
    c.atschk = bool(setup_.hyp);
    c.pci_ats = [this, smmu](uint32_t sid, bool on) {
        for (const SoftwareSetup::Device& d : setup_.devices)
            if (d.smmu == smmu && d.sid == sid && d.set_ats) d.set_ats(on);
    };
    c.full_flush_pages = full_flush_pages;
    c.inv_instances = inv_instances;
    c.instance = unsigned(smmu);
    c.prefetch_config = prefetch_config;
    c.fq_queues = fq_queues;
    c.fq_entries = fq_entries ? fq_entries.value() : sw::driver::linux_fq_entries(fq_queues);
    c.fq_timeout = fq_timeout.value() > sc_core::SC_ZERO_TIME
                       ? cycles(fq_timeout)
                       : cycles(sc_core::sc_time(sw::driver::linux_fq_timeout_ms(fq_queues), sc_core::SC_MS));
    c.fq_entry_cycles = fq_entry_cycles;
    c.lock_cycles = lock_cycles;
    c.ssid_bits = ssid_bits;
    c.cmdq_log2 = cmdq_log2;
    c.evtq_log2 = evtq_log2;
    c.guest_table_memory = guest_table_memory;
    c.s2_ias = unsigned(s2_ias.value());
    c.s2_concat = s2_concat;
    c.cmd_cycles = cmd_cycles;
    c.cmdq = cmdq;
    c.ecmdq = ecmdq && !setup_.hyp;
    c.skip_cleans = skip_cleans;  // the pKVM hypervisor's driver keeps to the series' one queue
    c.btm = btm;
    c.cpu_tlb.range = c.cpu_tlb.ttl = cpus_.tlbi_range;
    c.cpu_tlb.bbml2 = cpus_.bbml2_noabort;
    c.cmdq_call_cycles = cmdq_call_cycles;
    c.poll_spins = poll_spins;
    c.poll_relax = poll_relax;
    c.poll_delay = std::max<uint64_t>(1, cycles(poll_delay));
    c.poll_timeout = cycles(poll_timeout);
    c.pte_read_cycles = pte_read_cycles;
    return c;
}

sw::workloads::IovaCosts SoftwareHost::iova_costs() const {
    sw::workloads::IovaCosts c;
    c.rcache_cycles = iova_rcache_cycles;
    c.depot_cycles = iova_depot_cycles;
    c.tree_cycles = iova_tree_cycles;
    c.tree_node_cycles = iova_tree_node_cycles;
    c.lock_cycles = lock_cycles;
    c.depot_delay = uint64_t(iova_depot_delay.value() / cpus_.core(0).clock.value());
    return c;
}

// The workload's queues on cores 1..n-1 as their own software threads, core 0's in the
// calling thread; returns when every one has.
void SoftwareHost::on_cpus(unsigned n, const std::function<void(unsigned)>& body) {
    unsigned running = n - 1;
    sc_core::sc_event done;
    for (unsigned c = 1; c < n; ++c)
        cpus_.start(c, "workload", [&body, &running, &done, c] {
            body(c);
            if (--running == 0) done.notify(sc_core::SC_ZERO_TIME);
        }, false);
    body(0);
    while (running) sc_core::wait(done);
}

// What stops the software because of the configuration it was given (a parameter the SMMU
// cannot honour, memory too small, a workload that does not fit) is the user's input: it
// becomes a ScenarioError (exit 2) naming the workload.
void SoftwareHost::main() {
    const char* what = setup_.scenario ? "software" : "sw.workload";
    try {
        run();
    } catch (const sw::workloads::ScenarioError&) {
        throw;
    } catch (const sw::driver::DriverError& e) {
        throw sw::workloads::ScenarioError(std::string(what) + ": " + e.what());
    } catch (const sw::hal::OutOfMemory& e) {
        throw sw::workloads::ScenarioError(std::string(what) + ": " + e.what());
    } catch (const std::invalid_argument& e) {
        throw sw::workloads::ScenarioError(std::string(what) + ": " + e.what());
    }
    iommu_->flush_pending();
    finished_ = true;
    finished_event_.notify();
    if (setup_.on_finished) setup_.on_finished();
}

void SoftwareHost::run() {
    if (hyp_) hyp_->init();
    else driver_->probe_and_reset();
    for (const auto& d : more_drivers_) d->probe_and_reset();
    if (setup_.scenario) {
        sw::workloads::run_scenario(*setup_.scenario, *env_);
    } else if (workload == Workload::Donate) {
        hyp_->run_donations(*env_);
    } else if (workload != Workload::None) {
        WorkloadDevices w;
        for (const auto& d : setup_.devices) w.devices.push_back({d.name, d.smmu, d.sid});
        w.buffers_base = setup_.buffers_base;
        w.buffers_size = setup_.buffers_size;
        const auto kind = workload == Workload::Nic       ? BuiltinWorkloads::Kind::Nic
                          : workload == Workload::Storage ? BuiltinWorkloads::Kind::Storage
                          : workload == Workload::Footprint ? BuiltinWorkloads::Kind::Footprint
                                                            : BuiltinWorkloads::Kind::Mapbench;
        builtin_.run(kind, w, bus_->cpus(), *env_);
    }
}

}  // namespace smmusim::platforms
