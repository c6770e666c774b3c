#pragma once
// The CPU cluster that runs the software (issue 12): `cpus` cores, each a cpu::Cpu with its
// own timed port into the interconnect and its own software threads. Cores are named cpu0,
// cpu1, ...; a cluster of one core names it `cpu`, so that one-CPU runs keep their parameter
// and stat names.
//
// What Linux needs from the architecture on several CPUs, with its timing:
// - Atomics (Armv8.1 LSE: LDADD, SWP, CAS, ...): one timed memory access, plus a cache-line
//   ownership transfer when another core touched the line last; atomics on one line are
//   serialized, and the read-modify-write happens at one instant of simulated time.
// - Data only CPUs touch (add_private: locks, the command queue's llq and valid map) lives in
//   the cores' caches: a line directory (which cores hold each line, MESI-like: one holder
//   for a store or atomic, several readers) times each access as a hit
//   (cluster.cached_cycles), a transfer from another core (cluster.atomic_cycles) or, on the
//   line's first touch, a memory read through the core's port.
// - Exclusive monitors: a load-exclusive arms the core's monitor on a 64-byte line (the
//   exclusives reservation granule of Arm's cores); any write to the line by any agent (a
//   core's store, a device's DMA, the SMMU's MSI write) clears it, which is a WFE wake-up event
//   (Arm ARM D1.6.1 "the clearing of the global monitor"). The platform forwards memory writes
//   to memory_written().
// - SEV (from a core, or from the SMMU when IDR0.SEV) sets every core's event register.
// - The generic timer's event stream (Linux arm64 enables it at 10 kHz, ARCH_TIMER_EVT_STREAM_PERIOD_US
//   = 100) wakes WFE periodically.
// - Wired interrupts go to one core (cluster.irq_cpu).
// - Data caches (cluster.cache.size > 0, issue 18; models/cpu/data_cache.h): a write-back
//   cache per core for cacheable memory: a load or store costs a hit (cluster.cached_cycles),
//   a transfer from another core (cluster.atomic_cycles) or a line fill through the core's
//   port; a store stays in the cache until evicted or cleaned (DC CVAC / CIVAC by line,
//   cluster.cache.cmo_cycles each, the write-back posted and completed by the next DSB); DC ZVA
//   zeroes a line without a fill. Memory the software declares non-cacheable (Linux's
//   dma_alloc_coherent for a non-coherent device) and CPU-only data (add_private) bypass them.
//   What DRAM holds under dirty lines is kept by mem::DirtyLines: a non-coherent SMMU reads it.
// Which core a call is for is the core running the calling software thread (current()).

#include <bitset>
#include <cstdint>
#include <functional>
#include <iterator>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <systemc>

#include "models/core/params.h"
#include "models/core/stats.h"
#include "models/cpu/cpu.h"
#include "models/cpu/data_cache.h"
#include "models/cpu/dvm_requester.h"
#include "models/mem/dirty_lines.h"

namespace smmusim::mem {
class Memory;
}

namespace smmusim::cpu {

class Cluster {
public:
    static constexpr unsigned kMaxCpus = 256;
    static constexpr uint64_t kLine = 64;  // exclusives reservation granule and cache line

    Cluster();
    ~Cluster();
    Cluster(const Cluster&) = delete;
    Cluster& operator=(const Cluster&) = delete;

    core::Param<uint32_t> cpus;
    core::Param<uint64_t> atomic_cycles;
    core::Param<uint64_t> cached_cycles;
    core::Param<uint64_t> dmb_cycles;
    core::Param<uint64_t> dsb_cycles;
    core::Param<sc_core::sc_time> event_stream;
    core::Param<uint32_t> irq_cpu;
    core::Param<uint64_t> cache_size;
    core::Param<uint32_t> cache_ways;
    core::Param<uint64_t> cmo_cycles;
    core::Param<uint64_t> snoop_cycles;
    core::Param<uint64_t> tlbi_cycles;
    core::Param<bool> tlbi_range;
    core::Param<bool> bbml2_noabort;

    unsigned size() const { return unsigned(cores_.size()); }
    Cpu& core(unsigned i) { return *cores_.at(i); }
    const Cpu& core(unsigned i) const { return *cores_.at(i); }
    // The name of core `i` of a cluster of `n` ("cpu" when n == 1, else "cpu<i>").
    static std::string core_name(unsigned i, unsigned n);

