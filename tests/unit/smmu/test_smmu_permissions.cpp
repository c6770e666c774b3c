// Stage-1 and stage-2 permission checks (fact sheet walk_cmd_evt §2-3): each rule with its
// passing controls.

#include "tests/unit/smmu/walk_test_helpers.h"

namespace {
struct Perm {
    uint64_t leaf;  // leaf attributes (AF, AP / S2AP, XN bits)
    Acc acc;
    bool ok;
    uint64_t table = 0;   // stage 1: ORed into the level-1 table descriptor (APTable)
    uint64_t cd_dw0 = 0;  // stage 1: ORed into CD dw0 (PAN, WXN)
};

void permission_cases(bool stage2, const std::vector<Perm>& cases) {
    with_bench([&](SmmuBench& b) {
        const uint64_t ia = 0x12345000, pa = kDram + 0xA000;
        uint32_t sid = 0;
        for (const Perm& c : cases) {
            PageTables pt = stage2 ? b.tables(12, 40, 1) : b.tables(12, 48, 0);
            if (stage2) {
                pt.map(ia, pa, 0x1000, 3, c.leaf | s2::ISH | s2::NORMAL_WB);
                s2_stream(b, ++sid, pt);
            } else {
                pt.map(ia, pa, 0x1000, 3, c.leaf | s1::ISH | (1ull << 2));
                pt.set_descriptor(ia, 1, pt.descriptor(ia, 1) | c.table);
                s1_stream(b, ++sid, pt, [&](Cd& cd) { cd.dw[0] |= c.cd_dw0; });
            }
            b.put64(pa + 0x10, 0);
            const uint64_t addr = ia + (c.acc.write ? 0x10 : 8);
            if (!c.ok)
                expect_aborts(b, sid, addr, {evt::F_PERMISSION, stage2, kIn, stage2 ? ia & kIpaField : 0}, kAny,
                              kAny, c.acc);
            else if (c.acc.write)
                EXPECT_EQ(access(b, sid, addr, c.acc).status, kOk) << "sid " << sid;
            else
                expect_reads(b, sid, addr, pa + 8, kAny, kAny, c.acc);
            EXPECT_EQ(b.get64(pa + 0x10), c.ok && c.acc.write ? kWritten : 0) << "sid " << sid;
        }
        uint64_t faults = 0;
        for (const Perm& c : cases) faults += !c.ok;
        EXPECT_EQ(stat("smmu.tcu.faults"), faults);  // and the passing accesses did not fault
    });
}
}  // namespace

// Stage-1 leaves (AF set) by AP[2:1]; the APTable bits.
constexpr uint64_t kPrivRw = s1::AF | s1::AP_PRIV_RW, kRw = s1::AF | s1::AP_RW, kRo = s1::AF | s1::AP_RO;
constexpr uint64_t kNoUnpriv = 1ull << 61, kNoWrite = 1ull << 62;

TEST(SmmuWalk, Stage1WriteToReadOnly) {
    permission_cases(S1, {{kRo, kRead, true}, {kRo, kWrite, false}, {kRo, kPrivWrite, false}});
}

TEST(SmmuWalk, Stage1UnprivilegedReadOfPrivilegedOnly) {
    permission_cases(S1, {{kPrivRw, kRead, false}, {kPrivRw, kPrivRead, true}, {kPrivRw, kPrivWrite, true}});
}

TEST(SmmuWalk, Stage1ApTableNoWrite) {
    permission_cases(S1, {{kRw, kRead, true, kNoWrite}, {kRw, kWrite, false, kNoWrite},
                          {kRw, kPrivWrite, false, kNoWrite}, {kRw, kWrite, true}});
}

TEST(SmmuWalk, Stage1ApTableNoUnprivileged) {
    permission_cases(S1, {{kRw, kRead, false, kNoUnpriv}, {kRw, kWrite, false, kNoUnpriv},
                          {kRw, kPrivRead, true, kNoUnpriv}, {kRw, kPrivWrite, true, kNoUnpriv}});
}

TEST(SmmuWalk, Stage1InstructionFetchUxnPxn) {  // AP = RO: not EL0-writable, no implicit PXN
    permission_cases(S1, {{kRo | s1::UXN, kInstr, false}, {kRo | s1::UXN, kPrivInstr, true},
                          {kRo | s1::PXN, kPrivInstr, false}, {kRo | s1::PXN, kInstr, true}});
}

TEST(SmmuWalk, Stage1ExecuteOnly) {  // AP = 00, UXN = 0
    permission_cases(S1, {{kPrivRw, kInstr, true}, {kPrivRw, kRead, false}});
}

TEST(SmmuWalk, Stage1El0WritableIsNotPrivilegedExecutable) {
    permission_cases(S1, {{kRw, kPrivInstr, false}, {kRw, kInstr, true}, {kRo, kPrivInstr, true}});
}

TEST(SmmuWalk, Stage1Pan) {
    const uint64_t pan = Cd::PAN::mask;
    permission_cases(S1, {{kRw, kPrivRead, false, 0, pan}, {kRw, kPrivWrite, false, 0, pan},
                          {kRw, kRead, true, 0, pan}, {kPrivRw, kPrivRead, true, 0, pan},
                          {kRo, kPrivInstr, true, 0, pan} /* fetches: no PAN */, {kRw, kPrivRead, true}});
}

