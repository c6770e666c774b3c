// The hypervisor's software in isolation (no SMMU model: a register-level stand-in that
// completes every command at once), so the order of its descriptor stores and commands can be
// checked exactly: break-before-make on block splits, what each policy issues, and the page
// ownership rules.

#include <gtest/gtest.h>

#include <map>
#include <variant>
#include <vector>

#include "models/smmu/arch/command_builders.h"
#include "models/smmu/arch/pte.h"
#include "sw/driver/smmu_driver.h"
#include "sw/hal/direct_bus.h"
#include "sw/hal/page_alloc.h"
#include "sw/hyp/hypervisor.h"
#include "tests/unit/sw/fake_smmu.h"

using namespace smmusim;
using namespace smmusim::smmu::arch;
using sw::hyp::InvPolicy;
using sw::hyp::PageState;

namespace {

constexpr uint64_t kHost = 0x80000000, kHostSize = 0x1F0000000, kHostTables = 0x100000000;
constexpr uint64_t kHypMem = 0x270000000, kPool = 0x180000000;

struct Store {
    uint64_t pa, value;
};
using Event = std::variant<Store, Command>;

struct Rig {
    test::FakeSmmu smmu;
    sw::hal::DirectBus* bus_ptr = nullptr;
    sw::hal::DirectBus bus{smmu.handler(bus_ptr)};
    sw::hal::PageAllocator hyp_mem{kHypMem, 256u << 20};
    sw::hal::PageAllocator host_tables{kHostTables, 256u << 20};
    sw::driver::DriverConfig cfg;
    sw::driver::Observer obs;
    sw::driver::SmmuDriver drv;
    sw::hyp::Ownership owners{kHost, kHostSize};
    sw::hyp::HypObserver hobs;
    sw::hyp::Hypervisor hyp;
    std::vector<Event> log;

    static sw::driver::DriverConfig config() {
        sw::driver::DriverConfig c;
        c.regs = test::FakeSmmu::kBase;
        return c;
    }
    static sw::hyp::HypConfig hyp_config(InvPolicy p, bool nh_all) {
        sw::hyp::HypConfig h;
        h.shadow.policy = p;
        h.shadow.nh_all = nh_all;
        return h;
    }
    explicit Rig(test::FakeSmmu::Features f = test::FakeSmmu::Features(), InvPolicy p = InvPolicy::Blocks,
                 bool nh_all = true)
        : smmu(f),
          cfg(config()),
          drv(bus, hyp_mem, cfg, obs),
          hyp(bus, drv, owners, host_tables, hyp_config(p, nh_all), hobs) {
        bus_ptr = &bus;
        hyp.init({1, 2});
        bus.on_write = [this](uint64_t pa, const void* src, size_t len) {
            if (len == 8) log.push_back(Store{pa, *static_cast<const uint64_t*>(src)});
        };
        smmu.on_command = [this](const Command& c) { log.push_back(c); };
    }

    // Address of the shadow's descriptor for `pa` at `level` (the tables above must exist).
    uint64_t descriptor_address(uint64_t pa, int level) {
        const auto& g = hyp.shadow().domain().table().geometry();
        uint64_t table = hyp.shadow().domain().table().root();
        for (int l = g.start_level; l < level; ++l) {
            const uint64_t d = bus.load64(table + 8 * (l == g.start_level ? g.root_index(pa) : g.g.index(pa, l)));
            EXPECT_TRUE(pte::is_table_or_page(d)) << "level " << l;
            table = pte::address(d, g.g.shift);
        }
        return table + 8 * (level == g.start_level ? g.root_index(pa) : g.g.index(pa, level));
    }
    // The stores to `pa` in order, each with the commands completed since the previous one.
    std::vector<std::pair<uint64_t, std::vector<Command>>> history(uint64_t pa) const {
        std::vector<std::pair<uint64_t, std::vector<Command>>> h;
        std::vector<Command> since;
        for (const Event& e : log) {
            if (const auto* c = std::get_if<Command>(&e)) since.push_back(*c);
            else if (std::get<Store>(e).pa == pa) {
                h.push_back({std::get<Store>(e).value, since});
                since.clear();
            }
        }
        return h;
    }
};

bool synced_after_tlbi(const std::vector<Command>& cmds) {
    bool tlbi = false;
    for (const Command& c : cmds) {
        if (c.opcode() == op::TLBI_S2_IPA || c.opcode() == op::TLBI_S12_VMALL) tlbi = true;
        if (c.opcode() == op::CMD_SYNC && tlbi) return true;
    }
    return false;
}

}  // namespace

