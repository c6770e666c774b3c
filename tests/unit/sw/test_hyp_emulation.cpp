// Trap-and-emulate of the host's SMMU driver (the posted pKVM series): the host driver runs on
// a bus whose SMMU register accesses trap into the hypervisor; its commands are read from its
// own queue, filtered, copied into the hypervisor's hardware queue and completed before the
// trapped CMDQ_PROD write returns; its STEs are shadowed. A register-level stand-in completes
// the hardware's commands at once, so the exact stream can be checked.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "models/smmu/arch/command_builders.h"
#include "models/smmu/arch/regs.h"
#include "models/smmu/arch/ste.h"
#include "sw/driver/smmu_driver.h"
#include "sw/hal/direct_bus.h"
#include "sw/hal/page_alloc.h"
#include "sw/hyp/host_iommu.h"
#include "sw/hyp/hypervisor.h"
#include "sw/hyp/smmu_emulation.h"
#include "sw/hyp/trapped_bus.h"
#include "tests/unit/sw/fake_smmu.h"

using namespace smmusim;
using namespace smmusim::smmu::arch;
using sw::hyp::InvPolicy;
using sw::hyp::Refused;

namespace {

// A small host (256 MiB) so that its 4 KiB shadow builds quickly.
constexpr uint64_t kHost = 0x80000000, kHostSize = 0x10000000, kHostTables = 0x88000000;
constexpr uint64_t kHypMem = 0x270000000;

struct Warnings : sw::driver::Observer {
    std::vector<std::string> seen;
    void warning(const std::string& w) override { seen.push_back(w); }
};

struct Host {
    test::FakeSmmu smmu{test::FakeSmmu::Features{true, true, true, 0, true}};  // with ATS: the host must not see it
    sw::hal::DirectBus* bus_ptr = nullptr;
    sw::hal::DirectBus bus{smmu.handler(bus_ptr)};
    sw::hal::PageAllocator hyp_mem{kHypMem, 64u << 20};
    sw::hal::PageAllocator host_tables{kHostTables, 64u << 20};
    sw::driver::DriverConfig cfg;
    sw::driver::Observer obs;
    sw::driver::SmmuDriver drv;
    sw::hyp::Ownership owners{kHost, kHostSize};
    sw::hyp::HypObserver hobs;
    sw::hyp::Hypervisor hyp;
    sw::hyp::SmmuEmulation emu;
    sw::hyp::TrappedBus host_bus;
    Warnings host_obs;
    sw::driver::SmmuDriver host_drv;
    sw::hyp::HostIommu iommu;
    std::vector<Command> hw;  // what reached the hardware queue

    static sw::driver::DriverConfig config() {
        sw::driver::DriverConfig c;
        c.regs = test::FakeSmmu::kBase;
        c.sync = sw::driver::SyncMode::PollCons;
        return c;
    }
    static sw::hyp::EmulationConfig emulation(Refused r) {
        sw::hyp::EmulationConfig e;
        e.refused = r;
        return e;
    }
    static sw::hyp::HypConfig hyp_config() {
        sw::hyp::HypConfig h;
        h.shadow.policy = InvPolicy::Page;
        h.shadow.ias = 36;
        return h;
    }
    explicit Host(Refused r)
        : cfg(config()),
          drv(bus, hyp_mem, cfg, obs),
          hyp(bus, drv, owners, host_tables, hyp_config(), hobs),
          emu(bus, test::FakeSmmu::kBase, drv, {1, 2}, emulation(r)),
          host_bus(bus, test::FakeSmmu::kBase, reg::REGION_SIZE, emu, 400),
          host_drv(host_bus, host_tables, cfg, host_obs),
          iommu(hyp, host_drv) {
        bus_ptr = &bus;
        host_bus.on_irq([this](uint32_t lines) { host_drv.handle_irq(lines); });
        hyp.init({1, 2});
        emu.start(hyp.shadow());
        iommu.boot({1, 2});
        smmu.on_command = [this](const Command& c) { hw.push_back(c); };
    }
};

}  // namespace

