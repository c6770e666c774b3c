#pragma once
// Bench for the page-table builder: a DirectBus that logs every store, a TlbOps that logs every
// callback into the same log (so tests see the order of descriptor writes and invalidations),
// and the SMMU model's own walker reading the built tables from the bus memory: the
// independent check of what the builder wrote.

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "models/smmu/arch/geometry.h"
#include "models/smmu/arch/pte.h"
#include "models/smmu/arch/regs.h"
#include "models/smmu/cache/entries.h"
#include "models/smmu/tcu/walker.h"
#include "sw/hal/direct_bus.h"
#include "sw/hal/page_alloc.h"
#include "sw/pgtable/io_pgtable.h"

namespace pgtable_test {

using namespace smmusim;
using namespace smmusim::sw::pgtable;
namespace arch = smmusim::smmu::arch;
namespace perm = smmusim::smmu::cache::perm;

constexpr uint64_t kMem = 0x80000000ull;        // table memory for the allocator
constexpr uint64_t kMemSize = 64ull << 20;
constexpr uint64_t K4 = 0x1000, M2 = 0x200000, G1 = 0x40000000;

struct Event {
    enum Kind { Store, Fill, AddPage, FlushWalk, FlushAll, Clean, Dsb } kind;
    // Store: pa, value. Fill: pa, len. AddPage: iova, size. FlushWalk: iova, size, granule.
    // Clean (DC CVAC over a range): pa, len.
    uint64_t a = 0, b = 0, c = 0;
    bool operator==(const Event& o) const { return kind == o.kind && a == o.a && b == o.b && c == o.c; }
};
inline std::ostream& operator<<(std::ostream& os, const Event& e) {
    static const char* names[] = {"Store", "Fill", "AddPage", "FlushWalk", "FlushAll", "Clean", "Dsb"};
    return os << names[e.kind] << std::hex << "(0x" << e.a << ", 0x" << e.b << ", 0x" << e.c << ")";
}

// Descriptor stores are single 8-byte writes; table zeroing comes as cache-line writes.
class RecordingBus : public sw::hal::DirectBus {
public:
    explicit RecordingBus(std::vector<Event>& log) : log_(log) {}
    void write(uint64_t pa, const void* src, size_t len) override {
        if (len == 8) {
            uint64_t v;
            std::memcpy(&v, src, 8);
            log_.push_back({Event::Store, pa, v});
        } else if (!log_.empty() && log_.back().kind == Event::Fill && log_.back().a + log_.back().b == pa) {
            log_.back().b += len;  // one Fill per cleared table
        } else {
            log_.push_back({Event::Fill, pa, len});
        }
        DirectBus::write(pa, src, len);
    }
    void clean_dcache(uint64_t pa, uint64_t len, bool) override { log_.push_back({Event::Clean, pa, len}); }
    void barrier() override { log_.push_back({Event::Dsb}); }

private:
    std::vector<Event>& log_;
};

class RecordingTlb : public TlbOps {
public:
    explicit RecordingTlb(std::vector<Event>& log) : log_(log) {}
    void add_page(Gather& g, uint64_t iova, uint64_t size) override {
        g.add(iova, size);
        log_.push_back({Event::AddPage, iova, size});
    }
    void flush_walk(uint64_t iova, uint64_t size, uint64_t granule) override {
        log_.push_back({Event::FlushWalk, iova, size, granule});
        if (on_flush_walk) on_flush_walk(iova, size);
    }
    void flush_all() override {
        log_.push_back({Event::FlushAll});
        if (on_flush_all) on_flush_all();
    }
    std::function<void(uint64_t, uint64_t)> on_flush_walk;
    std::function<void()> on_flush_all;

private:
    std::vector<Event>& log_;
};

// The model walker reads the bus memory.
class BusReader : public smmu::tcu::TableReader {
public:
    explicit BusReader(sw::hal::Bus& bus) : bus_(bus) {}
    bool read(uint64_t pa, void* dst, unsigned len) override {
        bus_.read(pa, dst, len);
        return true;
    }

private:
    sw::hal::Bus& bus_;
};

struct Access {
    bool write = false, priv = false, instr = false;
};

// What the SMMU's walker makes of an address, through the CD / STE fields the geometry gives.
struct ModelWalk {
    bool ok = false;
    uint8_t fault = 0;  // arch::evt type when !ok
    uint64_t oa = 0;
    int level = -1;
    uint64_t leaf_size = 0;
    uint64_t span = 0;  // what one TLB entry may cover: the leaf, or its contiguous run
    uint8_t perms = 0;
    uint64_t desc = 0;
};

struct Bench {
    std::vector<Event> log;
    RecordingBus bus{log};
    sw::hal::PageAllocator alloc;
    RecordingTlb tlb{log};
    std::unique_ptr<IoPgtable> pt;

