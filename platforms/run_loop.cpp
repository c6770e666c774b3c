#include "platforms/run_loop.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>

#include "models/core/errors.h"
#include "models/core/stats.h"
#include "models/core/vcd.h"

namespace smmusim::platforms {
namespace {

using sc_core::sc_time;
using Clock = std::chrono::steady_clock;

const sc_time kRateInterval(double(core::VcdWriter::kRateIntervalPs), sc_core::SC_PS);
// Progress is checked at least this often in simulated time (a slice's cost is one sc_start).
const sc_time kProgressSlice(10, sc_core::SC_US);
constexpr double kProgressEveryS = 1.0;

sc_time next_multiple(const sc_time& now, const sc_time& step) {
    const uint64_t n = now.value() / step.value() + 1;
    return sc_time::from_value(n * step.value());
}

class Progress {
public:
    Progress(bool on, double first_s, std::function<uint64_t()> txns)
        : on_(on), first_s_(first_s), txns_(std::move(txns)) {}
    void tick() {
        if (!on_) return;
        const double host = std::chrono::duration<double>(Clock::now() - t0_).count();
        if (host < first_s_ || (shown_ && host - last_ < kProgressEveryS)) return;
        last_ = host;
        const uint64_t n = txns_ ? txns_() : 0;
        std::fprintf(stderr, "\r  simulated %.1f us, %llu transactions, %.0f per host second   ",
                     sc_core::sc_time_stamp().to_seconds() * 1e6, static_cast<unsigned long long>(n),
                     double(n) / host);
        std::fflush(stderr);
        shown_ = true;
    }
    ~Progress() {
        if (shown_) std::fprintf(stderr, "\r\033[K");
    }

private:
    bool on_;
    double first_s_;
    std::function<uint64_t()> txns_;
    Clock::time_point t0_ = Clock::now();
    double last_ = 0;
    bool shown_ = false;
};

}  // namespace

void run_simulation(const RunLoopOptions& o) {
    core::VcdWriter& vcd = core::VcdWriter::instance();
    const bool rates = vcd.has_rates();
    const bool sliced = o.warmup > sc_core::SC_ZERO_TIME || o.stats_interval > sc_core::SC_ZERO_TIME ||
                        o.progress || rates;
    const bool bounded = o.duration > sc_core::SC_ZERO_TIME;
    if (!sliced) {
        if (bounded) sc_core::sc_start(o.duration);
        else sc_core::sc_start();
        return;
    }
    std::ofstream rows;
    if (o.stats_interval > sc_core::SC_ZERO_TIME) {
        rows.open(o.stats_interval_path);
        if (!rows) throw InputError(o.stats_interval_path + ": cannot write the periodic stats");
    }
    Progress progress(o.progress, o.progress_after_s, o.transactions);
    bool warmed = o.warmup == sc_core::SC_ZERO_TIME;
    const sc_time never = sc_core::sc_max_time();
    sc_time next_row = o.stats_interval > sc_core::SC_ZERO_TIME ? o.stats_interval : never;
    sc_time next_rate = rates ? kRateInterval : never;
    sc_time next_progress = o.progress ? kProgressSlice : never;
    for (;;) {
        const sc_time now = sc_core::sc_time_stamp();
        sc_time until = std::min({warmed ? never : o.warmup, next_row, next_rate, next_progress});
        if (bounded) until = std::min(until, o.duration);
        // A bounded run goes on to its duration as sc_start(duration) does; one that ends by
        // itself ends at the time of its last event.
        if (until > now) {
            sc_core::sc_start(until - now, bounded ? sc_core::SC_RUN_TO_TIME : sc_core::SC_EXIT_ON_STARVATION);
            // Stopped short with events still to come (all after `until`): moving the clock
            // to `until` cannot move the end of the run.
            const sc_time here = sc_core::sc_time_stamp();
            if (here < until && sc_core::sc_get_status() != sc_core::SC_STOPPED && sc_core::sc_pending_activity())
                sc_core::sc_start(until - here, sc_core::SC_RUN_TO_TIME);
        }
        const sc_time t = sc_core::sc_time_stamp();
        // sc_stop() (the software's workload is over) ends it as well.
        const bool over = sc_core::sc_get_status() == sc_core::SC_STOPPED ||
                          (bounded ? t >= o.duration : !sc_core::sc_pending_activity());
        if (t < until && !over) continue;
        if (!warmed && t >= o.warmup) {
            core::StatsRegistry::instance().reset_all();
            warmed = true;
        }
        if (t >= next_rate) {
            vcd.sample_rates();
            next_rate = next_multiple(t, kRateInterval);
        }
        if (t >= next_row && !over) {
            nlohmann::json row = {{"t_ns", t.to_seconds() * 1e9}, {"stats", core::StatsRegistry::instance().dump()}};
            rows << row.dump() << "\n";
            next_row = next_multiple(t, o.stats_interval);
        }
        if (t >= next_progress) {
            progress.tick();
            next_progress = next_multiple(t, kProgressSlice);
        }
        if (over) break;
    }
    if (rows.is_open()) {
        nlohmann::json row = {{"t_ns", sc_core::sc_time_stamp().to_seconds() * 1e9},
                              {"stats", core::StatsRegistry::instance().dump()}, {"final", true}};
        rows << row.dump() << "\n";
        rows.close();
        if (!rows) throw InputError(o.stats_interval_path + ": write failed");
    }
}

}  // namespace smmusim::platforms
