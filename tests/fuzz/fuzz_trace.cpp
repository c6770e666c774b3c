// Fuzz target (d): DMA trace lines (traces/README.md) through the trace reader. Bad lines must
// be InputErrors naming the line (exit 2); anything else is a finding.

#include <sstream>
#include <string>

#include <systemc>

#include "models/core/errors.h"
#include "models/traffic/trace_reader.h"
#include "tests/fuzz/fuzz_target.h"

using namespace smmusim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    try {
        const auto records = traffic::parse_trace(in, "fuzz.trc", sc_core::sc_time(1, sc_core::SC_NS));
        for (const auto& r : records)
            if (r.size == 0 || r.size > traffic::kMaxTransactionSize) fuzz::finding("a record of an impossible size");
    } catch (const InputError&) {
    } catch (const std::exception& e) {
        fuzz::finding((std::string("unexpected exception: ") + e.what()).c_str());
    }
    return 0;
}
