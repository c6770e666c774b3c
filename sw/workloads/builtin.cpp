#include "sw/workloads/builtin.h"

#include <algorithm>
#include <deque>
#include <stdexcept>

#include "models/smmu/arch/geometry.h"
#include "sw/workloads/iova_allocator.h"

namespace smmusim::sw::workloads {

namespace {

// IOVA space of a DMA domain: above the first 4 GiB, as a 64-bit capable device gets.
constexpr uint64_t kIovaBase = uint64_t(1) << 32;

// A deterministic generator (splitmix64): the software's own randomness, seeded by the run.
class Random {
public:
    explicit Random(uint64_t seed) : s_(seed) {}
    double uniform() {
        uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        return double(z >> 11) / double(uint64_t(1) << 53);
    }

private:
    uint64_t s_;
};

// The domain's DMA IOVA space (dma-iommu's iova_domain): from 4 GiB to the top of its input
// range, in its granule.
IovaAllocator& dma_iovas(Env& env, driver::Domain& d, unsigned gshift) {
    return env.iovas(d, kIovaBase, uint64_t(1) << d.table().geometry().fmt.ias, gshift);
}

struct InFlight {
    uint64_t handle, iova, size;
    uint64_t descriptor;  // the job reading its descriptor (0: none)
};

// The map / DMA / unmap cycle both workloads share.
class BufferCycle {
public:
    BufferCycle(const DeviceSetup& s, Env& env, driver::Domain& d)
        : s_(s),
          env_(env),
          d_(d),
          iovas_(dma_iovas(env, d, s.granule_shift)) {}

