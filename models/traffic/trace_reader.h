#pragma once
// Reader for DMA trace files (format: traces/README.md). Errors name file:line and are
// InputErrors (exit status 2).

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include <systemc>

namespace smmusim::traffic {

struct TraceRecord {
    bool absolute = false;  // '@': time from the generator's start; '+': gap after the previous issue
    sc_core::sc_time when = sc_core::SC_ZERO_TIME;
    uint32_t sid = 0;
    bool ssid_valid = false;
    uint32_t ssid = 0;
    uint64_t addr = 0;
    unsigned size = 0;
    bool write = false;
    unsigned line = 0;
};

constexpr unsigned kMaxTransactionSize = 4096;

// `cycle` converts plain numbers (cycles) to time.
std::vector<TraceRecord> parse_trace(std::istream& in, const std::string& name,
                                     const sc_core::sc_time& cycle);
std::vector<TraceRecord> read_trace_file(const std::string& path, const sc_core::sc_time& cycle);

}  // namespace smmusim::traffic
