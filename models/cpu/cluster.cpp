#include "models/cpu/cluster.h"

#include <algorithm>
#include <stdexcept>

namespace smmusim::cpu {

Cluster::Cluster()
    : cpus("cpus", 1, "", "CPU cores running the software (named cpu0, cpu1, ...; one core is named cpu)",
           {1, kMaxCpus}),
      // An estimate: Arm does not publish the Neoverse N1 / Cortex-A76 latency of an atomic
      // on a line another core holds. It is a core-to-core cache-line transfer through the
      // mesh, which the core-to-core latency tests of N1 servers (AnandTech's Ampere Altra
      // reviews) put at tens of ns; 100 cycles is 50 ns at the CPU's default 2 GHz.
      atomic_cycles("cluster.atomic_cycles", 100, "cycles",
                    "cost of moving a cache line to a core for an atomic when another core touched it last "
                    "(estimate: a Neoverse N1 mesh's core-to-core transfer, 50 ns at 2 GHz)",
                    {0, 1000000}),
      // Arm's Neoverse N1 Software Optimization Guide gives a 4-cycle L1D load-to-use latency;
      // an uncontended LSE atomic or store on a line the core holds is of that order.
      cached_cycles("cluster.cached_cycles", 4, "cycles",
                    "cost of a load, store or atomic on CPU-only data (locks, the command queue's llq) whose line "
                    "this core holds in its cache (Neoverse N1 L1D load-to-use, 4 cycles)",
                    {0, 1000000}),
      // Estimates for a Cortex-A76 / Neoverse N1 class core with no stores outstanding (the
      // wait for posted stores is the write buffer's drain, timed separately).
      dmb_cycles("cluster.dmb_cycles", 10, "cycles",
                 "cost of a DMB (dma_wmb, smp_mb) beyond ordering (estimate for a Cortex-A76 class core)",
                 {0, 1000000}),
      dsb_cycles("cluster.dsb_cycles", 40, "cycles",
                 "cost of a DSB beyond waiting for posted stores (estimate for a Cortex-A76 class core)",
                 {0, 1000000}),
      event_stream("cluster.event_stream", sc_core::sc_time(100, sc_core::SC_US), "",
                   "period of the generic timer's event stream that wakes WFE (Linux arm64: 10 kHz, "
                   "ARCH_TIMER_EVT_STREAM_PERIOD_US = 100; 0: off)"),
      irq_cpu("cluster.irq_cpu", 0, "", "core the SMMU's wired interrupts (and the software's IRQ thread) go to",
              {0, kMaxCpus - 1}),
      // Off by default: without it every access the software makes is a memory transaction (the
      // model of the first rounds; every study before issue 18 ran so). Arm's Neoverse N1 and
      // Cortex-A76 have a 64 KiB 4-way L1D (TRMs); the private L2 behind it is not modelled.
      cache_size("cluster.cache.size", 0, "bytes",
                 "each core's write-back data cache (0: none, every access a memory transaction; Neoverse N1 / "
                 "Cortex-A76 L1D: 65536)",
                 {0, uint64_t(1) << 26}),
      cache_ways("cluster.cache.ways", 4, "", "associativity of the data caches (Neoverse N1 L1D: 4)", {1, 64}),
      // An estimate: Arm's optimization guides give no latency for DC CVAC / CIVAC; the issue
      // cost of a by-VA maintenance instruction on a line the core holds is taken as a few L1D
      // accesses. The write-back it causes is timed as a memory write.
      cmo_cycles("cluster.cache.cmo_cycles", 8, "cycles",
                 "cost of one DC CVAC / CIVAC by line beyond its write-back (estimate: a few L1D accesses)",
                 {0, 1000000}),
      // An estimate: a coherent device's read of a line dirty in a CPU cache is answered from that
      // cache after a snoop, which costs of the order of a core-to-core transfer (atomic_cycles).
      snoop_cycles("cluster.cache.snoop_cycles", 100, "cycles",
                   "extra latency of a coherent device access to a line dirty in a CPU cache (the snoop; estimate "
                   "as cluster.atomic_cycles, a core-to-core transfer)",
                   {0, 1000000}),
      // An estimate: Arm's optimization guides give no issue cost for a broadcast TLBI; its
      // completion (the DVM round trip) is what the DSB after it waits for, timed by the DVM node.
      tlbi_cycles("cluster.tlbi_cycles", 20, "cycles",
                  "cost of issuing one TLBI instruction, beyond its completion, which the DSB after it waits for "
                  "(estimate; swept in docs/studies/coherency_btm.md)",
                  {0, 1000000}),
      tlbi_range("cluster.tlbi_range", false, "",
                 "the cores have Armv8.4's range TLBIs and TTL hints (FEAT_TLBIRANGE, FEAT_TTL), which Linux uses for "
                 "a process's TLB flushes (Neoverse N1 / Cortex-A76, Armv8.2: no; Neoverse N2: yes)"),
      bbml2_noabort("cluster.bbml2_noabort", false, "",
                    "the cores change mapping sizes without break-before-make (FEAT_BBM level 2 with no TLB conflict "
                    "aborts, Linux's BBML2_NOABORT allow-list; not Neoverse N1): SVA then needs an SMMU with "
                    "IDR3.BBML = 2 and a process's block splits go without the break"),
      sevs_("cluster.sevs", "SEV events sent to the cores (a core's SEV, the SMMU's)"),
      monitor_clears_("cluster.monitor_clears",
                      "exclusive monitors cleared by a write to their line (WFE wake-ups)") {
    if (irq_cpu >= cpus) irq_cpu.fail("must be below cpus (" + std::to_string(cpus.value()) + ")");
    const unsigned n = cpus;
    for (unsigned i = 0; i < n; ++i) cores_.push_back(std::make_unique<Cpu>(core_name(i, n).c_str()));
    // A failure on one core ends the software on all of them (Cpu::fail).
    for (unsigned i = 0; i < n; ++i)
        cores_[i]->on_failure = [this, i] {
            if (first_failed_ == kNoCore) first_failed_ = i;
            for (auto& o : cores_) o->kill_others();
        };
    monitor_.assign(n, kNone);
    tlbi_pending_.assign(n, 0);
    monitoring_.reserve(n);
    for (unsigned i = 0; i < n; ++i) turn_.push_back(std::make_unique<sc_core::sc_event>());
    directory_.assign(kDirectory, Owner{});
    if (cache_size) {
        if (cache_size % (uint64_t(cache_ways) * kLine) ||
            ((cache_size / (uint64_t(cache_ways) * kLine)) & (cache_size / (uint64_t(cache_ways) * kLine) - 1)))
            cache_size.fail("must be a power of two number of sets of cluster.cache.ways 64-byte lines");
        caches_ = std::make_unique<DataCaches>(n, cache_size, cache_ways);
        make_cache_stats();
    }
}

Cluster::~Cluster() { kill_threads(); }

std::string Cluster::core_name(unsigned i, unsigned n) { return n == 1 ? "cpu" : "cpu" + std::to_string(i); }

void Cluster::start(unsigned core_index, const std::string& name, std::function<void()> body, bool main) {
    const sc_core::sc_process_handle h = core(core_index).start(name, std::move(body), main);
    thread_core_[h.get_process_object()] = core_index;
}

unsigned Cluster::current_index() const {
    if (cores_.size() == 1) return 0;
    const sc_core::sc_process_handle h = sc_core::sc_get_current_process_handle();
    auto it = thread_core_.find(h.get_process_object());
    return it == thread_core_.end() ? 0 : it->second;
}

bool Cluster::finished() const {
    return std::all_of(cores_.begin(), cores_.end(), [](const auto& c) { return c->finished(); });
}

const std::string& Cluster::failure() const {
    return first_failed_ == kNoCore ? no_failure_ : cores_[first_failed_]->failure();
}

std::exception_ptr Cluster::failure_exception() const {
    return first_failed_ == kNoCore ? nullptr : cores_[first_failed_]->failure_exception();
}

void Cluster::kill_threads() {
    for (auto& c : cores_) c->kill_threads();
}

void Cluster::connect_irq(unsigned index, const sc_core::sc_signal_in_if<bool>& line) {
    core(irq_cpu).connect_irq(index, line);
}

void Cluster::connect_sev(const sc_core::sc_event& ev) {
    sc_core::sc_spawn_options opts;
    opts.spawn_method();
    opts.dont_initialize();
    opts.set_sensitivity(&ev);
    // One process per source (one per SMMU), each with its own name.
    const std::string name = "cluster_sev" + (sev_sources_ ? "_" + std::to_string(sev_sources_) : std::string());
    ++sev_sources_;
    sc_core::sc_spawn([this] { sev(); }, name.c_str(), &opts);
}

DvmRequester& Cluster::dvm_port() {
    if (!dvm_) dvm_ = std::make_unique<DvmRequester>("cpu_dvm");
    return *dvm_;
}

void Cluster::tlbi(unsigned i, const smmu::arch::dvm::Message& m) {
    if (!dvm_) return;
    dvm_->tlbi(i, m);
    tlbi_pending_[i] = 1;
}

void Cluster::tlbi_sync(unsigned i) {
    if (!dvm_ || !tlbi_pending_[i]) return;
    tlbi_pending_[i] = 0;
    dvm_->sync(i);
}

void Cluster::sev() {
    ++sevs_;
    for (auto& c : cores_) c->send_event();
}

void Cluster::arm_monitor(unsigned i, uint64_t addr) {
    if (monitor_[i] == kNone) monitoring_.push_back(i);
    monitor_[i] = addr / kLine;
}

void Cluster::clear_monitor(unsigned i) {
    if (monitor_[i] == kNone) return;
    monitor_[i] = kNone;
    monitoring_.erase(std::find(monitoring_.begin(), monitoring_.end(), i));
}

void Cluster::memory_written(uint64_t addr, uint64_t len) {
    if (monitoring_.empty() || !len) return;
    const uint64_t first = addr / kLine, last = (addr + len - 1) / kLine;
    for (size_t k = 0; k < monitoring_.size();) {
        const unsigned i = monitoring_[k];
        if (monitor_[i] >= first && monitor_[i] <= last) {
            // The monitor goes from exclusive to open: a WFE wake-up event for its core.
            monitor_[i] = kNone;
            monitoring_[k] = monitoring_.back();
            monitoring_.pop_back();
            ++monitor_clears_;
            cores_[i]->send_event();
        } else {
            ++k;
        }
    }
}

void Cluster::add_range(std::map<uint64_t, uint64_t>& ranges, uint64_t addr, uint64_t len) {
    if (!len) return;
    // Whole lines: a cache holds lines, and the owners align this data to lines.
    const uint64_t start = addr / kLine * kLine, end = (addr + len + kLine - 1) / kLine * kLine;
    ranges[start] = std::max(end, ranges.count(start) ? ranges[start] : 0);
}

void Cluster::add_private(uint64_t addr, uint64_t len) { add_range(private_, addr, len); }

bool Cluster::private_access(unsigned i, uint64_t addr, bool exclusive) {
    std::bitset<kMaxCpus>& h = holders_[addr / kLine];
    bool ok = true;
    if (h.none()) {
        // First touch: the line comes from memory.
        unsigned char buf[8] = {};
        ok = core(i).access(false, addr / kLine * kLine, buf, sizeof buf);
    } else if (h.test(i) && (!exclusive || h.count() == 1)) {
        core(i).work(cached_cycles);
    } else {
        // Another core holds the line (for a load: it has it dirty; for a store or atomic: the
        // others' copies are invalidated): one core-to-core transfer.
        core(i).stall_transfer(atomic_cycles);
    }
    if (exclusive) h.reset();
    h.set(i);
    return ok;
}

bool Cluster::atomic_begin(unsigned i, uint64_t addr, unsigned len) {
    const uint64_t line = addr / kLine;
    // Atomics on one line are serialized, in the order the cores asked: the line is owned by
    // one core at a time, and a core that loops on atomics cannot starve the others. The
    // front of a line's queue has the atomic in flight; the others wait for their turn.
    std::deque<unsigned>& q = line_queue_[line];
    q.push_back(i);
    while (q.front() != i) sc_core::wait(*turn_[i]);
    if (is_private(addr)) {
        core(i).count_atomic();
        return private_access(i, addr, true);
    }
    Owner& o = owner(addr);
    if (o.line == line && o.core != i) core(i).stall_transfer(atomic_cycles);
    o = Owner{line, i};
    unsigned char buf[8] = {};
    return core(i).atomic_access(addr, buf, std::min<unsigned>(len, sizeof buf));
}

// A line's queue stays when it empties: the lines that see atomics are few (locks, the
// command queue's shared words, page-table entries) and keeping them allocates nothing more.
void Cluster::atomic_end(unsigned, uint64_t addr) {
    std::deque<unsigned>& q = line_queue_.at(addr / kLine);
    q.pop_front();
    if (!q.empty()) turn_[q.front()]->notify();
}

}  // namespace smmusim::cpu
