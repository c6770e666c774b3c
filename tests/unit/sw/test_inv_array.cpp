// A domain shared by several SMMU instances (sw/driver/inv_array.h): the invalidation array's
// order, and the commands each instance receives for an unmap, checked against lists written
// out here by hand from the series' algorithm (arm_smmu_domain_inv_range) and the
// architecture's range encoding, on fake SMMUs that record every command and register read.

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "models/smmu/arch/atc_inv.h"
#include "models/smmu/arch/command_builders.h"
#include "models/smmu/arch/regs.h"
#include "sw/driver/smmu_driver.h"
#include "sw/workloads/iommu.h"
#include "tests/unit/sw/fake_smmu.h"

namespace smmusim {
namespace {

using smmu::arch::Command;
using sw::driver::DomainKind;
using sw::driver::InvArray;
using sw::driver::InvEntry;
using sw::driver::InvInstances;
using sw::driver::InvType;
namespace cmd = smmu::arch::cmd;
namespace op = smmu::arch::op;

constexpr uint64_t kIova = 0x10000000, kPa = 0x80000000, kPage = 0x1000;

TEST(InvArray, MergeSortsByInstanceTypeIdAndCountsUsers) {
    InvArray a;
    auto e = [](unsigned inst, InvType t, uint16_t id) {
        InvEntry x;
        x.instance = inst, x.type = t, x.id = id;
        return x;
    };
    a.merge({e(1, InvType::S2Vmid, 3), e(0, InvType::S2VmidS1Clear, 2), e(0, InvType::S2Vmid, 2)});
    a.merge({e(0, InvType::S2Vmid, 2), e(0, InvType::S1Asid, 9), e(1, InvType::S2Vmid, 1)});
    const auto& v = a.entries();
    ASSERT_EQ(v.size(), 5u);
    const unsigned inst[] = {0, 0, 0, 1, 1}, ids[] = {9, 2, 2, 1, 3}, users[] = {1, 2, 1, 1, 1};
    const InvType types[] = {InvType::S1Asid, InvType::S2Vmid, InvType::S2VmidS1Clear, InvType::S2Vmid,
                             InvType::S2Vmid};
    for (size_t i = 0; i < v.size(); ++i) {
        EXPECT_EQ(v[i].instance, inst[i]) << i;
        EXPECT_EQ(v[i].type, types[i]) << i;
        EXPECT_EQ(v[i].id, ids[i]) << i;
        EXPECT_EQ(v[i].users, users[i]) << i;
    }
    EXPECT_EQ(a.instances(), 2u);
}

using Feats = std::vector<test::FakeSmmu::Features>;

// N fake SMMUs on one bus, one driver each, every command and CMDQ_CONS read recorded in order.
struct Rig {
    struct Rec {
        unsigned smmu;
        bool cons_read;  // a CMDQ_CONS read (the driver waiting for a CMD_SYNC), else a command
        Command c;
    };
    std::vector<std::unique_ptr<test::FakeSmmu>> smmus;
    sw::hal::DirectBus* bus_ptr = nullptr;
    sw::hal::DirectBus bus{[this](uint64_t pa, uint64_t v, bool write, unsigned) -> uint64_t {
        for (auto& s : smmus)
            if (s->claims(pa)) return s->access(*bus_ptr, pa, v, write);
        return 0;
    }};
    sw::hal::PageAllocator mem{0x100000000, 256u << 20};
    sw::driver::Observer obs;
    std::vector<std::unique_ptr<sw::driver::SmmuDriver>> drv;
    std::vector<Rec> log;

