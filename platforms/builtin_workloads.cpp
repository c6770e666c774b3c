#include "platforms/builtin_workloads.h"

#include <algorithm>
#include <stdexcept>

#include "models/core/rng.h"
#include "models/core/run_control.h"
#include "models/smmu/arch/geometry.h"

namespace smmusim::platforms {

using sw::driver::DomainKind;

namespace {
template <typename E>
using Choices = typename core::EnumParam<E>::Choices;

const Choices<DomainKind> kStages{{"s1", DomainKind::S1}, {"s2", DomainKind::S2}};
const core::Range<uint32_t> kGranules{4096, 65536};
}  // namespace

BuiltinWorkloads::BuiltinWorkloads()
    : nic_packets("sw.nic.packets", 2000, "", "packets the NIC workload moves"),
      nic_in_flight("sw.nic.in_flight", 16, "", "buffers mapped and in flight at once (ring depth)", {1, 4096}),
      nic_packet_bytes("sw.nic.packet_bytes", 1536, "bytes", "bytes per packet (one page mapped per packet)",
                       {1, 1u << 20}),
      nic_txn_bytes("sw.nic.txn_bytes", 256, "bytes", "DMA burst size (a power of two up to 4 KiB)", {1, 4096}),
      nic_rx_fraction("sw.nic.rx_fraction", 0.5, "", "fraction of packets received (DMA writes)", {0.0, 1.0}),
      nic_cpu_cycles("sw.nic.cpu_cycles", 1000, "cycles", "CPU work per packet outside the DMA API"),
      nic_ring_bytes("sw.nic.ring_bytes", 16384, "bytes",
                     "descriptor ring, mapped once; a 64-byte descriptor is read before each packet (0: none)",
                     {0, uint64_t(1) << 30}),
      sto_requests("sw.storage.requests", 200, "", "requests the storage workload issues"),
      sto_request_bytes("sw.storage.request_bytes", uint64_t(128) << 10, "bytes",
                        "bytes per request (one contiguous IOVA range)", {1, uint64_t(1) << 30}),
      sto_queue_depth("sw.storage.queue_depth", 4, "", "requests in flight at once", {1, 4096}),
      sto_txn_bytes("sw.storage.txn_bytes", 4096, "bytes", "DMA burst size (a power of two up to 4 KiB)", {1, 4096}),
      sto_read_fraction("sw.storage.read_fraction", 0.7, "", "fraction of requests that read from the device",
                        {0.0, 1.0}),
      sto_cpu_cycles("sw.storage.cpu_cycles", 5000, "cycles", "CPU work per request outside the DMA API"),
      nic_stage("sw.nic.stage", DomainKind::S1, kStages, "translation stage of the NIC's DMA domain"),
      sto_stage("sw.storage.stage", DomainKind::S1, kStages, "translation stage of the storage device's domain"),
      nic_granule("sw.nic.granule", 4096, "bytes", "translation granule of the NIC's domain (4096, 16384, 65536)",
                  kGranules),
      sto_granule("sw.storage.granule", 4096, "bytes", "translation granule of the storage device's domain",
                  kGranules),
      fp_bytes("sw.footprint.bytes", uint64_t(256) << 20, "bytes", "IOVA footprint mapped and read at random",
               {uint64_t(4096), uint64_t(1) << 40}),
      fp_accesses("sw.footprint.accesses", 20000, "", "random reads over the footprint", {1, uint64_t(1) << 32}),
      fp_granule("sw.footprint.granule", 4096, "bytes", "translation granule (4096, 16384, 65536)", kGranules),
      fp_txn_bytes("sw.footprint.txn_bytes", 64, "bytes", "bytes per read (a power of two up to 4 KiB)", {1, 4096}),
      fp_stage("sw.footprint.stage", DomainKind::S1,
               {{"s1", DomainKind::S1}, {"s2", DomainKind::S2}, {"nested", DomainKind::Nested}},
               "translation of the footprint: stage 1, stage 2, or stage 1 nested over stage 2"),
      fp_blocks("sw.footprint.blocks", false, "", "map with blocks where alignment allows (default: pages only)"),
      fp_contiguous("sw.footprint.contiguous", false, "",
                    "set the contiguous hint on the leaves (runs of 16 4K, 128 16K or 32 64K pages; each stage's "
                    "output one run off, so runs fit and blocks do not). The SMMU uses it with smmu.tcu.contiguous"),
      fp_warmup("sw.footprint.warmup", 0, "",
                "random reads before the measured ones; the statistics are reset after them", {0, uint64_t(1) << 32}),
      mb_ops("sw.mapbench.ops", 1000, "",
             "map+unmap pairs each CPU does (Linux's map_benchmark runs for a time instead: -s seconds)",
             {1, uint64_t(1) << 32}),
      mb_pages("sw.mapbench.pages", 1, "",
               "granule pages per map (map_benchmark -g, default 1): one dma_map_single of that many pages",
               {1, 1u << 16}),
      mb_trans_cycles("sw.mapbench.trans_cycles", 0, "cycles",
                      "CPU cycles spun between a map and its unmap (map_benchmark's ndelay(dma_trans_ns), -x, "
                      "default 0: unmapped at once)"),
      mb_warmup("sw.mapbench.warmup", 0, "",
                "pairs each CPU does first without counting them in sw.mapbench.* (the first map builds the "
                "tables and touches every line; map_benchmark has none: 0)",
                {0, uint64_t(1) << 32}),
      mb_skew_cycles("sw.mapbench.start_skew_cycles", 2000, "cycles",
                     "each CPU's thread starts after a random delay up to this (the benchmark wakes its "
                     "kthreads one by one: an estimate of a wake-up, 1 us at 2 GHz); the seed varies it"),
      mb_cpu_cycles("sw.mapbench.cpu_cycles", 0, "cycles",
                    "CPU work per pair outside the DMA API (map_benchmark memsets the buffer before a map to the "
                    "device; default 0: not charged, so that the pairs measure the DMA API alone)"),
      mb_sva("sw.mapbench.sva", false, "",
             "SVA instead of the DMA API: each CPU its own process (CPU ASID 256 + c) bound to PASID c + 1 of the "
             "first sw.mapbench.sva_devices devices, each on its SMMU; a map populates pinned pages at a fixed VA, "
             "an unmap is the process's munmap (the CPU's TLB flush and the SMMU's mmu notifier; broadcast TLB "
             "maintenance with smmu.btm and sw.driver.btm)"),
      mb_sva_devices("sw.mapbench.sva_devices", 1, "",
                     "with sw.mapbench.sva: the platform's first devices every process is bound to (each behind its "
                     "SMMU: on a topology with one device per SMMU, the SMMUs a munmap must invalidate)",
                     {1, 64}),
      wl_cpus("sw.workload.cpus", 1, "",
              "CPUs the nic, storage and mapbench workloads run on at once, each CPU its own queue (descriptor "
              "ring, buffers in flight, share of the buffer memory) moving the whole sw.nic.packets / "
              "sw.storage.requests / sw.mapbench.ops (0: every core of the cluster)",
              {0, 256}),
      wl_devices("sw.workload.devices", Devices::Shared,
                 {{"shared", Devices::Shared}, {"own", Devices::Own}, {"spread", Devices::Spread}},
                 "shared: every CPU's queue on the one device and its domain (a multi-queue device); own: CPU c "
                 "drives DMA device c with its own domain (as many devices as CPUs); spread: CPU c drives device c, "
                 "all in device 0's one domain, attached on each device's SMMU instance (a domain shared across "
                 "instances, invalidated through its invalidation array)") {
    for (auto* g : {&nic_granule, &sto_granule, &fp_granule})
        if (!smmu::arch::granule_shift(g->value())) g->fail("must be 4096, 16384 or 65536");
    for (auto* t : {&nic_txn_bytes, &sto_txn_bytes, &fp_txn_bytes})
        if (t->value() & (t->value() - 1)) t->fail("must be a power of two");
}

void BuiltinWorkloads::check(unsigned cpus, size_t devices) const {
    if (mb_sva && mb_sva_devices > devices)
        mb_sva_devices.fail("the platform has " + std::to_string(devices) + " DMA device(s)");
    if (wl_cpus.value() > cpus) wl_cpus.fail("the platform has " + std::to_string(cpus) + " CPU(s) (cpus)");
    const unsigned n = wl_cpus ? wl_cpus.value() : cpus;
    if (wl_devices != Devices::Shared && n > devices)
        wl_devices.fail(std::to_string(n) + " CPUs need as many DMA devices; the platform has " +
                        std::to_string(devices));
}

// Own (or spread) devices: CPU c drives device c with 1/n of the buffer memory.
sw::workloads::PerCpu BuiltinWorkloads::per_cpu(const WorkloadDevices& w, const std::string& prefix,
                                                unsigned cpus) const {
    sw::workloads::PerCpu pc;
    pc.cpus = wl_cpus ? wl_cpus.value() : cpus;
    pc.one_domain = wl_devices == Devices::Spread;
    if (wl_devices != Devices::Shared)
        for (unsigned c = 0; c < pc.cpus; ++c) {
            sw::workloads::DeviceSetup d = device(w, prefix, c);
            d.buffers_size = (w.buffers_size / pc.cpus) & ~uint64_t(0xffff);
            d.buffers_base = w.buffers_base + c * d.buffers_size;
            pc.own.push_back(d);
        }
    return pc;
}

// The NIC (and the footprint and map benchmark, which use its device and settings) has the
// first half of the buffer memory, the storage device the second.
sw::workloads::DeviceSetup BuiltinWorkloads::device(const WorkloadDevices& w, const std::string& prefix,
                                                    size_t index) const {
    sw::workloads::DeviceSetup d;
    if (index >= w.devices.size()) throw std::runtime_error("sw.workload: the platform has no device " + std::to_string(index));
    d.dev = w.devices[index].name;
    d.smmu = w.devices[index].smmu;
    d.sid = w.devices[index].sid;
    const bool nic = prefix == "nic";
    d.stage = nic ? nic_stage.value() : sto_stage.value();
    d.granule_shift = *smmu::arch::granule_shift(nic ? nic_granule.value() : sto_granule.value());
    d.ias = 0;  // the driver's choice, as Linux: 48 for stage 1, the SMMU's IAS for stage 2
    const uint64_t half = w.buffers_size / 2;
    d.buffers_base = w.buffers_base + (nic ? 0 : half);
    d.buffers_size = half;
    return d;
}

void BuiltinWorkloads::run(Kind k, const WorkloadDevices& w, unsigned cpus, sw::workloads::Env& env) const {
    const uint64_t seed = core::RunControl::instance().seed();
    if (k == Kind::Nic) {
        sw::workloads::NicParams p;
        p.setup = device(w, "nic", 0);
        p.packets = nic_packets;
        p.in_flight = nic_in_flight;
        p.packet_bytes = nic_packet_bytes;
        p.txn_bytes = nic_txn_bytes;
        p.rx_fraction = nic_rx_fraction;
        p.cpu_cycles = nic_cpu_cycles;
        p.ring_bytes = nic_ring_bytes;
        p.seed = core::derive_seed(seed, "sw.nic");
        p.per_cpu = per_cpu(w, "nic", cpus);
        sw::workloads::run_nic(p, env);
    } else if (k == Kind::Storage) {
        sw::workloads::StorageParams p;
        p.setup = device(w, "storage", std::min<size_t>(1, w.devices.size() - 1));
        p.requests = sto_requests;
        p.queue_depth = sto_queue_depth;
        p.request_bytes = sto_request_bytes;
        p.txn_bytes = sto_txn_bytes;
        p.read_fraction = sto_read_fraction;
        p.cpu_cycles = sto_cpu_cycles;
        p.seed = core::derive_seed(seed, "sw.storage");
        p.per_cpu = per_cpu(w, "storage", cpus);
        sw::workloads::run_storage(p, env);
    } else if (k == Kind::Footprint) {
        sw::workloads::FootprintParams p;
        p.setup = device(w, "nic", 0);
        p.setup.stage = fp_stage;
        p.setup.granule_shift = *smmu::arch::granule_shift(fp_granule);
        p.setup.buffers_size = w.buffers_size;
        p.bytes = fp_bytes;
        p.accesses = fp_accesses;
        p.txn_bytes = fp_txn_bytes;
        p.blocks = fp_blocks;
        p.contiguous = fp_contiguous;
        p.warmup = fp_warmup;
        sw::workloads::run_footprint(p, env);
    } else {
        sw::workloads::MapbenchParams p;
        p.setup = device(w, "nic", 0);
        p.ops = mb_ops;
        p.pages = mb_pages;
        p.trans_cycles = mb_trans_cycles;
        p.cpu_cycles = mb_cpu_cycles;
        p.start_skew_cycles = mb_skew_cycles;
        p.warmup = mb_warmup;
        p.seed = core::derive_seed(seed, "sw.mapbench");
        p.per_cpu = per_cpu(w, "nic", cpus);
        p.sva = mb_sva;
        if (p.sva) {
            for (unsigned i = 0; i < mb_sva_devices; ++i) p.sva_devices.push_back(device(w, "nic", i));
        }
        sw::workloads::run_mapbench(p, env);
    }
}

}  // namespace smmusim::platforms
