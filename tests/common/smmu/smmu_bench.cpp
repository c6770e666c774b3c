#include "tests/common/smmu/smmu_bench.h"

#include <algorithm>
#include <stdexcept>

#include "models/smmu/arch/queue.h"

namespace smmusim::test {

using namespace smmu::arch;

namespace {
constexpr unsigned kPollLimit = 20000;
}

std::vector<std::string> tcu_caches_off(std::vector<std::string> more) {
    std::vector<std::string> s = {"smmu.tcu.config_cache.enable=false", "smmu.tcu.tlb.enable=false",
                                  "smmu.tcu.ipa_cache.enable=false"};
    for (int stage = 1; stage <= 2; ++stage)
        for (int level = 0; level <= 3; ++level)
            s.push_back("smmu.tcu.walk_cache.s" + std::to_string(stage) + "l" + std::to_string(level) +
                        ".enable=false");
    s.insert(s.end(), more.begin(), more.end());
    return s;
}

namespace {
std::vector<std::string> initiators(unsigned tbus) {
    std::vector<std::string> n{"cpu", "tcu"};
    for (unsigned i = 0; i < tbus; ++i) n.push_back("dev" + std::to_string(i));
    return n;
}
}  // namespace

SmmuBench::SmmuBench(std::initializer_list<std::string> sets) : SmmuBench(std::vector<std::string>(sets)) {}

SmmuBench::SmmuBench(const std::vector<std::string>& sets, unsigned tbus, bool traffic)
    : presets(sets),
      dram("dram", {kDram, kDramSize}),
      smmu("smmu", tbus),
      cpu("cpu"),
      noc("noc", initiators(tbus), {{"dram", kDram, kDramSize}, {"smmu", kSmmuBase, smmu.features().region_size()}}) {
    cpu.port.socket().bind(noc.initiator_socket("cpu"));
    for (unsigned i = 0; i < tbus; ++i) {
        const std::string name = "dev" + std::to_string(i);
        if (traffic) {
            traffic::DmaDefaults d;
            d.sid = i + 1;
            d.count = 0;
            masters.push_back(std::make_unique<traffic::DmaMaster>(("dma" + std::to_string(i)).c_str(), d));
            masters.back()->port.socket.bind(smmu.tbu(i).in.socket);
        } else {
            devs.push_back(std::make_unique<BareInitiator>(name.c_str()));
            devs.back()->port.socket().bind(smmu.tbu(i).in.socket);
        }
        smmu.tbu(i).out.socket.bind(noc.initiator_socket(name));
    }
    smmu.tcu.mem.socket().bind(noc.initiator_socket("tcu"));
    noc.target_socket("dram").bind(dram.port.socket);
    noc.target_socket("smmu").bind(smmu.tcu.regs.socket);
    if (smmu.features().btm) {
        dvm = std::make_unique<noc::DvmNode>("dvm", std::vector<std::string>{"to_smmu"});
        dvm_cpu = std::make_unique<cpu::DvmRequester>("cpu_dvm");
        dvm_cpu->out.bind(dvm->in);
        dvm->participant(0).bind(smmu.tcu.dvm());
    }
}

void SmmuBench::start_read(uint32_t sid, uint64_t addr, InFlightRead& r, unsigned dev) {
    sc_core::sc_spawn([this, sid, addr, &r, dev] {
        core::StreamAttr a;
        a.sid = sid;
        unsigned char buf[8];
        r.status = devs.at(dev)->port.read(addr, buf, 8, &a);
        r.done = sc_core::sc_time_stamp();
    });
    wait_cycles(100);
}

void SmmuBench::tlbi(const smmu::arch::dvm::Message& m) {
    if (!dvm_cpu) throw std::logic_error("tlbi: the bench has no DVM domain (smmu.btm=false)");
    dvm_cpu->tlbi(0, m);
}

void SmmuBench::dvm_sync() {
    if (!dvm_cpu) throw std::logic_error("dvm_sync: the bench has no DVM domain (smmu.btm=false)");
    dvm_cpu->sync(0);
}

void SmmuBench::run(std::function<void()> script) {
    sc_core::sc_spawn_options opts;
    sc_core::sc_spawn(std::move(script), "script", &opts);
    sc_core::sc_start();
}

tlm::tlm_response_status SmmuBench::mmio(uint32_t off, unsigned len, bool write, uint64_t& value) {
    unsigned char b[8];
    if (write) {
        for (unsigned i = 0; i < len; ++i) b[i] = static_cast<unsigned char>(value >> (8 * i));
        return cpu.port.write(kSmmuBase + off, b, len);
    }
    tlm::tlm_response_status st = cpu.port.read(kSmmuBase + off, b, len);
    value = 0;
    for (int i = int(len) - 1; i >= 0; --i) value = (value << 8) | b[i];
    return st;
}

uint32_t SmmuBench::rd32(uint32_t off) {
    uint64_t v;
    if (mmio(off, 4, false, v) != tlm::TLM_OK_RESPONSE) throw std::runtime_error("rd32 failed");
    return uint32_t(v);
}
void SmmuBench::wr32(uint32_t off, uint32_t v) {
    uint64_t x = v;
    if (mmio(off, 4, true, x) != tlm::TLM_OK_RESPONSE) throw std::runtime_error("wr32 failed");
}
uint64_t SmmuBench::rd64(uint32_t off) {
    uint64_t v;
    if (mmio(off, 8, false, v) != tlm::TLM_OK_RESPONSE) throw std::runtime_error("rd64 failed");
    return v;
}
void SmmuBench::wr64(uint32_t off, uint64_t v) {
    if (mmio(off, 8, true, v) != tlm::TLM_OK_RESPONSE) throw std::runtime_error("wr64 failed");
}

bool SmmuBench::write_ack(uint32_t reg, uint32_t ack_reg, uint32_t value) {
    wr32(reg, value);
    for (unsigned i = 0; i < kPollLimit; ++i)
        if (rd32(ack_reg) == value) return true;
    return false;
}

void SmmuBench::wait_cycles(unsigned n) { sc_core::wait(sc_core::sc_time(n, sc_core::SC_NS)); }

bool SmmuBench::poll(const std::function<bool()>& done) {
    for (unsigned i = 0; i < 1000; ++i) {
        if (done()) return true;
        wait_cycles(100);
    }
    return done();
}

uint64_t SmmuBench::alloc(uint64_t bytes, uint64_t align) {
    arena_ = (arena_ + align - 1) & ~(align - 1);
    const uint64_t a = arena_;
    arena_ += bytes;
    return a;
}

void SmmuBench::put64(uint64_t addr, uint64_t v) {
    unsigned char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
    dram.store().write(addr, b, 8);
}

uint64_t SmmuBench::get64(uint64_t addr) {
    unsigned char b[8];
    dram.store().read(addr, b, 8);
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | b[i];
    return v;
}

uint32_t SmmuBench::get32(uint64_t addr) { return uint32_t(get64(addr)); }

PageTables SmmuBench::tables(unsigned gshift, unsigned ia_bits, int start) {
    return PageTables(dram.store(), [this](uint64_t b, uint64_t a) { return alloc(b, a); }, gshift, ia_bits,
                      start);
}

void SmmuBench::enable_streams_s1(uint64_t va, uint64_t bytes, unsigned streams) {
    PageTables pt = tables(12, 48, 0);
    pt.map(va, kDram, bytes, 3, s1::RW);
    enable();
    for (uint32_t sid = 1; sid <= streams; ++sid) {
        const uint64_t cd = alloc(64, 64);
        put(cd, cd_for(pt));
        set_ste(sid, ste_s1(cd));
    }
}

void SmmuBench::enable(const BenchSetup& s) {
    setup_ = s;
    if (!s.two_level) {
        const uint64_t bytes = uint64_t(Ste::kBytes) << s.sid_bits;
        strtab_ = alloc(bytes, bytes);
        wr64(reg::STRTAB_BASE, strtab_);
        wr32(reg::STRTAB_BASE_CFG, s.sid_bits);
    } else {
        const unsigned l1_bits = s.sid_bits > s.split ? s.sid_bits - s.split : 0;
        const uint64_t bytes = std::max<uint64_t>(64, uint64_t(8) << l1_bits);
        strtab_ = alloc(bytes, bytes);
        wr64(reg::STRTAB_BASE, strtab_);
        wr32(reg::STRTAB_BASE_CFG, s.sid_bits | (s.split << 6) | (1u << 16));
    }
    const uint64_t cmdq_bytes = uint64_t(Command::kBytes) << s.cmdq_log2;
    cmdq_ = alloc(cmdq_bytes, cmdq_bytes);
    wr64(reg::CMDQ_BASE, cmdq_ | s.cmdq_log2);
    wr32(reg::CMDQ_PROD, 0);
    wr32(reg::CMDQ_CONS, 0);
    prod_ = 0;
    const uint64_t evtq_bytes = uint64_t(EventRecord::kBytes) << s.evtq_log2;
    evtq_ = alloc(evtq_bytes, evtq_bytes);
    wr64(reg::EVENTQ_BASE, evtq_ | s.evtq_log2);
    wr32(reg::EVENTQ_PROD, 0);
    wr32(reg::EVENTQ_CONS, 0);
    wr32(reg::CR2, (s.recinvsid ? 2u : 0u) | (s.e2h ? 1u : 0u) | (s.ptm ? 4u : 0u));
    if (!write_ack(reg::IRQ_CTRL, reg::IRQ_CTRLACK, (s.gerror_irq ? 1u : 0u) | (s.eventq_irq ? 4u : 0u)))
        throw std::runtime_error("IRQ_CTRL not acknowledged");
    const uint32_t queues = 0x8u | 0x4u;  // CMDQEN | EVENTQEN
    if (!write_ack(reg::CR0, reg::CR0ACK, queues)) throw std::runtime_error("CR0 not acknowledged");
    Command all;
    all.set<Command::Opcode>(op::CFGI_STE_RANGE);
    all.set<Command::Range>(31);
    command(all);
    Command nsnh;
    nsnh.set<Command::Opcode>(op::TLBI_NSNH_ALL);
    command(nsnh);
    if (!sync()) throw std::runtime_error("initial CMD_SYNC failed");
    if (s.enable_smmu && !write_ack(reg::CR0, reg::CR0ACK, queues | 1u | (s.atschk ? 0x10u : 0u)))
        throw std::runtime_error("SMMUEN not acknowledged");
}

void SmmuBench::set_ste(uint32_t sid, const Ste& ste) {
    if (!setup_.two_level) {
        put(strtab_ + uint64_t(sid) * Ste::kBytes, ste);
        return;
    }
    const uint64_t l1 = strtab_ + uint64_t(sid >> setup_.split) * 8;
    uint64_t desc = get64(l1);
    if ((desc & 0x1F) == 0) {
        const uint64_t bytes = uint64_t(Ste::kBytes) << setup_.split;
        const uint64_t l2 = alloc(bytes, bytes);
        desc = l2 | (setup_.split + 1);
        put64(l1, desc);
    }
    put((desc & ~uint64_t(0x3F)) + uint64_t(sid & ((1u << setup_.split) - 1)) * Ste::kBytes, ste);
}

void SmmuBench::command(const Command& c) {
    const QueueIndex q(setup_.cmdq_log2);
    for (unsigned i = 0; q.full(prod_, rd32(reg::CMDQ_CONS)); ++i)
        if (i > kPollLimit) throw std::runtime_error("command queue stays full");
    put(cmdq_ + uint64_t(q.index(prod_)) * Command::kBytes, c);
    prod_ = q.next(prod_);
    wr32(reg::CMDQ_PROD, prod_);
}

uint16_t SmmuBench::ste_vmid(uint32_t sid) {
    unsigned char raw[64];
    dram.store().read(strtab_ + sid * 64ull, raw, 64);
    Ste s;
    s.load(raw);
    return uint16_t(s.get<Ste::S2VMID>());
}

bool SmmuBench::submit(const std::vector<Command>& cmds) {
    const QueueIndex q(setup_.cmdq_log2);
    if (cmds.size() > q.entries() - q.used(prod_, rd32(reg::CMDQ_CONS))) throw std::runtime_error("batch too large");
    for (const Command& c : cmds) {
        put(cmdq_ + uint64_t(q.index(prod_)) * Command::kBytes, c);
        prod_ = q.next(prod_);
    }
    wr32(reg::CMDQ_PROD, prod_);
    for (unsigned i = 0; i < kPollLimit; ++i) {
        if (q.pos(rd32(reg::CMDQ_CONS)) == q.pos(prod_)) return true;
        if ((rd32(reg::GERROR) ^ rd32(reg::GERRORN)) & gerror::CMDQ_ERR) return false;
    }
    return false;
}

bool SmmuBench::sync(uint64_t cs, uint64_t msi_addr, uint32_t msi_data) {
    Command c;
    c.set<Command::Opcode>(op::CMD_SYNC);
    c.set<Command::CS>(cs);
    c.set<Command::MSIData>(msi_data);
    c.set_address<Command::MSIAddress>(msi_addr);
    command(c);
    const QueueIndex q(setup_.cmdq_log2);
    for (unsigned i = 0; i < kPollLimit; ++i) {
        if (q.pos(rd32(reg::CMDQ_CONS)) == q.pos(prod_)) return true;
        if ((rd32(reg::GERROR) ^ rd32(reg::GERRORN)) & gerror::CMDQ_ERR) return false;
    }
    return false;
}

std::vector<EventRecord> SmmuBench::events(unsigned expect) {
    const QueueIndex q(setup_.evtq_log2);
    uint32_t cons = rd32(reg::EVENTQ_CONS);
    uint32_t prod = rd32(reg::EVENTQ_PROD);
    for (unsigned i = 0; i < kPollLimit && q.used(prod, cons) < expect && !q.full(prod, cons); ++i)
        prod = rd32(reg::EVENTQ_PROD);
    std::vector<EventRecord> out;
    while (!q.empty(prod, cons)) {
        EventRecord e;
        unsigned char b[EventRecord::kBytes];
        dram.store().read(evtq_ + uint64_t(q.index(cons)) * EventRecord::kBytes, b, sizeof b);
        e.load(b);
        out.push_back(e);
        cons = q.next(cons);
    }
    // Acknowledge an overflow as Linux does: OVACKFLG takes OVFLG.
    wr32(reg::EVENTQ_CONS, q.pos(cons) | (prod & (1u << 31)));
    return out;
}

DmaResult SmmuBench::dma_read(uint32_t sid, uint64_t addr, unsigned len, std::optional<uint32_t> ssid,
                              bool priv, bool instr, unsigned dev) {
    core::StreamAttr a;
    a.sid = sid;
    a.ssid_valid = ssid.has_value();
    a.ssid = ssid.value_or(0);
    a.priv = priv;
    a.instr = instr;
    DmaResult r;
    r.data.resize(len);
    r.status = devs.at(dev)->port.read(addr, r.data.data(), len, &a);
    return r;
}

DmaResult SmmuBench::dma_write(uint32_t sid, uint64_t addr, const std::vector<unsigned char>& data,
                               std::optional<uint32_t> ssid, bool priv, unsigned dev) {
    core::StreamAttr a;
    a.sid = sid;
    a.ssid_valid = ssid.has_value();
    a.ssid = ssid.value_or(0);
    a.priv = priv;
    DmaResult r;
    r.status = devs.at(dev)->port.write(addr, data.data(), unsigned(data.size()), &a);
    return r;
}

uint64_t tg0_for(unsigned gshift) { return gshift == 12 ? 0 : gshift == 16 ? 1 : 2; }

uint64_t s2sl0_for(const PageTables& pt) {
    const int start = pt.start_level();
    if (pt.granule().shift == 12) return start == 3 ? 3 : uint64_t(2 - start);
    return uint64_t(3 - start);
}

Ste ste_bypass() {
    Ste s;
    s.set<Ste::V>(1);
    s.set<Ste::Config>(ste_config::BYPASS);
    return s;
}

Ste ste_abort() {
    Ste s;
    s.set<Ste::V>(1);
    s.set<Ste::Config>(ste_config::ABORT);
    return s;
}

Ste ste_s1(uint64_t cd, unsigned cdmax, uint64_t fmt, uint64_t dss) {
    Ste s;
    s.set<Ste::V>(1);
    s.set<Ste::Config>(ste_config::S1_TRANS);
    s.set_address<Ste::S1ContextPtr>(cd);
    s.set<Ste::S1CDMax>(cdmax);
    s.set<Ste::S1Fmt>(fmt);
    s.set<Ste::S1DSS>(dss);
    s.set<Ste::S1CIR>(1);
    s.set<Ste::S1COR>(1);
    s.set<Ste::S1CSH>(3);
    return s;
}

namespace {
uint16_t fresh(uint16_t& counter, uint16_t given) { return given ? given : ++counter; }
uint16_t next_vmid = 0, next_asid = 0;

void set_s2_fields(Ste& s, const PageTables& pt, uint16_t vmid) {
    s.set<Ste::S2VMID>(fresh(next_vmid, vmid));
    s.set<Ste::S2T0SZ>(64 - pt.ia_bits());
    s.set<Ste::S2SL0>(s2sl0_for(pt));
    s.set<Ste::S2IR0>(1);
    s.set<Ste::S2OR0>(1);
    s.set<Ste::S2SH0>(3);
    s.set<Ste::S2TG>(tg0_for(pt.granule().shift));
    s.set<Ste::S2PS>(5);
    s.set<Ste::S2AA64>(1);
    s.set<Ste::S2R>(1);
    s.set_address<Ste::S2TTB>(pt.root());
}
}  // namespace

Ste ste_s2(const PageTables& pt, uint16_t vmid) {
    Ste s;
    s.set<Ste::V>(1);
    s.set<Ste::Config>(ste_config::S2_TRANS);
    set_s2_fields(s, pt, vmid);
    return s;
}

Ste ste_nested(uint64_t cd, const PageTables& s2pt, uint16_t vmid) {
    Ste s = ste_s1(cd);
    s.set<Ste::Config>(ste_config::NESTED);
    set_s2_fields(s, s2pt, vmid);
    return s;
}

Cd cd_for(const PageTables& pt, uint16_t asid) {
    Cd c;
    c.set<Cd::T0SZ>(64 - pt.ia_bits());
    c.set<Cd::TG0>(tg0_for(pt.granule().shift));
    c.set<Cd::IR0>(1);
    c.set<Cd::OR0>(1);
    c.set<Cd::SH0>(3);
    c.set<Cd::EPD1>(1);
    c.set<Cd::V>(1);
    c.set<Cd::IPS>(5);
    c.set<Cd::AA64>(1);
    c.set<Cd::R>(1);
    c.set<Cd::A>(1);
    c.set<Cd::ASET>(1);
    c.set<Cd::ASID>(fresh(next_asid, asid));
    c.set_address<Cd::TTB0>(pt.root());
    c.set<Cd::MAIR>(0x0004FF44);
    return c;
}

}  // namespace smmusim::test