    explicit Rig(std::vector<test::FakeSmmu::Features> f, InvInstances order = InvInstances::Serial,
                 sw::driver::InvPolicy policy = sw::driver::InvPolicy::Strict) {
        bus_ptr = &bus;
        for (unsigned i = 0; i < f.size(); ++i) {
            smmus.push_back(std::make_unique<test::FakeSmmu>(f[i], test::FakeSmmu::kBase + i * 0x100000));
            smmus.back()->on_command = [this, i](const Command& c) { log.push_back({i, false, c}); };
            smmus.back()->on_read = [this, i](uint32_t off) {
                if (off == smmu::arch::reg::CMDQ_CONS) log.push_back({i, true, Command{}});
            };
            sw::driver::DriverConfig c;
            c.regs = smmus.back()->base();
            c.instance = i;
            c.inv_instances = order;
            c.policy = policy;
            drv.push_back(std::make_unique<sw::driver::SmmuDriver>(bus, mem, c, obs));
            drv.back()->probe_and_reset();
            drv.back()->add_master(1, false);
        }
    }
    // The commands instance `i` received since the log was cleared.
    std::vector<Command> commands(unsigned i) const {
        std::vector<Command> v;
        for (const Rec& r : log)
            if (r.smmu == i && !r.cons_read) v.push_back(r.c);
        return v;
    }
    // Index in the log of the first record of instance `i` of the given kind.
    size_t first(unsigned i, bool cons_read) const {
        for (size_t k = 0; k < log.size(); ++k)
            if (log[k].smmu == i && log[k].cons_read == cons_read) return k;
        return log.size();
    }
    void map_unmap(sw::driver::Domain& d, uint64_t pages) {
        ASSERT_TRUE(drv[d.home()]->map(d, kIova, kPa, pages * kPage, sw::pgtable::Prot::rw()).ok());
        log.clear();
        ASSERT_EQ(drv[d.home()]->unmap(d, kIova, pages * kPage).bytes, pages * kPage);
    }
};

Command sev_sync() { return cmd::sync(smmu::arch::sync_cs::SIG_SEV); }

// Four 4K pages as one range TLBI (RIL): NUM+1 = 1 at SCALE 2, TTL 3 (level-3 leaves), TG 4K.
Command range4(uint8_t opcode, uint16_t asid, uint16_t vmid) {
    Command c = cmd::tlbi_by_address(opcode, asid, vmid);
    cmd::set_range(c, kIova, true, 1, 3, 0, 2);
    return c;
}

void expect_stream(const std::vector<Command>& got, const std::vector<Command>& want, const char* what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].dw, want[i].dw) << what << " command " << i;
}

sw::driver::DomainSpec spec(const char* name, DomainKind k) {
    sw::driver::DomainSpec s;
    s.name = name;
    s.kind = k;
    return s;
}

TEST(SharedDomain, StrictUnmapGivesEachInstanceItsTlbisAndOneSyncInTurn) {
    Rig r(Feats{{}, {}});
    // Instance 1 has given ASID 1 to a domain of its own: the shared domain gets another there.
    sw::driver::Domain& other = r.drv[1]->create_domain(spec("other", DomainKind::S1));
    sw::driver::Domain& d = r.drv[0]->create_domain(spec("a", DomainKind::S1));
    ASSERT_EQ(other.asid(), 1);
    ASSERT_EQ(d.asid(), 1);
    r.drv[0]->attach(1, std::nullopt, d);
    r.drv[1]->attach(1, std::nullopt, d);
    EXPECT_EQ(d.asid_on(0), 1);
    EXPECT_EQ(d.asid_on(1), 2);
    EXPECT_TRUE(d.shared());
    r.map_unmap(d, 4);
    expect_stream(r.commands(0), {range4(op::TLBI_NH_VA, 1, 0), sev_sync()}, "smmu 0");
    expect_stream(r.commands(1), {range4(op::TLBI_NH_VA, 2, 0), sev_sync()}, "smmu 1");
    // Serial: instance 0's CMD_SYNC is waited for before instance 1 gets anything.
    EXPECT_LT(r.first(0, true), r.first(1, false));
}