TEST(Hyp, BlockSplitsBreakBeforeMake) {
    Rig r;
    // Before: a 1 GiB block maps the pool's gigabyte.
    const uint64_t l1 = r.descriptor_address(kPool, 1);
    ASSERT_TRUE(pte::is_block(r.bus.load64(l1)));
    r.hyp.donate(kPool + 0x5000, 0x1000, true);
    const uint64_t l2 = r.descriptor_address(kPool, 2);
    for (uint64_t at : {l1, l2}) {
        const auto h = r.history(at);
        // (L2 only) the fill of the new table; then: invalid, TLBI + CMD_SYNC, table.
        ASSERT_GE(h.size(), 2u) << std::hex << at;
        const auto& last = h.back();
        const auto& before = h[h.size() - 2];
        EXPECT_TRUE(pte::is_table_or_page(last.first)) << std::hex << at;
        EXPECT_EQ(before.first, 0u) << "no invalid step before the table at " << std::hex << at;
        EXPECT_TRUE(synced_after_tlbi(last.second)) << "no TLBI + CMD_SYNC between invalid and table";
    }
    // Never a valid descriptor over another valid one, anywhere the shadow was written.
    std::map<uint64_t, uint64_t> value;
    for (const Event& e : r.log)
        if (const auto* s = std::get_if<Store>(&e)) {
            const uint64_t old = value[s->pa];
            if (old && s->value && old != s->value && (s->pa == l1 || s->pa == l2))
                ADD_FAILURE() << "valid " << std::hex << old << " replaced by " << s->value << " at " << s->pa;
            value[s->pa] = s->value;
        }
    EXPECT_EQ(r.owners.at(kPool + 0x5000), PageState::DonatedToGuest);
}

TEST(Hyp, WithBbml2TheBlockIsReplacedDirectlyAndInvalidatedAfter) {
    Rig r({true, true, true, 2});
    const uint64_t l1 = r.descriptor_address(kPool, 1);
    const uint64_t block = r.bus.load64(l1);
    r.hyp.donate(kPool, 0x1000, true);
    const auto h = r.history(l1);
    ASSERT_EQ(h.size(), 1u);  // the table straight over the block
    EXPECT_TRUE(pte::is_table_or_page(h[0].first));
    EXPECT_NE(block, h[0].first);
    // The old block's TLB entries go with the donation's TLBI + CMD_SYNC.
    bool covered = false;
    for (const Event& e : r.log)
        if (const auto* c = std::get_if<Command>(&e))
            covered |= c->opcode() == op::TLBI_S2_IPA && c->address<Command::IPA>() == kPool;
    EXPECT_TRUE(covered);
}

std::vector<Command> commands(const std::vector<Event>& log) {
    std::vector<Command> out;
    for (const Event& e : log)
        if (const auto* c = std::get_if<Command>(&e)) out.push_back(*c);
    return out;
}

size_t count(const std::vector<Command>& cmds, uint8_t opcode) {
    size_t n = 0;
    for (const Command& c : cmds) n += c.opcode() == opcode;
    return n;
}

// The posted series' algorithm for a donation of [pa, pa + size) (smmu_tlb_add_page per
// page, v6's TLBI_NH_ALL): what the hypervisor's queue must receive, in order.
std::vector<std::pair<uint8_t, uint64_t>> series_stream(uint64_t pa, uint64_t size, bool nh_all) {
    std::vector<std::pair<uint8_t, uint64_t>> s;
    for (uint64_t a = pa; a < pa + size; a += 0x1000) {
        s.push_back({op::TLBI_S2_IPA, a});
        s.push_back({op::CMD_SYNC, 0});
        if (nh_all) {
            s.push_back({op::TLBI_NH_ALL, 0});
            s.push_back({op::CMD_SYNC, 0});
        }
    }
    return s;
}

TEST(Hyp, SeriesShadowHoldsPagesOnly) {
    Rig r({true, true, true, 0}, InvPolicy::Page);
    for (uint64_t pa : {kHost, kPool, kPool + 0x12345000})
        EXPECT_EQ(r.hyp.shadow().domain().table().lookup(pa)->size, 0x1000u) << std::hex << pa;
    r.hyp.donate(kPool, 0x10000, true);
    EXPECT_EQ(r.hyp.shadow().domain().table().totals().blocks_split, 0u);
}