    // Starts `body` as a software thread on core `core_index` (see Cpu::start).
    void start(unsigned core_index, const std::string& name, std::function<void()> body, bool main = true);
    // The core running the calling SystemC process: the core a software thread was started on.
    // A process no core started (a test's own thread) is taken as core 0.
    unsigned current_index() const;
    Cpu& current() { return core(current_index()); }
    const Cpu& current() const { return core(current_index()); }

    // Every core's main threads have ended.
    bool finished() const;
    // The first failure of any core's software ("" if none; the failure stops the run and
    // ends every core's threads), and its exception.
    const std::string& failure() const;
    std::exception_ptr failure_exception() const;
    void kill_threads();

    // Wires interrupt line `index` to core irq_cpu.
    void connect_irq(unsigned index, const sc_core::sc_signal_in_if<bool>& line);
    // Every notification of `ev` is an SEV to all cores (the SMMU's, when IDR0.SEV).
    void connect_sev(const sc_core::sc_event& ev);
    // SEV: sets every core's event register.
    void sev();

    // A write to [addr, addr + len) by any agent: clears the exclusive monitors on its lines.
    void memory_written(uint64_t addr, uint64_t len);
    // Load-exclusive's side effect: core `i` monitors the line of `addr` (one line per core).
    void arm_monitor(unsigned i, uint64_t addr);
    void clear_monitor(unsigned i);
    bool monitoring(unsigned i) const { return monitor_[i] != kNone; }

    // An atomic by core `i` on the `len` bytes at `addr`: waits for an atomic of another core
    // on the line to finish, pays the line's ownership transfer when another core touched it
    // last, then makes the timed access. The caller does the read-modify-write (untimed) on
    // return, before any wait, then calls atomic_end. False: the access was answered with an
    // error (atomic_end is still due).
    bool atomic_begin(unsigned i, uint64_t addr, unsigned len);
    void atomic_end(unsigned i, uint64_t addr);
    // [addr, addr + len) holds data only the CPUs touch (Bus::cpu_private): cached.
    void add_private(uint64_t addr, uint64_t len);
    bool is_private(uint64_t addr) const { return in(private_, addr); }
    // An access of core `i` to the private line of `addr`, for a store or atomic
    // (`exclusive`) or a load: waits its cost (a hit; a transfer when another core holds the
    // line, or for a store shares it; the line's first touch: a memory read). False: that
    // read was answered with an error.
    bool private_access(unsigned i, uint64_t addr, bool exclusive);
    // A plain load or store of core `i` to memory at `addr`: it now holds the line.
    void touched(unsigned i, uint64_t addr) {
        if (cores_.size() > 1) owner(addr) = Owner{addr / kLine, i};
    }

    // ---- Broadcast TLB maintenance ----
    // The cluster's port into the DVM domain, created on the first call (by the platform, when
    // an SMMU has IDR0.BTM; before the simulation starts). Without it TLBIs reach no one.
    DvmRequester& dvm_port();
    bool has_dvm() const { return dvm_ != nullptr; }
    // A broadcast TLBI by core `i` (its cluster.tlbi_cycles are the caller's to charge): posted
    // to the DVM domain; core i's next DSB waits for it (tlbi_sync).
    void tlbi(unsigned i, const smmu::arch::dvm::Message& m);
    // What core i's DSB adds: a DVM Sync when it has posted TLBIs since its last one.
    void tlbi_sync(unsigned i);