TEST(SharedDomain, ParallelPublishesEveryInstanceBeforeWaitingForAnySync) {
    Rig r(Feats{{}, {}, {}}, InvInstances::Parallel);
    sw::driver::Domain& d = r.drv[0]->create_domain(spec("a", DomainKind::S1));
    for (auto& drv : r.drv) drv->attach(1, std::nullopt, d);
    r.map_unmap(d, 4);
    for (unsigned i = 0; i < 3; ++i)
        expect_stream(r.commands(i), {range4(op::TLBI_NH_VA, 1, 0), sev_sync()}, "an instance");
    // Every instance's sync is out before the first wait.
    EXPECT_LT(r.first(2, false), r.first(0, true));
    EXPECT_LT(r.first(0, true), r.first(2, true));
}

TEST(SharedDomain, EachInstanceInvalidatesAsItsOwnCapsAllow) {
    test::FakeSmmu::Features no_ril;
    no_ril.ril = false;
    Rig r(Feats{{}, no_ril});
    sw::driver::Domain& d = r.drv[0]->create_domain(spec("a", DomainKind::S1));
    r.drv[1]->attach(1, std::nullopt, d);
    r.map_unmap(d, 4);
    expect_stream(r.commands(0), {range4(op::TLBI_NH_VA, 1, 0), sev_sync()}, "smmu 0 (RIL)");
    std::vector<Command> pages;
    for (uint64_t k = 0; k < 4; ++k) {
        Command c = cmd::tlbi_by_address(op::TLBI_NH_VA, 1, 0);
        cmd::set_range(c, kIova + k * kPage, true, 0, 0, 0, 0);
        pages.push_back(c);
    }
    pages.push_back(sev_sync());
    expect_stream(r.commands(1), pages, "smmu 1 (no RIL: one TLBI per page)");
}

TEST(SharedDomain, StageTwoVmidsPerInstanceAndNestingParentClearsAfterEachSync) {
    Rig r(Feats{{}, {}}, InvInstances::Parallel);
    sw::driver::Domain& other = r.drv[1]->create_domain(spec("other", DomainKind::S2));
    sw::driver::Domain& s2 = r.drv[0]->create_domain(spec("s2", DomainKind::S2));
    r.drv[1]->attach(1, std::nullopt, s2);
    ASSERT_EQ(other.vmid(), 1);
    EXPECT_EQ(s2.vmid_on(1), 2);
    // A nested domain over it on instance 0 makes it a nesting parent on both instances.
    sw::driver::DomainSpec n = spec("n", DomainKind::Nested);
    n.parent = "s2";
    r.drv[0]->create_domain(n);
    r.map_unmap(s2, 4);
    expect_stream(r.commands(0),
                  {range4(op::TLBI_S2_IPA, 0, 1), sev_sync(), cmd::tlbi_nh_all(1), sev_sync()}, "smmu 0");
    expect_stream(r.commands(1),
                  {range4(op::TLBI_S2_IPA, 0, 2), sev_sync(), cmd::tlbi_nh_all(2), sev_sync()}, "smmu 1");
    // Parallel rounds: both S2 syncs are waited for before either TLBI_NH_ALL goes out.
    size_t nh_all = r.log.size();
    for (size_t k = 0; k < r.log.size(); ++k)
        if (!r.log[k].cons_read && r.log[k].c.get<Command::Opcode>() == op::TLBI_NH_ALL) {
            nh_all = k;
            break;
        }
    EXPECT_LT(r.first(1, true), nh_all);
    // A whole-context flush: one TLBI_S12_VMALL per instance, its own VMID.
    r.log.clear();
    s2.flush_all();
    expect_stream(r.commands(0), {cmd::tlbi_s12_vmall(1), sev_sync()}, "smmu 0 flush");
    expect_stream(r.commands(1), {cmd::tlbi_s12_vmall(2), sev_sync()}, "smmu 1 flush");
}

