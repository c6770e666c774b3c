#pragma once
// Built-in workloads: what a platform's software does when no scenario is given. Each sets up
// one domain for one device and then maps, DMAs and unmaps buffers the way a driver of that
// kind of device does through the DMA API, so that the unmap policy (strict or lazy, range or
// per-page invalidation, batching) is exercised at a realistic rate.

#include <cstdint>
#include <string>
#include <vector>

#include "sw/workloads/env.h"

namespace smmusim::sw::workloads {

// Where a workload's device sits and what its domain looks like.
struct DeviceSetup {
    std::string dev;
    size_t smmu = 0;  // the SMMU instance the device sits behind
    uint32_t sid = 0;
    driver::DomainKind stage = driver::DomainKind::S1;
    unsigned granule_shift = 12;
    unsigned ias = 0;  // 0: the driver's default (48 for stage 1, the SMMU's IAS for stage 2)
    uint64_t buffers_base = 0x80000000;   // physical memory the device's buffers come from
    uint64_t buffers_size = uint64_t(64) << 20;
};

// How a built-in workload spreads over CPUs: each of `cpus` CPUs runs the whole workload on
// its own queue (its own descriptor ring, buffers in flight, share of the buffer memory and
// random stream), all on the one device and domain (a multi-queue device: Linux maps through
// the one DMA domain from every CPU), or with `own` set CPU c on device own[c] with its own
// domain (with `one_domain`, all in one domain).
struct PerCpu {
    unsigned cpus = 1;
    std::vector<DeviceSetup> own;  // empty: shared
    // With `own`: one domain for every device (own[0]'s, attached on each device's SMMU
    // instance), so that every unmap reaches every instance the devices sit behind.
    bool one_domain = false;
};

// A network card: every packet gets a freshly mapped buffer (dma_map_single), a DMA of the
// packet (a receive writes it, a transmit reads it), and the unmap once it completes;
// `in_flight` buffers are outstanding at a time, recycled oldest first. Before each packet the
// card reads its 64-byte descriptor from a ring mapped once for the whole run (`ring_bytes`,
// 0: none): the long-lived translation an over-wide invalidation takes away.
struct NicParams {
    DeviceSetup setup;
    uint64_t packets = 2000;
    unsigned in_flight = 16;
    uint32_t packet_bytes = 1536;
    uint32_t txn_bytes = 256;       // DMA burst
    double rx_fraction = 0.5;
    uint64_t cpu_cycles = 1000;     // stack work per packet
    uint64_t ring_bytes = 16384;
    uint64_t seed = 1;
    PerCpu per_cpu;
};
void run_nic(const NicParams& p, Env& env);

// A storage controller: requests of `request_bytes` (mapped as one contiguous IOVA range, as
// dma_map_sg on an IOMMU does), `queue_depth` in flight, read or written in `txn_bytes` bursts.
struct StorageParams {
    DeviceSetup setup;
    uint64_t requests = 200;
    unsigned queue_depth = 4;
    uint64_t request_bytes = uint64_t(128) << 10;
    uint32_t txn_bytes = 4096;
    double read_fraction = 0.7;
    uint64_t cpu_cycles = 5000;     // block-layer work per request
    uint64_t seed = 1;
    PerCpu per_cpu;
};
void run_storage(const StorageParams& p, Env& env);

// Linux's DMA map benchmark (kernel/dma/map_benchmark.c, tools/testing/selftests/dma): each
// CPU maps one buffer of `pages` granule pages (dma_map_single: IOVA allocation and page-table
// map), spins `trans_cycles` (its ndelay(dma_trans_ns)) and unmaps it (dma_unmap_single: page
// table, invalidation as the policy says, IOVA free), `ops` times, with no DMA: the CPU cost of
// the DMA API alone and how CPUs contend in it (the command queue above all). Each pair is
// reported to Env::pair_done. The CPUs start a random time apart, as the benchmark's threads
// wake one after another.
struct MapbenchParams {
    DeviceSetup setup;
    uint64_t ops = 1000;
    uint64_t pages = 1;
    uint64_t trans_cycles = 0;
    uint64_t cpu_cycles = 0;  // before each map (map_benchmark's memset of the buffer)
    uint64_t start_skew_cycles = 0;  // each CPU starts after a random 0..this (its thread's wake-up)
    uint64_t warmup = 0;             // each CPU's first pairs, not reported (table builds, first touches)
    uint64_t seed = 1;
    PerCpu per_cpu;
    // SVA instead of the DMA API: each CPU c's own process (CPU ASID kSvaAsid + c) with an SVA
    // domain on PASID c + 1 of every device of `sva_devices` (each on its SMMU instance); a map
    // populates pinned pages of the process at a fixed VA, an unmap is its munmap (the CPU's
    // TLB flush, the SMMU notifier). `setup` gives the buffer memory.
    bool sva = false;
    std::vector<DeviceSetup> sva_devices;
};
constexpr uint16_t kSvaAsid = 256;
void run_mapbench(const MapbenchParams& p, Env& env);

// A device reading at random over a large mapped footprint: the cost of translation as the
// footprint outgrows the TLBs and the walk caches (study 2). The footprint is mapped once
// (stage 1, stage 2, or stage 1 nested over stage 2), with leaf pages at every stage unless
// `blocks` (each stage's output shifted by one granule so no block fits, as a fragmented
// buffer maps), its pages aliasing a `pool` of physical memory. With `contiguous` the leaves
// carry the contiguous hint: each stage's output is shifted by one contiguous run instead of
// one granule, so runs fit and blocks still do not. Then `warmup` random reads, after which
// the statistics are reset (Env::reset_stats), and `accesses` measured random reads of
// `txn_bytes`.
struct FootprintParams {
    DeviceSetup setup;  // setup.stage: S1, S2 or Nested
    uint64_t bytes = uint64_t(256) << 20;
    uint64_t accesses = 20000;
    uint32_t txn_bytes = 64;
    bool blocks = false;
    bool contiguous = false;
    uint64_t warmup = 0;
    uint64_t pool = uint64_t(256) << 20;
};
void run_footprint(const FootprintParams& p, Env& env);

// Creates the workload's domain ("<dev>_domain"), adds the device and attaches it.
driver::Domain& setup_device(const DeviceSetup& s, Env& env);

}  // namespace smmusim::sw::workloads