    // Maps a buffer of `size` at `pa` and starts its DMA; `descriptor` (non-zero) is a
    // descriptor's IOVA the device reads first, in a mapping that stays.
    void start(uint64_t pa, uint64_t size, bool write, uint32_t txn, uint64_t descriptor = 0) {
        uint64_t desc_job = 0;
        if (descriptor) {
            hal::DmaRequest d;
            d.dev = s_.dev;
            d.sid = s_.sid;
            d.iova = descriptor;
            d.size = 64;
            desc_job = env_.dma.start(d);
        }
        const uint64_t iova = iovas_.alloc(size);
        if (!iova) throw std::runtime_error("workload: IOVA space exhausted");
        const uint64_t mapped = (size + granule() - 1) & ~(granule() - 1);
        const pgtable::Result r = env_.iommu.map(d_, iova, pa, mapped, write ? pgtable::Prot::w() : pgtable::Prot::r());
        if (!r.ok()) throw std::runtime_error(std::string("workload: map failed: ") + pgtable::error_name(r.error));
        hal::DmaRequest q;
        q.dev = s_.dev;
        q.sid = s_.sid;
        q.iova = iova;
        q.size = txn;
        q.write = write;
        q.count = (size + txn - 1) / txn;
        q.stride = txn;
        ring_.push_back({env_.dma.start(q), iova, mapped, desc_job});
    }
    // A mapping that stays (a descriptor ring): IOVA and map.
    uint64_t map_persistent(uint64_t pa, uint64_t size) {
        const uint64_t iova = iovas_.alloc(size);
        if (!iova || !env_.iommu.map(d_, iova, pa, size, pgtable::Prot::rw()).ok())
            throw std::runtime_error("workload: cannot map the descriptor ring");
        return iova;
    }
    void finish_oldest() {
        const InFlight f = ring_.front();
        ring_.pop_front();
        if (f.descriptor) env_.wait(f.descriptor);
        env_.wait(f.handle);
        env_.iommu.unmap(d_, f.iova, f.size);
    }
    size_t in_flight() const { return ring_.size(); }
    uint64_t granule() const { return uint64_t(1) << s_.granule_shift; }

private:
    const DeviceSetup& s_;
    Env& env_;
    driver::Domain& d_;
    IovaAllocator& iovas_;
    std::deque<InFlight> ring_;
};

}  // namespace

driver::Domain& setup_device(const DeviceSetup& s, Env& env) {
    driver::DomainSpec spec;
    spec.name = s.dev + "_domain";
    spec.kind = s.stage;
    spec.granule_shift = s.granule_shift;
    spec.ias = s.ias;
    env.iommu.add_master_on(s.smmu, s.sid, false);
    driver::Domain& d = env.iommu.create_domain_on(s.smmu, spec);
    env.iommu.attach(s.sid, std::nullopt, d);
    return d;
}

namespace {

// CPU c's queue of a workload: its device and domain, and its share of the device's buffer
// memory (shared device: 1/n of it; own device: all of it).
struct Queue {
    DeviceSetup setup;
    driver::Domain* domain;
    uint64_t seed;
};

// The domains first (CPU 0's in the calling thread, before any queue starts), then each
// CPU's queue. CPU 0 keeps the workload's seed, so that one CPU runs as before.
template <typename Body>
void on_every_cpu(const DeviceSetup& setup, const PerCpu& pc, uint64_t seed, Env& env, Body body) {
    const unsigned n = std::max(1u, pc.cpus);
    if (!pc.own.empty() && pc.own.size() < n) throw std::invalid_argument("fewer devices than CPUs for own devices");
    std::vector<Queue> q(n);
    driver::Domain* shared = pc.own.empty()  ? &setup_device(setup, env)
                             : pc.one_domain ? &setup_device(pc.own[0], env)
                                             : nullptr;
    for (unsigned c = 0; c < n; ++c) {
        q[c].setup = pc.own.empty() ? setup : pc.own[c];
        if (pc.one_domain && c > 0) {  // device c joins device 0's domain on its own instance
            env.iommu.add_master_on(q[c].setup.smmu, q[c].setup.sid, false);
            env.iommu.attach_on(q[c].setup.smmu, q[c].setup.sid, std::nullopt, *shared);
        }
        q[c].domain = shared ? shared : &setup_device(q[c].setup, env);
        q[c].seed = seed + 0x9E3779B97F4A7C15ull * c;
        if (pc.own.empty() && n > 1) {
            const uint64_t share = (setup.buffers_size / n) & ~uint64_t(0xffff);
            if (!share) throw std::invalid_argument("buffer memory too small for one queue per CPU");
            q[c].setup.buffers_base = setup.buffers_base + c * share;
            q[c].setup.buffers_size = share;
        }
    }
    env.on_cpus(n, [&](unsigned c) { body(q[c]); });
}

}  // namespace

void run_nic(const NicParams& p, Env& env) {
    on_every_cpu(p.setup, p.per_cpu, p.seed, env, [&](const Queue& q) {
        BufferCycle cycle(q.setup, env, *q.domain);
        Random rng(q.seed);
        const uint64_t page = cycle.granule();
        const uint64_t ring_bytes = (p.ring_bytes + page - 1) & ~(page - 1);
        const uint64_t pool = std::max<uint64_t>(1, (q.setup.buffers_size - ring_bytes) / page);
        const uint64_t ring = ring_bytes ? cycle.map_persistent(q.setup.buffers_base + pool * page, ring_bytes) : 0;
        const uint64_t descriptors = ring_bytes / 64;
        for (uint64_t i = 0; i < p.packets; ++i) {
            if (cycle.in_flight() >= p.in_flight) cycle.finish_oldest();
            env.bus.work(p.cpu_cycles);
            const bool rx = rng.uniform() < p.rx_fraction;
            cycle.start(q.setup.buffers_base + (i % pool) * page, p.packet_bytes, rx, p.txn_bytes,
                        ring ? ring + (i % descriptors) * 64 : 0);
        }
        while (cycle.in_flight()) cycle.finish_oldest();
    });
}

void run_storage(const StorageParams& p, Env& env) {
    on_every_cpu(p.setup, p.per_cpu, p.seed, env, [&](const Queue& q) {
        BufferCycle cycle(q.setup, env, *q.domain);
        Random rng(q.seed);
        const uint64_t slots = std::max<uint64_t>(1, q.setup.buffers_size / p.request_bytes);
        for (uint64_t i = 0; i < p.requests; ++i) {
            if (cycle.in_flight() >= p.queue_depth) cycle.finish_oldest();
            env.bus.work(p.cpu_cycles);
            const bool read = rng.uniform() < p.read_fraction;  // a read from disk is a DMA write to memory
            cycle.start(q.setup.buffers_base + (i % slots) * p.request_bytes, p.request_bytes, read, p.txn_bytes);
        }
        while (cycle.in_flight()) cycle.finish_oldest();
    });
}

namespace {

// The map benchmark's pairs on one CPU: warmup + ops times, CPU work, `map` (which returns what
// `unmap` takes), the transfer's spin, `unmap`; each pair after the warm-up timed and reported.
template <typename Map, typename Unmap>
void timed_pairs(const MapbenchParams& p, Env& env, Map map, Unmap unmap) {
    for (uint64_t i = 0; i < p.warmup + p.ops; ++i) {
        const uint64_t start = env.bus.now();
        env.bus.work(p.cpu_cycles);
        const uint64_t t0 = env.bus.now();
        const uint64_t addr = map();
        const uint64_t t1 = env.bus.now();
        env.bus.work(p.trans_cycles);
        const uint64_t t2 = env.bus.now();
        unmap(addr);
        const uint64_t t3 = env.bus.now();
        if (env.pair_done && i >= p.warmup) env.pair_done(t1 - t0, t3 - t2, t3 - start);
    }
}

void map_or_fail(Env& env, driver::Domain& d, uint64_t iova, uint64_t pa, uint64_t size) {
    const pgtable::Result r = env.iommu.map(d, iova, pa, size, pgtable::Prot::rw());
    if (!r.ok()) throw std::runtime_error(std::string("mapbench: map failed: ") + pgtable::error_name(r.error));
}

// The SVA form of the map benchmark (MapbenchParams::sva).
void run_sva_bench(const MapbenchParams& p, Env& env) {
    const unsigned n = std::max(1u, p.per_cpu.cpus);
    const std::vector<DeviceSetup>& devs = p.sva_devices;
    if (devs.empty()) throw std::invalid_argument("mapbench: SVA needs a device");
    for (const DeviceSetup& d : devs) env.iommu.add_master_on(d.smmu, d.sid, true);
    const uint64_t size = p.pages << 12;
    const uint64_t share = (p.setup.buffers_size / n) & ~uint64_t(0x1fffff);
    if (share < size) throw std::invalid_argument("mapbench: buffer larger than each CPU's share of the buffer memory");
    std::vector<driver::Domain*> procs(n);
    for (unsigned c = 0; c < n; ++c) {
        driver::DomainSpec spec;
        spec.name = "process" + std::to_string(c);
        spec.kind = driver::DomainKind::Sva;
        spec.cpu_asid = uint16_t(kSvaAsid + c);
        procs[c] = &env.iommu.create_domain_on(devs[0].smmu, spec);
        for (const DeviceSetup& d : devs) env.iommu.attach_on(d.smmu, d.sid, c + 1, *procs[c]);
    }
    constexpr uint64_t kVa = 0x10000000;  // the same VA in every process
    env.on_cpus(n, [&](unsigned c) {
        Random rng(p.seed + 0x9E3779B97F4A7C15ull * c);
        env.bus.work(uint64_t(rng.uniform() * double(p.start_skew_cycles)));
        const uint64_t pa = p.setup.buffers_base + c * share;
        timed_pairs(p, env, [&] {
            map_or_fail(env, *procs[c], kVa, pa, size);
            return kVa;
        }, [&](uint64_t va) { env.iommu.unmap(*procs[c], va, size); });
    });
}

}  // namespace

void run_mapbench(const MapbenchParams& p, Env& env) {
    if (p.sva) return run_sva_bench(p, env);
    on_every_cpu(p.setup, p.per_cpu, p.seed, env, [&](const Queue& q) {
        Random rng(q.seed);
        env.bus.work(uint64_t(rng.uniform() * double(p.start_skew_cycles)));
        const unsigned gshift = q.setup.granule_shift;
        const uint64_t size = p.pages << gshift;
        if (size > q.setup.buffers_size) throw std::invalid_argument("mapbench: buffer larger than the buffer memory");
        IovaAllocator& iovas = dma_iovas(env, *q.domain, gshift);
        timed_pairs(p, env, [&] {
            const uint64_t iova = iovas.alloc(size);
            if (!iova) throw std::runtime_error("mapbench: IOVA space exhausted");
            map_or_fail(env, *q.domain, iova, q.setup.buffers_base, size);
            return iova;
        }, [&](uint64_t iova) { env.iommu.unmap(*q.domain, iova, size); });
    });
}

void run_footprint(const FootprintParams& p, Env& env) {
    const DeviceSetup& s = p.setup;
    const uint64_t g = uint64_t(1) << s.granule_shift;
    if (p.bytes < g || p.bytes % g) throw std::invalid_argument("footprint is not a multiple of the granule");
    // One granule off: only pages fit (one contiguous run off: runs of pages fit, blocks do
    // not). Nested, the IPA is one step off and the physical side two, so that stage 2 is not
    // block-mapped either.
    const uint64_t run = g << smmu::arch::Granule{s.granule_shift}.contiguous_log2(3);
    const uint64_t shift = p.blocks ? 0 : p.contiguous ? run : g;
    if (s.buffers_size <= 2 * shift) throw std::invalid_argument("footprint: buffer memory too small");
    const uint64_t pool = std::min(p.pool, s.buffers_size - 2 * shift) & ~(run - 1);
    constexpr uint64_t kBase = uint64_t(1) << 36;  // 64 GiB-aligned IOVA (and IPA) space
    env.iommu.add_master_on(s.smmu, s.sid, false);
    driver::DomainSpec spec;
    spec.granule_shift = s.granule_shift;
    spec.ias = s.ias;
    driver::Domain* top = nullptr;
    driver::Domain* s2 = nullptr;
    if (s.stage == driver::DomainKind::Nested) {
        spec.name = s.dev + "_s2";
        spec.kind = driver::DomainKind::S2;
        s2 = &env.iommu.create_domain_on(s.smmu, spec);
        spec.name = s.dev + "_domain";
        spec.kind = driver::DomainKind::Nested;
        spec.parent = s2->name();
        top = &env.iommu.create_domain_on(s.smmu, spec);
    } else {
        spec.name = s.dev + "_domain";
        spec.kind = s.stage;
        top = &env.iommu.create_domain_on(s.smmu, spec);
    }
    env.iommu.attach(s.sid, std::nullopt, *top);
    pgtable::Prot prot = pgtable::Prot::r();
    prot.contiguous = p.contiguous;
    auto map = [&](driver::Domain& d, uint64_t iova, uint64_t out, uint64_t size) {
        const pgtable::Result r = env.iommu.map(d, iova, out, size, prot);
        if (!r.ok()) throw std::runtime_error(std::string("footprint: map failed: ") + pgtable::error_name(r.error));
    };
    // The output side of each chunk: the pool (stage 1 / 2), or the IPA one granule up (nested).
    for (uint64_t off = 0; off < p.bytes; off += pool) {
        const uint64_t n = std::min(pool, p.bytes - off);
        if (s2) {
            map(*top, kBase + off, kBase + off + shift, n);
            map(*s2, kBase + off + shift, s.buffers_base + 2 * shift, n);
        } else {
            map(*top, kBase + off, s.buffers_base + shift, n);
        }
    }
    hal::DmaRequest q;
    q.dev = s.dev;
    q.sid = s.sid;
    q.iova = kBase;
    q.size = p.txn_bytes;
    q.count = p.accesses;
    q.random_region = p.bytes;
    if (p.warmup) {
        hal::DmaRequest w = q;
        w.count = p.warmup;
        env.wait(env.dma.start(w));
        if (env.reset_stats) env.reset_stats();
    }
    env.wait(env.dma.start(q));
}

}  // namespace smmusim::sw::workloads
