#include "platforms/run_summary.h"

#include <cstdio>

namespace smmusim::platforms {
namespace {
double now_seconds() { return sc_core::sc_time_stamp().to_seconds(); }
// Since the stats reset of --warmup (the whole run without one).
double window_seconds() { return core::StatsRegistry::instance().window_seconds(); }
}  // namespace

RunTotals::RunTotals(const Platform& p)
    : platform_(p),
      time_ns_("sim.time_ns", "simulated time at the end of the run", "ns",
               [] { return now_seconds() * 1e9; }),
      transactions_("sim.transactions", "device and CPU-traffic transactions completed", "",
                    [this] { return transactions(); }),
      bytes_("sim.bytes", "bytes moved by completed transactions", "bytes", [this] { return bytes(); }),
      errors_("sim.errors", "transactions completed with an error response", "",
              [this] { return errors(); }),
      bandwidth_("sim.bandwidth", "bytes moved per simulated second (after --warmup)", "GB/s", [this] {
          double s = window_seconds();
          return s > 0 ? double(bytes()) / s / 1e9 : 0.0;
      }) {}

uint64_t RunTotals::transactions() const {
    uint64_t n = 0;
    for (const auto* g : platform_.generators()) n += g->transactions();
    return n;
}

uint64_t RunTotals::bytes() const {
    uint64_t n = 0;
    for (const auto* g : platform_.generators()) n += g->bytes();
    return n;
}

uint64_t RunTotals::errors() const {
    uint64_t n = 0;
    for (const auto* g : platform_.generators()) n += g->errors();
    return n;
}

void RunTotals::print(std::ostream& os, double host_s, const std::vector<std::string>& outputs) const {
    char buf[256];
    const double sim_s = window_seconds();
    os << "summary:\n";
    std::snprintf(buf, sizeof buf, "  simulated time  %.3f us\n", now_seconds() * 1e6);
    os << buf;
    os << "  transactions    " << transactions() << " (";
    bool first = true;
    for (const auto* g : platform_.generators()) {
        os << (first ? "" : ", ") << g->basename() << " " << g->transactions();
        first = false;
    }
    os << "), " << errors() << " with errors\n";
    std::snprintf(buf, sizeof buf, "  bandwidth       %.2f GB/s (%.1f MiB moved)\n",
                  sim_s > 0 ? double(bytes()) / sim_s / 1e9 : 0.0, double(bytes()) / (1 << 20));
    os << buf;
    std::snprintf(buf, sizeof buf, "  host time       %.2f s\n", host_s);
    os << buf;
    std::snprintf(buf, sizeof buf, "  speed           %.0f simulated transactions per host second\n",
                  host_s > 0 ? double(transactions()) / host_s : 0.0);
    os << buf;
    os << "  outputs        ";
    for (const std::string& o : outputs) os << " " << o;
    os << "\n";
}

}  // namespace smmusim::platforms
