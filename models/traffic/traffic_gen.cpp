#include "models/traffic/traffic_gen.h"

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "models/core/run_control.h"
#include "models/core/sim_time.h"
#include "models/core/stream_attr.h"
#include "models/core/tlm_names.h"

namespace smmusim::traffic {
namespace {

// When and where each transaction was issued, kept on the pooled payload.
struct IssueInfo : tlm::tlm_extension<IssueInfo> {
    sc_core::sc_time start;
    unsigned lane = 0;
    void* job = nullptr;  // the ActiveJob it belongs to
    tlm::tlm_extension_base* clone() const override { return new IssueInfo(*this); }
    void copy_from(const tlm::tlm_extension_base& o) override {
        *this = static_cast<const IssueInfo&>(o);
    }
};

bool is_pow2(uint64_t v) { return v && !(v & (v - 1)); }

PatternConfig pattern_config(const TrafficGen& g) {
    return PatternConfig{g.pattern, g.base,     g.region,      g.size,
                         g.stride,  g.hot_size, g.hot_fraction};
}

}  // namespace

TrafficGen::TrafficGen(sc_core::sc_module_name name, const TrafficDefaults& d)
    : sc_module(name),
      enable(this, "enable", d.enable, "", "issue traffic at all"),
      pattern(this, "pattern", d.pattern,
              {{"sequential", Pattern::Sequential},
               {"strided", Pattern::Strided},
               {"random", Pattern::Random},
               {"hotset", Pattern::HotSet},
               {"trace", Pattern::Trace}},
              "address pattern; 'trace' replays the file named by 'trace'"),
      base(this, "base", d.base, "address", "first address of the region"),
      region(this, "region", d.region, "bytes", "size of the region the pattern covers"),
      size(this, "size", d.size, "bytes", "transaction size (a power of two, at most 4 KiB)",
           {1, kMaxTransactionSize}),
      stride(this, "stride", d.stride, "bytes", "strided pattern: step between transactions"),
      hot_size(this, "hot_size", d.hot_size, "bytes",
               "hotset pattern: size of the hot window at the start of the region"),
      hot_fraction(this, "hot_fraction", d.hot_fraction, "",
                   "hotset pattern: fraction of accesses that fall in the hot window", {0.0, 1.0}),
      read_fraction(this, "read_fraction", d.read_fraction, "",
                    "fraction of transactions that are reads (pattern modes)", {0.0, 1.0}),
      max_outstanding(this, "max_outstanding", d.max_outstanding, "",
                      "transactions in flight at most", {1, 65536}),
      interval(this, "interval", d.interval, "cycles",
               "minimum cycles between two issues (pattern modes)", {0, 1000000000}),
      count(this, "count", d.count, "",
            "transactions to issue (0: unlimited; trace mode: lines to replay, 0 = all)"),
      start(this, "start", d.start, "", "time of the first issue"),
      trace(this, "trace", "", "path", "trace file replayed when pattern is 'trace'"),
      port("socket", *this),
      rng_(core::derive_seed(core::RunControl::instance().seed(), this->name())),
      addresses_(pattern_config(*this), rng_),
      bandwidth_(this, "bandwidth", "bytes moved per second between first issue and last completion",
                 "GB/s", [this] {
                     double secs = (last_done_ - first_issue_).to_seconds();
                     return secs > 0 ? double(bytes_.value()) / secs / 1e9 : 0.0;
                 },
                 // --warmup: the window restarts now (transactions in flight count in it).
                 [this] { first_issue_ = last_done_ = core::now(); }) {
    validate();
    if (pattern == Pattern::Trace) records_ = read_trace_file(trace, clock.cycles(1));
    if (core::RunControl::instance().loosely_timed()) {
        tlm_utils::tlm_quantumkeeper::set_global_quantum(core::RunControl::instance().quantum());
        SC_THREAD(run_lt);
        return;
    }
    SC_METHOD(run);
    SC_METHOD(run_jobs);
    sensitive << job_event_;
    dont_initialize();
}

TrafficGen::~TrafficGen() = default;

void TrafficGen::validate() {
    if (pattern == Pattern::Trace) {
        if (trace.value().empty()) trace.fail("pattern 'trace' needs a trace file");
        return;
    }
    if (!trace.value().empty()) trace.fail("a trace file is only replayed with pattern 'trace'");
    if (!is_pow2(size)) size.fail("must be a power of two");
    if (base % size) base.fail("must be aligned to size (" + std::to_string(size) + ")");
    if (region < size || region % size) region.fail("must be a non-zero multiple of size");
    if (base + region - 1 < base) region.fail("base + region overflows the address space");
    if (pattern == Pattern::Strided && (stride == 0 || stride % size))
        stride.fail("must be a non-zero multiple of size");
    if (pattern == Pattern::HotSet && (hot_size < size || hot_size % size || hot_size > region))
        hot_size.fail("must be a non-zero multiple of size, at most region");
}

// A method rather than a thread: issuing is the hot path of every run, and a method costs no
// context switch. Each activation issues what it may and sets its next trigger: the next issue
// time (start, interval, trace time) or a free slot.
void TrafficGen::run() {
    if (finished_) return;
    if (stopped_) {
        finished_ = true;
        return;
    }
    const sc_core::sc_time now = core::now();
    if (!started_) {
        started_ = true;
        if (!enable) {
            finished_ = true;
            return;
        }
        last_issue_ = next_issue_ = start;
        if (start.value() > now) {
            next_trigger(start.value() - now);
            return;
        }
    }
    const bool replay = pattern == Pattern::Trace;
    for (;;) {
        if ((count != 0 && pattern_issued_ >= count) || (replay && pattern_issued_ >= records_.size())) {
            finished_ = true;
            return;
        }
        if (replay) {
            const TraceRecord& r = records_[pattern_issued_];
            next_issue_ = (r.absolute ? start.value() : last_issue_) + r.when;
        }
        if (next_issue_ > now) {
            next_trigger(next_issue_ - now);
            return;
        }
        if (outstanding_ >= max_outstanding) {
            wait_for_slot();
            return;
        }
        // Device transactions count against --max-transactions; background traffic stops once
        // the budget is spent.
        core::RunControl& rc = core::RunControl::instance();
        if (device() ? !rc.take_ticket() : rc.budget_spent()) {
            finished_ = true;
            return;
        }
        issue(next_op());
        ++pattern_issued_;
        last_issue_ = now;
        if (!replay) next_issue_ = now + clock.cycles(interval);
    }
}

TrafficGen::Op TrafficGen::next_op() {
    if (pattern == Pattern::Trace) {
        const TraceRecord& r = records_[pattern_issued_];
        return Op{r.addr, r.size, r.write, &r, nullptr};
    }
    bool write = rng_.uniform() >= read_fraction;
    return Op{addresses_.next(), size, write, nullptr, nullptr};
}

void TrafficGen::submit(const DmaJob& job, std::function<void(const DmaJobResult&)> done) {
    if (!is_pow2(job.size) || job.size > kMaxTransactionSize)
        throw std::invalid_argument("DMA size " + std::to_string(job.size) +
                                    " is not a power of two of at most 4096 bytes");
    if (job.addr % job.size) throw std::invalid_argument("DMA address is not aligned to its size");
    if (job.count == 0) throw std::invalid_argument("DMA count is 0");
    if (job.random_region && (job.random_region < job.size || job.random_region % job.size))
        throw std::invalid_argument("DMA random region is not a non-zero multiple of the size");
    jobs_.push_back(ActiveJob{job, std::move(done), {}, 0});
    to_issue_.push_back(&jobs_.back());
    job_event_.notify(sc_core::SC_ZERO_TIME);
}

// Jobs have their own issue process so that pattern traffic and software DMA interleave
// under one outstanding limit.
void TrafficGen::run_jobs() {
    const sc_core::sc_time now = core::now();
    while (!to_issue_.empty()) {
        ActiveJob& j = *to_issue_.front();
        if (next_job_issue_ > now) {
            next_trigger(next_job_issue_ - now);
            return;
        }
        if (outstanding_ >= max_outstanding) {
            wait_for_slot();
            return;
        }
        if (!core::RunControl::instance().take_ticket()) return;  // the run's budget is spent
        if (j.issued == 0) j.result.start = now;
        const uint64_t addr = j.job.random_region
                                  ? j.job.addr + rng_.below(j.job.random_region / j.job.size) * j.job.size
                                  : j.job.addr + j.issued * j.job.stride;
        issue(Op{addr, j.job.size, j.job.write, nullptr, &j.job, &j});
        if (++j.issued == j.job.count) to_issue_.pop_front();
        next_job_issue_ = now + clock.cycles(interval);
    }
    next_trigger(job_event_);
}

tlm::tlm_generic_payload& TrafficGen::prepare(const Op& op, const sc_core::sc_time& at) {
    tlm::tlm_generic_payload* gp = pool_.acquire();
    gp->set_command(op.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp->set_address(op.addr);
    gp->set_data_length(op.size);
    gp->set_streaming_width(op.size);
    if (op.write) std::memset(gp->get_data_ptr(), int(++write_seq_ & 0xff), op.size);

    IssueInfo* info = gp->get_extension<IssueInfo>();
    if (!info) {
        info = new IssueInfo;
        gp->set_extension(info);
    }
    info->start = at;
    info->lane = core::TxnTraceWriter::instance().enabled() ? lanes_.acquire() : 0;
    info->job = op.active;
    decorate(*gp, op);
    if (issued_++ == 0) first_issue_ = at;
    return *gp;
}

void TrafficGen::issue(const Op& op) {
    tlm::tlm_generic_payload& gp = prepare(op, core::now());
    set_outstanding(outstanding_ + 1);
    port.send(gp);
}

void TrafficGen::record(const tlm::tlm_generic_payload& gp, const sc_core::sc_time& issued,
                        const sc_core::sc_time& done) {
    latency_.sample(done - issued);
    ++transactions_;
    if (gp.is_write()) ++writes_;
    else ++reads_;
    bytes_ += gp.get_data_length();
    bytes_sig_.set(bytes_.value());
    if (!gp.is_response_ok()) ++errors_;
    if (done > last_done_) last_done_ = done;  // LT completions need not come in time order
}

bool TrafficGen::job_progress(ActiveJob& j, bool ok, const sc_core::sc_time& done) {
    if (ok) ++j.result.ok;
    else ++j.result.errors;
    if (done > j.result.end) j.result.end = done;
    return j.result.ok + j.result.errors == j.job.count;
}

void TrafficGen::job_done(ActiveJob& j) {
    auto done = std::move(j.done);
    const DmaJobResult r = j.result;
    jobs_.remove_if([&j](const ActiveJob& a) { return &a == &j; });
    if (done) done(r);
}

void TrafficGen::at_response(tlm::tlm_generic_payload& gp, unsigned) {
    const sc_core::sc_time now = core::now();
    const IssueInfo* info = gp.get_extension<IssueInfo>();
    const unsigned len = gp.get_data_length();
    record(gp, info->start, now);
    const bool ok = gp.is_response_ok();
    core::TxnTraceWriter& tracer = core::TxnTraceWriter::instance();
    if (tracer.enabled()) {
        // Named by master and operation; the StreamID it carried, and the status if not OK.
        core::TraceArgs args;
        if (const auto* a = gp.get_extension<core::StreamAttr>()) {
            args.u("sid", a->sid);
            if (a->ssid_valid)
                args.u("ssid", a->ssid);
            else
                args.null("ssid");
        }
        if (!ok) args.str("status", core::response_name(gp.get_response_status()));
        tracer.complete(trace_track_.id(), info->lane, info->start, now, gp.is_write() ? "write" : "read",
                        gp.get_address(), len, args);
        lanes_.release(info->lane);
    }
    if (info->job) {
        auto* j = static_cast<ActiveJob*>(info->job);
        if (job_progress(*j, ok, now)) job_done(*j);
    }
    set_outstanding(outstanding_ - 1);
    // Only an issuer waiting for a slot needs the event (a delta cycle per response otherwise).
    if (slot_waiters_) {
        slot_waiters_ = false;
        slot_free_.notify(sc_core::SC_ZERO_TIME);
    }
    gp.release();
}

void TrafficGen::set_outstanding(uint32_t n) {
    outstanding_ = n;
    outstanding_level_.set(n);
    outstanding_sig_.set(n);
}

}  // namespace smmusim::traffic