TEST(SharedDomain, LazyFlushQueueInvalidatesEveryInstance) {
    Rig r(Feats{{}, {}}, InvInstances::Serial, sw::driver::InvPolicy::Lazy);
    sw::driver::Domain& d = r.drv[0]->create_domain(spec("a", DomainKind::S1));
    r.drv[1]->attach(1, std::nullopt, d);
    uint64_t freed = 0;
    r.drv[0]->on_iova_free([&](sw::driver::Domain&, uint64_t, uint64_t size) { freed += size; });
    r.map_unmap(d, 4);
    EXPECT_TRUE(r.log.empty());
    EXPECT_EQ(freed, 0u);
    r.drv[0]->flush_queues();
    expect_stream(r.commands(0), {cmd::tlbi_nh_asid(1, 0), sev_sync()}, "smmu 0");
    expect_stream(r.commands(1), {cmd::tlbi_nh_asid(1, 0), sev_sync()}, "smmu 1");
    EXPECT_EQ(freed, 4 * kPage);  // after both syncs
}

TEST(SharedDomain, RefusesWhatAnInstanceCannotServe) {
    test::FakeSmmu::Features s1_only;
    s1_only.s2 = false;
    Rig r(Feats{{}, s1_only});
    sw::driver::Domain& s2 = r.drv[0]->create_domain(spec("s2", DomainKind::S2));
    EXPECT_THROW(r.drv[1]->attach(1, std::nullopt, s2), sw::driver::DriverError);
    EXPECT_FALSE(s2.shared());
    sw::driver::DomainSpec n = spec("n", DomainKind::Nested);
    n.parent = "s2";
    sw::driver::Domain& nested = r.drv[0]->create_domain(n);
    EXPECT_THROW(r.drv[1]->attach(1, std::nullopt, nested), sw::driver::DriverError);
    // Attaching again on an instance already in the array changes nothing.
    sw::driver::Domain& d = r.drv[0]->create_domain(spec("a", DomainKind::S1));
    r.drv[1]->attach(1, std::nullopt, d);
    r.drv[1]->attach(1, std::nullopt, d);
    ASSERT_EQ(d.invs().entries().size(), 2u);
    EXPECT_EQ(d.invs().entries()[1].users, 1u);
}

TEST(SharedDomain, TheLastAttachmentOfAnInstanceTakesItOutAndFlushesItsId) {
    Rig r(Feats{{}, {}});
    r.drv[1]->add_master(2, false);
    sw::driver::Domain& d = r.drv[0]->create_domain(spec("a", DomainKind::S1));
    r.drv[1]->attach(1, std::nullopt, d);
    r.drv[1]->attach(2, std::nullopt, d);
    ASSERT_EQ(d.invs().entries().size(), 2u);
    EXPECT_EQ(d.invs().entries()[1].users, 2u);
    sw::driver::Domain& b = r.drv[1]->create_domain(spec("b", DomainKind::S1));
    EXPECT_EQ(b.asid(), 2);  // ASID 1 is the shared domain's on instance 1
    r.drv[1]->attach(1, std::nullopt, b);
    EXPECT_TRUE(d.shared());  // StreamID 2 still uses it
    r.log.clear();
    r.drv[1]->attach(2, std::nullopt, b);
    EXPECT_FALSE(d.shared());
    // After the STE no longer names it: TLBI_NH_ASID of its ID there, and a CMD_SYNC.
    const std::vector<Command> c1 = r.commands(1);
    ASSERT_GE(c1.size(), 2u);
    expect_stream({c1.end() - 2, c1.end()}, {cmd::tlbi_nh_asid(1, 0), sev_sync()}, "smmu 1 flush");
    EXPECT_EQ(r.drv[1]->create_domain(spec("c", DomainKind::S1)).asid(), 1);  // free again
    r.map_unmap(d, 4);
    expect_stream(r.commands(0), {range4(op::TLBI_NH_VA, 1, 0), sev_sync()}, "smmu 0");
    EXPECT_TRUE(r.commands(1).empty());
}

// An SMMU with IDR0.ATS.
test::FakeSmmu::Features with_ats() {
    test::FakeSmmu::Features f;
    f.ats = true;
    return f;
}