    // ---- Data caches (cluster.cache.size > 0) ----
    // A memory the cores' caches sit in front of (the platform calls it for each memory; no-op
    // without caches). Before the simulation starts.
    void attach_memory(mem::Memory& m);
    bool caches_on() const { return caches_ != nullptr; }
    // [addr, addr + len) is mapped non-cacheable by the software: its accesses bypass the caches.
    void add_non_cacheable(uint64_t addr, uint64_t len);
    // Whether a memory access to `addr` goes through the caches.
    bool cacheable(uint64_t addr) const {
        return caches_ && !in(non_cacheable_, addr) && !is_private(addr) && dirty_lines(addr);
    }
    // Brings the line of `addr` into core `i`'s cache for a load, a store or (`zero`) a DC ZVA,
    // waiting what that costs; from its return no simulated time passes before the caller's data
    // access (load_cached / store_cached). Returns a dirty line it evicted, to write_back() after
    // that access (DataCaches::kNone if none). `ok` false: the line fill was answered with an error.
    uint64_t acquire_line(unsigned i, uint64_t addr, bool store, bool zero, bool& ok);
    // The data of a cached access, at this instant: a store marks its line dirty (DRAM keeps the
    // older bytes). False if the memory did not take it.
    bool load_cached(unsigned i, uint64_t addr, void* dst, unsigned len);
    bool store_cached(unsigned i, uint64_t addr, const void* src, unsigned len);
    // Posts the write-back of dirty line `line` from core `i` (an eviction or a clean).
    void write_back(unsigned i, uint64_t line);
    // DC CVAC (`invalidate`: DC CIVAC) by core `i` on the line of `addr`: cluster.cache.cmo_cycles,
    // and a dirty line's write-back posted (the next DSB waits for it).
    void clean_line(unsigned i, uint64_t addr, bool invalidate);

private:
    static constexpr uint64_t kNone = ~uint64_t(0);
    static bool in(const std::map<uint64_t, uint64_t>& ranges, uint64_t addr) {
        auto it = ranges.upper_bound(addr);
        return it != ranges.begin() && addr < std::prev(it)->second;
    }
    mem::DirtyLines* dirty_lines(uint64_t addr) const;
    void make_cache_stats();
    static void add_range(std::map<uint64_t, uint64_t>& ranges, uint64_t addr, uint64_t len);
    static constexpr unsigned kDirectory = 4096;  // lines whose last core is remembered
    struct Owner {
        uint64_t line = kNone;
        unsigned core = 0;
    };
    Owner& owner(uint64_t addr) { return directory_[(addr / kLine) % kDirectory]; }

    std::vector<std::unique_ptr<Cpu>> cores_;
    std::unordered_map<const sc_core::sc_object*, unsigned> thread_core_;
    std::vector<uint64_t> monitor_;    // line monitored by each core, or kNone
    std::vector<unsigned> monitoring_; // cores with a monitor armed
    // Atomics on one line, one at a time in the order the cores asked: the cores queued behind
    // a line's atomic in flight, each woken by its own event when its turn comes (waking every
    // waiter at each atomic's end costs O(cores) per atomic, O(cores^2) under contention).
    std::unordered_map<uint64_t, std::deque<unsigned>> line_queue_;  // per line: front in flight, then waiters
    std::vector<std::unique_ptr<sc_core::sc_event>> turn_;           // per core: its turn came
    std::vector<Owner> directory_;
    std::map<uint64_t, uint64_t> private_;  // start -> end of the private ranges
    std::unordered_map<uint64_t, std::bitset<kMaxCpus>> holders_;  // private line -> cores holding it
    static constexpr unsigned kNoCore = ~0u;
    unsigned first_failed_ = kNoCore;  // the core whose software failed first
    std::string no_failure_;

    // Data caches (null without): tags, DRAM images per attached memory, counters.
    struct CacheStats {
        core::Counter hits{"cluster.cache.hits", "cached loads and stores whose line the core held"};
        core::Counter fills{"cluster.cache.fills", "lines read from memory into a core's cache (misses)"};
        core::Counter transfers{"cluster.cache.transfers", "lines moved from another core's cache"};
        core::Counter zeroes{"cluster.cache.zeroes", "lines zeroed in the cache without a fill (DC ZVA)"};
        core::Counter write_backs{"cluster.cache.write_backs", "dirty lines written back (evictions and cleans)"};
        core::Counter cmos{"cluster.cache.cmos", "DC CVAC / CIVAC instructions executed"};
    };
    std::unique_ptr<DataCaches> caches_;
    std::vector<std::pair<mem::Memory*, std::unique_ptr<mem::DirtyLines>>> memories_;
    std::map<uint64_t, uint64_t> non_cacheable_;
    std::unique_ptr<CacheStats> cache_stats_;

    std::unique_ptr<DvmRequester> dvm_;
    std::vector<uint8_t> tlbi_pending_;  // per core: TLBIs posted since its last DVM Sync

    core::Counter sevs_;
    unsigned sev_sources_ = 0;
    core::Counter monitor_clears_;
};

}  // namespace smmusim::cpu