TEST(SmmuWalk, Stage1Wxn) {  // WXN: writable at the access's privilege => not executable
    const uint64_t wxn = Cd::WXN::mask;
    permission_cases(S1, {{kPrivRw, kPrivInstr, false, 0, wxn}, {kPrivRw, kInstr, true, 0, wxn},
                          {kRw, kInstr, false, 0, wxn}, {kPrivRw, kPrivInstr, true}});
}

TEST(SmmuWalk, Stage2ReadOnlyAndWriteOnly) {
    const uint64_t r = s2::AF | s2::R, w = s2::AF | s2::W;
    permission_cases(S2, {{r, kRead, true}, {r, kWrite, false}, {w, kWrite, true}, {w, kRead, false}});
}

TEST(SmmuWalk, Stage2ExecuteNever) {
    const uint64_t rw = s2::AF | s2::R | s2::W;
    auto xn = [](uint64_t v) { return v << 53; };  // XN[1:0]
    permission_cases(S2, {{rw, kPrivInstr, true}, {rw, kInstr, true},
                          {rw | xn(2), kPrivInstr, false}, {rw | xn(2), kInstr, false},
                          {rw | xn(1), kPrivInstr, false}, {rw | xn(1), kInstr, true},
                          {rw | xn(3), kPrivInstr, true}, {rw | xn(3), kInstr, false}, {rw | xn(2), kRead, true}});
}

// EL2 StreamWorld without E2H (STRW=EL2, CR2.E2H=0): one privilege level, no TTB1; AP[1], PXN
// and the incoming privilege are not used; XN (bit 54) governs execution (fact sheet §1-2). EL2
// translations carry no ASID: every EL2 stream is one address space, so each case maps its
// own page.
TEST(SmmuWalk, Stage1SinglePrivilegeEl2) {
    with_bench([&](SmmuBench& b) {
        uint64_t ia = 0x12345000;
        const uint64_t pa = kDram + 0xA000;
        uint32_t sid = 0;
        auto el2_stream = [&](uint64_t leaf) {
            ia += 0x100000;
            PageTables pt = b.tables(12, 48, 0);
            pt.map(ia, pa, 0x1000, 3, leaf | s1::AF | s1::ISH);
            const uint64_t at = b.alloc(64, 64);
            Cd cd = cd_for(pt);
            cd.set<Cd::EPD0>(1);  // ignored: EPD0 is effectively 0 at EL2
            b.put(at, cd);
            Ste ste = ste_s1(at);
            ste.set<Ste::STRW>(strw::NS_EL2);
            b.set_ste(++sid, ste);
            return sid;
        };
        // Privileged-only page: an unprivileged access is treated as privileged.
        uint32_t s = el2_stream(s1::AP_PRIV_RW);
        expect_reads(b, s, ia + 8, pa + 8, 4, kAny, kRead);
        // Read-only still forbids writes.
        s = el2_stream(s1::AP_PRIV_RO);
        expect_aborts(b, s, ia, {evt::F_PERMISSION, S1, kIn}, 4, kAny, kWrite);
        // PXN is not used; XN (bit 54) forbids execution for everyone.
        s = el2_stream(s1::AP_PRIV_RW | s1::PXN);
        expect_reads(b, s, ia + 8, pa + 8, 4, kAny, kPrivInstr);
        s = el2_stream(s1::AP_PRIV_RW | s1::UXN);
        expect_aborts(b, s, ia, {evt::F_PERMISSION, S1, kIn}, 4, kAny, kPrivInstr);
        // There is no upper VA range.
        const uint32_t upper = el2_stream(s1::AP_PRIV_RW);
        expect_aborts(b, upper, 0xFFFF800012345000ull, {evt::F_TRANSLATION, S1, kIn}, 0);
    });
}

// With CR2.E2H=1 the same STE selects EL2&0, which has two privilege levels and TTB1 like EL1.
TEST(SmmuWalk, Stage1El2WithE2hHasTwoPrivilegeLevels) {
    SmmuBench b(tcu_caches_off());
    b.run([&] {
        BenchSetup setup;
        setup.e2h = true;
        b.enable(setup);
        EXPECT_EQ(b.rd32(reg::CR2), 0x3u);
        const uint64_t ia = 0x12345000, pa = kDram + 0xA000;
        PageTables pt = b.tables(12, 48, 0);
        pt.map(ia, pa, 0x1000, 3, s1::AP_PRIV_RW | s1::AF | s1::ISH);
        const uint64_t at = b.alloc(64, 64);
        b.put(at, cd_for(pt));
        Ste ste = ste_s1(at);
        ste.set<Ste::STRW>(strw::NS_EL2);
        b.set_ste(1, ste);
        expect_reads(b, 1, ia + 8, pa + 8, 4, kAny, kPrivRead);
        expect_aborts(b, 1, ia, {evt::F_PERMISSION, S1, kIn}, 4, kAny, kRead);
    });
}