// ATS (Linux arm_smmu_atc_inv_domain): after the TLBIs and their CMD_SYNC, one CMD_ATC_INV per
// ATS attachment of the domain covering the unmapped range (arm_smmu_atc_inv_to_cmd), then a
// CMD_SYNC that completes once the ATCs have.
TEST(AtsDomain, StrictUnmapInvalidatesTheAtcAfterTheTlbis) {
    const test::FakeSmmu::Features ats = with_ats();
    Rig r(Feats{ats});
    r.drv[0]->add_master(2, true, /*ats=*/true);
    sw::driver::Domain& d = r.drv[0]->create_domain(spec("a", DomainKind::S1));
    r.drv[0]->attach(1, std::nullopt, d);  // not ATS-capable: no ATC_INV for it
    r.drv[0]->attach(2, std::nullopt, d);
    ASSERT_TRUE(d.has_ats());
    r.map_unmap(d, 4);
    expect_stream(r.commands(0),
                  {range4(op::TLBI_NH_VA, 1, 0), sev_sync(), cmd::atc_inv(2, false, 0, kIova, 4 * kPage), sev_sync()},
                  "smmu 0");
    // Four pages at kIova: Size 2 from kIova (aligned), no SubstreamID.
    const std::vector<Command> cmds = r.commands(0);  // a copy: commands() returns by value
    ASSERT_GT(cmds.size(), 2u);
    const Command& a = cmds[2];
    EXPECT_EQ(a.opcode(), op::ATC_INV);
    EXPECT_EQ(a.get<Command::AtcSize>(), 2u);
    EXPECT_EQ(a.address<Command::Address>(), kIova);
    EXPECT_EQ(a.get<Command::SSV>(), 0u);
}

TEST(AtsDomain, PasidAttachmentSetsSsvAndFlushAllCoversEverything) {
    const test::FakeSmmu::Features ats = with_ats();
    Rig r(Feats{ats}, InvInstances::Serial, sw::driver::InvPolicy::Lazy);
    r.drv[0]->add_master(2, true, /*ats=*/true);
    sw::driver::Domain& rid = r.drv[0]->create_domain(spec("rid", DomainKind::S1));
    sw::driver::Domain& d = r.drv[0]->create_domain(spec("a", DomainKind::S1));
    r.drv[0]->attach(2, std::nullopt, rid);
    r.drv[0]->attach(2, 5u, d);
    ASSERT_TRUE(d.has_ats());
    r.map_unmap(d, 4);
    r.log.clear();
    r.drv[0]->flush_queues();  // lazy: the flush queue's whole-ASID invalidation
    expect_stream(r.commands(0),
                  {cmd::tlbi_nh_asid(d.asid(), 0), sev_sync(), cmd::atc_inv(2, true, 5, 0, 0), sev_sync()}, "flush");
    EXPECT_EQ(r.commands(0)[2].get<Command::AtcSize>(), smmu::arch::kAtcInvSizeAll);
    EXPECT_EQ(r.commands(0)[2].get<Command::SubstreamID>(), 5u);
}

// A device with ATS under a nested domain caches IOVA -> PA translations made through the
// stage-2 parent: the parent's unmap cannot tell which IOVAs its IPA range backs, so it empties
// the device's whole ATC (Linux nested_ats_flush; the series' INV_TYPE_ATS_FULL) after its own
// TLBIs. Without it the device would keep reaching the unmapped IPA through its ATC.
TEST(AtsDomain, ANestingParentsUnmapEmptiesTheWholeAtcOfItsNestedDevices) {
    const test::FakeSmmu::Features ats = with_ats();
    Rig r(Feats{ats});
    r.drv[0]->add_master(2, false, /*ats=*/true);
    sw::driver::Domain& s2 = r.drv[0]->create_domain(spec("s2", DomainKind::S2));
    sw::driver::DomainSpec n = spec("n", DomainKind::Nested);
    n.parent = "s2";
    sw::driver::Domain& nested = r.drv[0]->create_domain(n);
    r.drv[0]->attach(2, std::nullopt, nested);
    ASSERT_TRUE(nested.has_ats());
    ASSERT_TRUE(s2.has_ats());
    r.map_unmap(s2, 4);
    expect_stream(r.commands(0),
                  {range4(op::TLBI_S2_IPA, 0, s2.vmid()), sev_sync(), cmd::tlbi_nh_all(s2.vmid()), sev_sync(),
                   cmd::atc_inv(2, false, 0, 0, 0), sev_sync()},
                  "parent unmap");
    EXPECT_EQ(r.commands(0)[4].get<Command::AtcSize>(), smmu::arch::kAtcInvSizeAll);
    // Attached elsewhere (identity: ATS off), the device leaves the parent's list too.
    sw::driver::Domain& id = r.drv[0]->create_domain(spec("id", DomainKind::Bypass));
    r.drv[0]->attach(2, std::nullopt, id);
    EXPECT_FALSE(s2.has_ats());
}

