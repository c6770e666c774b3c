#include "models/smmu/tcu/command_queue.h"

#include <algorithm>

#include "models/core/json_log.h"
#include "models/core/sim_time.h"
#include "models/core/txn_trace.h"
#include "models/smmu/arch/commands_json.h"
#include "models/smmu/arch/queue.h"
#include "models/smmu/arch/regs.h"
#include "models/smmu/tcu/command_check.h"

namespace smmusim::smmu::tcu {

using namespace arch;

namespace {

// The command log (--cmd-log, DESIGN §5): a line per command when CONS passes it (CMD_SYNC:
// when it completes, which is when CONS passes it), and a line with "error" for a command that
// stops the queue, when the error is raised (CONS stays on it). Members: t_ns, smmu (the
// instance), then arch::append_command_json (op, raw, the opcode's fields), then "error" if any.
void log_command(const char* smmu, const Command& c, uint32_t err) {
    core::JsonLog* log = core::JsonLog::get(core::LogId::Cmd);
    if (!log) return;
    core::JsonLine l = log->line();
    l.time_ns("t_ns", core::now()).str("smmu", smmu).members([&](std::string& out) {
        append_command_json(out, c);
    });
    if (err != cerror::NONE) l.str("error", cerror_name(err) ? cerror_name(err) : "CERROR_RESERVED");
}

// A command fetch that aborted (CERROR_ABT): there is no command to show, only where it was.
void log_fetch_abort(const char* smmu, uint64_t addr) {
    if (core::JsonLog* log = core::JsonLog::get(core::LogId::Cmd))
        log->line()
            .time_ns("t_ns", core::now())
            .str("smmu", smmu)
            .null("op")
            .null("raw")
            .str("error", cerror_name(cerror::ABT))
            .hex("fetch_addr", addr);
}

}  // namespace

CommandQueue::CommandQueue(sc_core::sc_module& owner, RegState& regs, const Features& f,
                           core::BlockingPort& mem, Interrupts& irq, Invalidator& inv, Timing timing)
    : smmu_name_(owner.get_parent_object() ? owner.get_parent_object()->name() : owner.name()),
      regs_(regs),
      f_(f),
      mem_(mem),
      irq_(irq),
      inv_(inv),
      timing_(timing),
      commands_(&owner, "cmdq.commands", "commands consumed"),
      syncs_(&owner, "cmdq.syncs", "CMD_SYNC commands completed"),
      tlbi_(&owner, "cmdq.tlbi", "TLBI commands consumed"),
      cfgi_(&owner, "cmdq.cfgi", "CFGI commands consumed"),
      errors_(&owner, "cmdq.errors", "command queue errors (CERROR_ILL, CERROR_ABT, CERROR_ATC_INV_SYNC)"),
      fetches_(&owner, "cmdq.fetches", "memory reads of command queue entries"),
      sync_latency_(&owner, "cmdq.sync_latency",
                    "CMD_SYNC latency: from PROD making it visible to its completion"),
      occupancy_sig_(&owner, "cmdq.occupancy", 20),
      sync_pending_sig_(&owner, "cmdq.sync_pending", 1),
      trace_track_(&owner, " cmdq") {
    sources_.resize(1 + f.ecmdqs);
    for (unsigned i = 0; i < f.ecmdqs; ++i) {
        sources_[1 + i].ecmdq = int(i);
        sources_[1 + i].commands = std::make_unique<core::Counter>(
            &owner, ("cmdq.ecmdq" + std::to_string(i) + ".commands").c_str(), "commands consumed from this ECMDQ");
    }
}

void CommandQueue::kick() { kick_.notify(sc_core::SC_ZERO_TIME); }

uint64_t CommandQueue::base_of(const Source& s) const {
    return s.ecmdq < 0 ? regs_.cmdq_base : regs_.ecmdq[size_t(s.ecmdq)].base;
}
uint32_t CommandQueue::prod_of(const Source& s) const {
    return s.ecmdq < 0 ? regs_.cmdq_prod : regs_.ecmdq[size_t(s.ecmdq)].prod & queue_ptr::kIndexAndWrapMask;
}
uint32_t& CommandQueue::cons_of(Source& s) { return s.ecmdq < 0 ? regs_.cmdq_cons : regs_.ecmdq[size_t(s.ecmdq)].cons; }

bool CommandQueue::enabled(const Source& s) const {
    return s.ecmdq < 0 ? regs_.cmdqen() : regs_.ecmdq[size_t(s.ecmdq)].enack();
}

// LOG2SIZE above IDR1.CMDQS is treated as CMDQS (the same constraint for ECMDQ_BASE, §6.3.107).
unsigned CommandQueue::log2size(const Source& s) const {
    return std::min<unsigned>(unsigned(get<queue_base::LOG2SIZE>(base_of(s))), f_.cmdqs);
}

void CommandQueue::note_visible(Source& s) {
    s.visible.emplace_back(QueueIndex(log2size(s)).pos(prod_of(s)), core::now());
}

void CommandQueue::prod_written() {
    note_visible(sources_[0]);
    trace_occupancy();
    kick();
}

void CommandQueue::ecmdq_prod_written(unsigned i) {
    Source& s = sources_[1 + i];
    const EcmdqRegs& e = regs_.ecmdq[i];
    if (e.en() != e.enack() && !s.ack_pending) {
        s.ack_pending = true;
        s.ack_due = core::now() + timing_.ack;
        ack_ev_.notify(timing_.ack);
    }
    note_visible(s);
    kick();
}

// ENACK follows EN after the acknowledge latency; it is updated even while ERRACK != ERR
// (§3.5.6.2). From ENACK = 0 on the engine consumes nothing more from the queue.
void CommandQueue::run_ecmdq_acks() {
    for (;;) {
        sc_core::wait(ack_ev_);
        const sc_core::sc_time now = core::now();
        sc_core::sc_time next = sc_core::SC_ZERO_TIME;
        for (Source& s : sources_) {
            if (!s.ack_pending) continue;
            if (s.ack_due <= now) {
                EcmdqRegs& e = regs_.ecmdq[size_t(s.ecmdq)];
                e.cons = uint32_t(put<ecmdq::CONS_ENACK>(e.cons, e.en()));
                s.ack_pending = false;
            } else if (next == sc_core::SC_ZERO_TIME || s.ack_due - now < next) {
                next = s.ack_due - now;
            }
        }
        if (next != sc_core::SC_ZERO_TIME) ack_ev_.notify(next);
        kick();
    }
}

sc_core::sc_time CommandQueue::visible_since(Source& s, uint32_t cons) {
    // The first PROD write that moved PROD past `cons` made the command there visible.
    const QueueIndex q(log2size(s));
    while (!s.visible.empty()) {
        const uint32_t ahead = q.used(s.visible.front().first, cons);
        if (ahead >= 1 && ahead <= q.entries()) return s.visible.front().second;
        s.visible.pop_front();
    }
    return core::now();
}

bool CommandQueue::runnable(const Source& s) const {
    if (s.ecmdq < 0) {
        if (!regs_.cmdqen() || regs_.gerror_active(gerror::CMDQ_ERR)) return false;
    } else {
        const EcmdqRegs& e = regs_.ecmdq[size_t(s.ecmdq)];
        if (!e.enack() || e.error_pending()) return false;
    }
    const uint32_t cons = s.ecmdq < 0 ? regs_.cmdq_cons : regs_.ecmdq[size_t(s.ecmdq)].cons;
    return !QueueIndex(log2size(s)).empty(prod_of(s), cons);
}

// Round-robin over the queues with commands to consume.
CommandQueue::Source* CommandQueue::pick() {
    for (size_t k = 0; k < sources_.size(); ++k) {
        const size_t i = (next_ + k) % sources_.size();
        if (!sources_[i].busy && runnable(sources_[i])) {
            next_ = (i + 1) % sources_.size();
            return &sources_[i];
        }
    }
    return nullptr;
}

void CommandQueue::trace_occupancy() {
    const QueueIndex q(log2size(sources_[0]));
    occupancy_sig_.set(q.used(regs_.cmdq_prod, regs_.cmdq_cons));
}

void CommandQueue::stop(Source& s, uint32_t cerror) {
    ++errors_;
    if (s.ecmdq >= 0) {
        // ERR toggles with ERR_REASON, RD stays on the failing command; GERROR.CMDQP_ERR is
        // activated if inactive (§3.5.6.3). The other queues carry on.
        uint32_t& cons = cons_of(s);
        cons = uint32_t(put<ecmdq::CONS_ERR_REASON>(cons, cerror)) ^ uint32_t(ecmdq::CONS_ERR::mask);
        irq_.gerror(gerror::CMDQP_ERR);
        return;
    }
    // ERR becomes visible before GERROR.CMDQ_ERR (§9.4); CONS stays on the failing command.
    regs_.cmdq_cons = uint32_t(put<queue_ptr::CMDQ_ERR>(regs_.cmdq_cons, cerror));
    irq_.gerror(gerror::CMDQ_ERR);
}

void CommandQueue::run() {
    for (;;) {
        Source* s = pick();
        while (!s) {
            sc_core::wait(kick_);
            s = pick();
        }
        s->busy = true;
        serve(*s);
        s->busy = false;
        if (sources_.size() > 1) kick();  // another engine may take the queue now
    }
}

void CommandQueue::serve(Source& s) {
    const QueueIndex q(log2size(s));
    const uint64_t bytes = uint64_t(Command::kBytes) << q.log2size();
    const uint64_t base = queue_base::ADDR::address(base_of(s)) & ~(bytes - 1);
    // Fetch up to fetch_batch entries, not past PROD nor the end of the ring.
    const uint32_t cons = cons_of(s);
    const uint32_t n = std::min({timing_.fetch_batch, q.used(prod_of(s), cons), q.entries() - q.index(cons)});
    unsigned char buf[Command::kBytes * 16];
    ++fetches_;
    const uint64_t at = base + uint64_t(q.index(cons)) * Command::kBytes;
    if (mem_.read(at, buf, n * Command::kBytes) != tlm::TLM_OK_RESPONSE) {
        log_fetch_abort(smmu_name_, at);
        stop(s, cerror::ABT);
        return;
    }
    for (uint32_t i = 0; i < n; ++i) {
        // CMDQEN 1->0 (ECMDQ: ENACK 1->0): commands in progress are consumed, the rest are
        // not (§9.1, §3.5.6.2).
        if (!enabled(s)) break;
        Command c;
        c.load(buf + i * Command::kBytes);
        sc_core::wait(timing_.per_command);
        const uint32_t err = execute(s, c);
        if (err != cerror::NONE) {
            log_command(smmu_name_, c, err);
            stop(s, err);
            break;
        }
    }
}

uint32_t CommandQueue::execute(Source& src, const Command& c) {
    const uint32_t err = check_command(c, f_);
    if (err != cerror::NONE) return err;
    const uint8_t opcode = c.opcode();
    const QueueIndex q(log2size(src));
    uint32_t& cons = cons_of(src);
    const sc_core::sc_time exec_start = core::now();
    // A command's execution (a CMD_SYNC: from its PROD write to its completion).
    auto trace = [&](const sc_core::sc_time& from) {
        core::TxnTraceWriter& tw = core::TxnTraceWriter::instance();
        if (!tw.enabled()) return;
        tw.span(trace_track_.id(), opcode_name(opcode), "tcu.command", from, core::now(),
                core::TraceArgs().hex_pair("raw", c.dw[0], c.dw[1]));
    };
    auto consume = [&] {
        ++commands_;
        if (src.commands) ++*src.commands;
        // SMMUv3 §4.1.2: with IDR0.SEV the SMMU sends a WFE wake-up event when the queue becomes
        // non-full and an agent could have seen it full: software waiting for space (Linux's
        // queue_poll with WFE) wakes when CONS moves past an entry of a full queue (any ECMDQ
        // too, §3.5.6.1).
        const bool was_full = q.full(prod_of(src), cons);
        cons = (cons & ~queue_ptr::kIndexAndWrapMask) | q.next(cons);
        if (was_full) irq_.sev();
        if (src.ecmdq < 0) trace_occupancy();
        log_command(smmu_name_, c, cerror::NONE);
    };
    if (opcode == op::CMD_SYNC) {
        const sc_core::sc_time since = visible_since(src, cons);
        sync_pending_sig_.set(1);
        const bool done = inv_.sync();
        sync_pending_sig_.set(0);
        if (!done) return cerror::ATC_INV_SYNC;  // CONS stays on the CMD_SYNC (§4.7.3)
        consume();  // CONS passes the sync before it signals (§9.1)
        ++syncs_;
        sync_latency_.sample(core::now() - since);
        trace(since);
        const uint64_t cs = c.get<Command::CS>();
        if (cs == sync_cs::SIG_IRQ)
            irq_.cmd_sync(c.address<Command::MSIAddress>(), uint32_t(c.get<Command::MSIData>()));
        else if (cs == sync_cs::SIG_SEV)
            irq_.sev();  // §4.7.3 CMD_SYNC: SIG_SEV sends an event to the PEs, as SEV does
        return cerror::NONE;
    }
    if (opcode >= op::TLBI_NH_ALL && opcode <= op::TLBI_NSNH_ALL) {
        ++tlbi_;
        inv_.invalidate(c);
    } else if (opcode >= op::CFGI_STE && opcode <= op::CFGI_CD_ALL) {
        ++cfgi_;
        inv_.invalidate(c);
    } else if (opcode == op::ATC_INV) {
        inv_.atc_invalidate(c);
    }
    // PREFETCH_*: a hint; nothing is prefetched (no caches to fill yet).
    consume();
    trace(exec_start);
    return cerror::NONE;
}

}  // namespace smmusim::smmu::tcu