TEST(Hyp, SeriesDonationReplaysThePerPageAlgorithm) {
    for (bool nh_all : {true, false}) {
        Rig r({true, true, true, 0}, InvPolicy::Page, nh_all);
        r.log.clear();
        const uint64_t prods = r.smmu.prod_writes;
        r.hyp.donate(kPool + 0x3000, 0x5000, true);
        const std::vector<Command> got = commands(r.log);
        const auto want = series_stream(kPool + 0x3000, 0x5000, nh_all);
        ASSERT_EQ(got.size(), want.size()) << "nh_all " << nh_all;
        const uint16_t vmid = r.hyp.shadow().domain().vmid();
        for (size_t i = 0; i < got.size(); ++i) {
            EXPECT_EQ(got[i].opcode(), want[i].first) << i;
            if (want[i].first == op::TLBI_S2_IPA) {
                EXPECT_EQ(got[i].address<Command::IPA>(), want[i].second) << i;
                EXPECT_EQ(got[i].get<Command::VMID>(), vmid);
                EXPECT_EQ(got[i].get<Command::Leaf>(), 1u);
            }
            if (want[i].first == op::TLBI_NH_ALL) {
                EXPECT_EQ(got[i].get<Command::VMID>(), vmid);
            }
        }
        // Each command published alone.
        EXPECT_EQ(r.smmu.prod_writes - prods, want.size());
    }
}

TEST(Hyp, PoliciesIssueWhatTheyName) {
    struct Want {
        InvPolicy p;
        size_t ipa, vmall, nh_all, syncs;
    };
    // Eight pages (4 KiB shadow; blocks: after BBML2 splits of the 1 GiB and 2 MiB blocks).
    for (const Want& w : {Want{InvPolicy::Page, 8, 0, 8, 16}, Want{InvPolicy::Range, 1, 0, 1, 1},
                          Want{InvPolicy::Gather, 8, 0, 1, 1}, Want{InvPolicy::Vmid, 0, 1, 0, 1},
                          Want{InvPolicy::Blocks, 3, 0, 1, 1}}) {
        Rig r({true, true, true, 2}, w.p);
        r.log.clear();
        r.hyp.donate(kPool, 0x8000, true);
        const std::vector<Command> c = commands(r.log);
        EXPECT_EQ(count(c, op::TLBI_S2_IPA), w.ipa) << int(w.p);
        EXPECT_EQ(count(c, op::TLBI_S12_VMALL), w.vmall) << int(w.p);
        EXPECT_EQ(count(c, op::TLBI_NH_ALL), w.nh_all) << int(w.p);
        EXPECT_EQ(count(c, op::CMD_SYNC), w.syncs) << int(w.p);
        EXPECT_EQ(c.back().opcode(), op::CMD_SYNC);
    }
}

TEST(Ownership, TransitionsFollowThePageStates) {
    sw::hyp::Ownership o(0x80000000, 0x100000);
    o.donate(0x80010000, 0x2000, true);
    o.share(0x80020000, 0x1000);
    EXPECT_EQ(o.at(0x80010000), PageState::DonatedToGuest);
    EXPECT_EQ(o.at(0x80011fff), PageState::DonatedToGuest);
    EXPECT_EQ(o.at(0x80012000), PageState::HostOwned);
    EXPECT_EQ(o.at(0x80020000), PageState::SharedWithHyp);
    // The host still reaches shared pages: only the donation is cut out.
    const auto r = o.host_accessible();
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].base, 0x80000000u);
    EXPECT_EQ(r[0].size, 0x10000u);
    EXPECT_EQ(r[1].base, 0x80012000u);
    EXPECT_EQ(r[1].end(), 0x80100000u);
    EXPECT_EQ(o.bytes_in(PageState::DonatedToGuest), 0x2000u);
    EXPECT_THROW(o.share(0x80011000, 0x1000), sw::hyp::HypError);    // donated
    EXPECT_THROW(o.reclaim(0x80012000, 0x1000), sw::hyp::HypError);  // not donated
    EXPECT_THROW(o.unshare(0x80010000, 0x1000), sw::hyp::HypError);  // not shared
    EXPECT_THROW(o.donate(0x80000800, 0x1000, true), sw::hyp::HypError);  // not page aligned
    EXPECT_THROW(o.donate(0x800ff000, 0x2000, true), sw::hyp::HypError);  // past the end
    o.reclaim(0x80010000, 0x2000);
    o.unshare(0x80020000, 0x1000);
    ASSERT_EQ(o.host_accessible().size(), 1u);  // merged back into one run
    EXPECT_EQ(o.host_accessible()[0].size, 0x100000u);
}

TEST(Ownership, RefusalNamesThePageAndItsState) {
    sw::hyp::Ownership o(0x80000000, 0x100000);
    o.donate(0x80003000, 0x1000, false);
    try {
        o.donate(0x80002000, 0x3000, true);
        FAIL() << "no error";
    } catch (const sw::hyp::HypError& e) {
        EXPECT_STREQ(e.what(), "donate of [0x80002000, 0x80005000): page 0x80003000 is donated to the hypervisor, "
                               "not owned by the host");
    }
    EXPECT_EQ(o.at(0x80002000), PageState::HostOwned);  // nothing changed
}