// A shared domain with an ATS device behind each of two instances, as the series' array with
// INV_TYPE_ATS entries: each instance gets its TLBI and CMD_SYNC, then its own ATC_INV and
// CMD_SYNC; serial, instance 0 is done (both syncs waited for) before instance 1 gets anything.
TEST(AtsDomain, SharedDomainInvalidatesEachInstancesAtcsAfterItsOwnTlbis) {
    const test::FakeSmmu::Features ats = with_ats();
    Rig r(Feats{ats, ats});
    r.drv[0]->add_master(2, false, /*ats=*/true);
    r.drv[1]->add_master(3, false, /*ats=*/true);
    sw::driver::Domain& d = r.drv[0]->create_domain(spec("a", DomainKind::S1));
    r.drv[0]->attach(2, std::nullopt, d);
    r.drv[1]->attach(3, std::nullopt, d);
    r.map_unmap(d, 4);
    expect_stream(r.commands(0),
                  {range4(op::TLBI_NH_VA, 1, 0), sev_sync(), cmd::atc_inv(2, false, 0, kIova, 4 * kPage), sev_sync()},
                  "smmu 0");
    expect_stream(r.commands(1),
                  {range4(op::TLBI_NH_VA, d.asid_on(1), 0), sev_sync(), cmd::atc_inv(3, false, 0, kIova, 4 * kPage),
                   sev_sync()},
                  "smmu 1");
    size_t last0 = 0;
    for (size_t k = 0; k < r.log.size(); ++k)
        if (r.log[k].smmu == 0) last0 = k;
    EXPECT_LT(last0, r.first(1, false)) << "instance 0's ATC_INV and its sync come before instance 1's TLBI";
}

TEST(AtsDomain, NoAtsOnTheSmmuMeansNoAtcInvalidation) {
    Rig r(Feats{{}});
    r.drv[0]->add_master(2, false, /*ats=*/true);
    sw::driver::Domain& d = r.drv[0]->create_domain(spec("a", DomainKind::S1));
    r.drv[0]->attach(2, std::nullopt, d);
    EXPECT_FALSE(d.has_ats());
    r.map_unmap(d, 4);
    expect_stream(r.commands(0), {range4(op::TLBI_NH_VA, 1, 0), sev_sync()}, "no ATS");
}


// The platform names the ATS-capable devices; the others get no ATC invalidation.
TEST(AtsDomain, ThePlatformDeclaresWhichDevicesAreAtsCapable) {
    const test::FakeSmmu::Features ats = with_ats();
    Rig r(Feats{ats});
    sw::workloads::LinuxIommu io(*r.drv[0]);
    io.set_ats_capable(0, 3);
    io.add_master_on(0, 3, false);
    io.add_master_on(0, 4, false);
    sw::driver::Domain& a = io.create_domain_on(0, spec("a", DomainKind::S1));
    sw::driver::Domain& b = io.create_domain_on(0, spec("b", DomainKind::S1));
    io.attach(3, std::nullopt, a);
    io.attach(4, std::nullopt, b);
    EXPECT_TRUE(a.has_ats());
    EXPECT_FALSE(b.has_ats());
}

}  // namespace
}  // namespace smmusim