TEST(HypEmulation, HostSeesAnSmmuWithoutStage2MsiHypOrAts) {
    Host h(Refused::CerrorIll);
    EXPECT_TRUE(h.drv.caps().s2);
    EXPECT_FALSE(h.host_drv.caps().s2);
    EXPECT_TRUE(h.host_drv.caps().s1);
    EXPECT_FALSE(h.host_drv.caps().hyp);
    EXPECT_FALSE(h.host_drv.caps().msi);
    EXPECT_TRUE(h.drv.caps().ats);
    EXPECT_FALSE(h.host_drv.caps().ats) << "the shadow clears EATS and ATC_INV is refused: no ATS for the host";
    EXPECT_EQ(h.host_drv.config().sync, sw::driver::SyncMode::PollCons);
    EXPECT_GT(h.host_bus.trapped(), 10u);  // the host's probe and reset went through the hypervisor
    EXPECT_EQ(h.host_bus.trap_cycles_spent(), 400 * h.host_bus.trapped());
}

TEST(HypEmulation, HostCommandsAreTrappedFilteredAndCompleted) {
    for (Refused mode : {Refused::Skip, Refused::CerrorIll}) {
        Host h(mode);
        const uint64_t trapped = h.host_bus.trapped();
        const Command cmds[] = {cmd::tlbi_nh_asid(5, 0), cmd::tlbi_s12_vmall(1), cmd::tlbi_nh_asid(6, 0)};
        // One host PROD write publishes all three and a CMD_SYNC; the host waits for it.
        EXPECT_TRUE(h.host_drv.cmdq().issue(cmds, 3, true));
        EXPECT_GT(h.host_bus.trapped(), trapped);
        EXPECT_EQ(h.emu.cmdq().refused(), 1u);
        const uint16_t vmid = h.hyp.shadow().domain().vmid();
        std::vector<uint8_t> ops;
        for (const Command& c : h.hw) {
            ops.push_back(c.opcode());
            if (c.opcode() == op::TLBI_NH_ASID) {
                EXPECT_EQ(c.get<Command::VMID>(), vmid) << "host VMID";
            }
        }
        // The stage-2 TLBI the host may not issue never reaches the hardware.
        for (uint8_t o : ops) EXPECT_NE(o, op::TLBI_S12_VMALL);
        if (mode == Refused::Skip) {
            const std::vector<uint8_t> want = {op::TLBI_NH_ASID, op::TLBI_NH_ASID, op::CMD_SYNC};
            EXPECT_EQ(ops, want);
            EXPECT_TRUE(h.host_obs.seen.empty());
        } else {
            // The host's queue stopped at the refused command with CERROR_ILL; its GERROR
            // handler replaced it with a CMD_SYNC and the queue went on.
            const std::vector<uint8_t> want = {op::TLBI_NH_ASID, op::CMD_SYNC, op::CMD_SYNC, op::TLBI_NH_ASID,
                                               op::CMD_SYNC};
            EXPECT_EQ(ops, want);
            bool ill = false;
            for (const std::string& w : h.host_obs.seen) ill |= w.find("CMDQ error (CERROR_ILL)") != std::string::npos;
            EXPECT_TRUE(ill) << "the host's GERROR handler never saw CERROR_ILL";
        }
        // Completed: the host's CONS is past everything it published, without error.
        const uint32_t cons = h.host_bus.read32(test::FakeSmmu::kBase + reg::CMDQ_CONS);
        EXPECT_EQ(cons, h.host_bus.read32(test::FakeSmmu::kBase + reg::CMDQ_PROD));
        EXPECT_EQ(h.host_drv.cmdq().timeouts(), 0u);
    }
}

TEST(HypEmulation, HostStesAreShadowedOverTheStage2) {
    Host h(Refused::CerrorIll);
    const uint64_t installed = h.emu.stes().installed();
    EXPECT_FALSE(h.hyp.shadow().domain().target().nest_parent);  // host bypass: the shadow alone
    sw::driver::DomainSpec s1;
    s1.name = "d";
    s1.kind = sw::driver::DomainKind::S1;
    sw::driver::Domain& d = h.iommu.create_domain(s1);
    h.hw.clear();
    h.iommu.attach(1, std::nullopt, d);
    EXPECT_GT(h.emu.stes().installed(), installed);
    // The host's CFGI_STE became the hypervisor's own CFGI_STE of the real STE.
    bool cfgi = false;
    for (const Command& c : h.hw) cfgi |= c.opcode() == op::CFGI_STE && c.get<Command::StreamID>() == 1;
    EXPECT_TRUE(cfgi);
    // Nested now: the shadow's invalidations must also remove combined stage-1+2 entries.
    EXPECT_TRUE(h.hyp.shadow().domain().target().nest_parent);
    sw::driver::DomainSpec s2 = s1;
    s2.name = "x";
    s2.kind = sw::driver::DomainKind::S2;
    EXPECT_THROW(h.iommu.create_domain(s2), sw::driver::DriverError);
}