    explicit Bench(const Format& f, IoPgtable::Config cfg = {}, uint64_t mem_size = kMemSize)
        : alloc(kMem, mem_size), pt(std::make_unique<IoPgtable>(f, bus, alloc, &tlb, cfg)) {
        log.clear();
    }

    static Format s1(unsigned g = 12, unsigned ias = 48, unsigned oas = 48) { return {Stage::S1, g, ias, oas}; }
    static Format s2(unsigned g = 12, unsigned ias = 40, unsigned oas = 48) { return {Stage::S2, g, ias, oas}; }

    ModelWalk walk(uint64_t iova, Access acc = {}) {
        const Geometry& geo = pt->geometry();
        BusReader reader(bus);
        smmu::tcu::WalkCounters counters;
        smmu::tcu::Walker w(reader, counters);
        smmu::tcu::Access a;
        a.addr = iova;
        a.write = acc.write;
        a.priv = acc.priv;
        a.instr = acc.instr;
        smmu::tcu::Outcome<smmu::tcu::WalkResult> out;
        const unsigned ias = unsigned(64 - geo.tsz);  // as the SMMU reads T0SZ
        const arch::Granule g{*arch::tg0_shift(geo.tg)};
        if (geo.fmt.stage == Stage::S1) {
            smmu::tcu::S1Context c;
            c.table[0] = {true, g, ias, g.s1_start_level(ias), pt->root(), false};
            c.ips_bits = arch::pa_bits(geo.ps);
            out = w.stage1(c, nullptr, a);
        } else {
            smmu::tcu::S2Context c;
            c.g = g;
            c.ias = ias;
            std::optional<arch::S2Start> st = arch::s2_start(g, geo.sl0, ias, false);
            EXPECT_TRUE(st.has_value()) << "S2SL0 " << geo.sl0 << " rejected";
            if (st) c.start = *st;
            c.ttb = pt->root();
            c.ps_bits = arch::pa_bits(geo.ps);
            out = w.stage2(c, iova, a, smmu::tcu::S2Use::Data);
        }
        ModelWalk r;
        if (auto* f = std::get_if<smmu::tcu::Fault>(&out)) {
            r.fault = f->type;
            return r;
        }
        const auto& res = std::get<smmu::tcu::WalkResult>(out);
        r.ok = true;
        r.oa = res.oa;
        r.level = res.level;
        r.leaf_size = uint64_t(1) << res.leaf_shift;
        r.span = uint64_t(1) << res.span_shift;
        r.perms = res.perms;
        r.desc = res.desc;
        return r;
    }

    // Checks that the model translates `iova` to `pa` with a leaf at `level`.
    void expect_translates(uint64_t iova, uint64_t pa, int level) {
        SCOPED_TRACE(testing::Message() << "iova 0x" << std::hex << iova);
        ModelWalk m = walk(iova);
        ASSERT_TRUE(m.ok) << "fault " << int(m.fault);
        EXPECT_EQ(m.oa, pa);
        EXPECT_EQ(m.level, level);
        EXPECT_EQ(pt->iova_to_phys(iova), std::optional<uint64_t>(pa));
    }

    std::vector<Event> take_log() {
        std::vector<Event> l;
        l.swap(log);
        return l;
    }
    uint64_t load(uint64_t pa) { return bus.load64(pa); }
};

inline const char* name(Stage s) { return s == Stage::S1 ? "S1" : "S2"; }

}  // namespace pgtable_test
