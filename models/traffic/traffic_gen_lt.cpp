// The loosely-timed traffic generator (sim.mode=lt, docs/design.md "Timing modes"): one
// SC_THREAD issues every transaction with b_transport. Each transaction has the issue time AT
// would give it with nothing in its way (start, interval, trace time, and a free slot of
// max_outstanding: the earliest completion among the transactions in flight frees one),
// held as the quantum keeper's local time offset; the thread yields only when that offset
// reaches the global quantum (sim.quantum), when a job completes (the software then goes on at
// the job's completion time) and when it has nothing to issue.

#include <algorithm>
#include <functional>

#include "models/core/run_control.h"
#include "models/core/sim_time.h"
#include "models/traffic/traffic_gen.h"

namespace smmusim::traffic {

// The pattern's (or trace's) next issue time; false once it is over (count, trace end, stop,
// the run's budget for background traffic).
bool TrafficGen::pattern_next(sc_core::sc_time& at) {
    if (finished_) return false;
    const bool replay = pattern == Pattern::Trace;
    if (stopped_ || (count != 0 && pattern_issued_ >= count) || (replay && pattern_issued_ >= records_.size())) {
        finished_ = true;
        return false;
    }
    if (replay) {
        const TraceRecord& r = records_[pattern_issued_];
        next_issue_ = (r.absolute ? start.value() : last_issue_) + r.when;
    }
    at = next_issue_;
    return true;
}

void TrafficGen::run_lt() {
    started_ = true;
    if (!enable) finished_ = true;
    last_issue_ = next_issue_ = start;
    lt_slots_.clear();
    for (uint32_t i = 0; i < max_outstanding; ++i) lt_slots_.push_back(sc_core::SC_ZERO_TIME);
    qk_.reset();
    bool jobs_blocked = false;  // the run's budget refused a job's transaction: no job issues again
    for (;;) {
        const sc_core::sc_time now = core::now();
        // The master's own time: nothing issues before it (the local offset only grows).
        const sc_core::sc_time cursor = now + qk_.get_local_time();
        sc_core::sc_time pattern_at;
        const bool pattern_more = pattern_next(pattern_at);
        const bool job_ready = !to_issue_.empty() && !jobs_blocked;
        if (!pattern_more && !job_ready) {
            qk_.sync();  // the master's time becomes simulated time: then wait for software
            wait(job_event_);
            qk_.reset();
            continue;
        }
        // The earlier of the job's and the pattern's next transaction (the job when equal, as
        // the software's job would share the slots in AT).
        const sc_core::sc_time job_at = std::max(next_job_issue_, now);
        const bool take_job = job_ready && (!pattern_more || job_at <= pattern_at);
        const sc_core::sc_time at =
            std::max({take_job ? job_at : pattern_at, lt_slots_.front(), cursor});
        core::RunControl& rc = core::RunControl::instance();
        if (take_job) {
            if (!rc.take_ticket()) {
                jobs_blocked = true;
                continue;
            }
            ActiveJob& j = *to_issue_.front();
            if (j.issued == 0) j.result.start = at;
            const uint64_t addr = j.job.random_region
                                      ? j.job.addr + rng_.below(j.job.random_region / j.job.size) * j.job.size
                                      : j.job.addr + j.issued * j.job.stride;
            if (++j.issued == j.job.count) to_issue_.pop_front();
            next_job_issue_ = at + clock.cycles(interval);
            issue_lt(Op{addr, j.job.size, j.job.write, nullptr, &j.job, &j}, at);
        } else {
            if (device() ? !rc.take_ticket() : rc.budget_spent()) {
                finished_ = true;
                continue;
            }
            const Op op = next_op();
            ++pattern_issued_;
            last_issue_ = at;
            if (pattern != Pattern::Trace) next_issue_ = at + clock.cycles(interval);
            issue_lt(op, at);
        }
    }
}

void TrafficGen::issue_lt(const Op& op, const sc_core::sc_time& at) {
    // A transaction runs at most a quantum ahead of simulated time: one due later waits for
    // it (the first of a pattern that starts at 1 ms must not be translated at 0).
    qk_.set(at - core::now());
    if (qk_.need_sync()) qk_.sync();
    tlm::tlm_generic_payload& gp = prepare(op, at);
    sc_core::sc_time delay = qk_.get_local_time();
    port.socket->b_transport(gp, delay);
    // Nothing on the LT path waits today; were a target to, simulated time would have moved
    // and the transaction completes `delay` after the new time.
    const sc_core::sc_time now = core::now();
    const sc_core::sc_time done = now + delay;
    qk_.set(now >= at ? sc_core::SC_ZERO_TIME : at - now);
    // Its slot (the one that freed first) frees when it completes.
    lt_slots_.pop_front();
    lt_slots_.push_back(done);
    for (size_t i = lt_slots_.size() - 1; i > 0 && lt_slots_[i - 1] > lt_slots_[i]; --i)
        std::swap(lt_slots_[i - 1], lt_slots_[i]);
    record(gp, at, done);
    if (op.active && job_progress(*op.active, gp.is_response_ok(), done)) {
        // The job's owner goes on when its last transaction completes.
        qk_.set(done > now ? done - now : sc_core::SC_ZERO_TIME);
        qk_.sync();
        job_done(*op.active);
    }
    gp.release();
}

}  // namespace smmusim::traffic
