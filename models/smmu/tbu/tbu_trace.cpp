// The TBU's spans in the transaction trace (models/core/txn_trace.h), on three tracks:
// `<tbu> lookup` (micro and main TLB lookups: hit or miss), `<tbu> dti` (a translation
// request to the TCU until its answer) and `<tbu> transactions` (each device transaction from
// reaching the TBU to its response, named by master and operation, with StreamID,
// SubstreamID, IOVA and PA), from which a flow arrow leads to the TCU translation it caused.
// Called only while the trace is on: an untraced run builds none of these strings.

#include <cstdio>

#include "models/core/txn_trace.h"
#include "models/smmu/arch/events.h"
#include "models/smmu/tbu/tbu.h"
#include "models/smmu/tbu/tbu_txn.h"

namespace smmusim::smmu::tbu {
namespace {

// The stream's members of a span's args into `buf`; returns their length.
int stream_args(const TbuTxn& t, char* buf, size_t size) {
    if (t.ssv)
        return std::snprintf(buf, size, "\"sid\":%u,\"ssid\":%u,\"iova\":\"0x%llx\"", t.sid, t.ssid,
                             static_cast<unsigned long long>(t.iova));
    return std::snprintf(buf, size, "\"sid\":%u,\"ssid\":null,\"iova\":\"0x%llx\"", t.sid,
                         static_cast<unsigned long long>(t.iova));
}

}  // namespace

void Tbu::trace_lookup(TbuTxn& t, const char* outcome, const sc_core::sc_time& done) {
    t.looked_up = done;
    t.lookup = outcome;
    char args[128];
    stream_args(t, args, sizeof args);
    core::TxnTraceWriter::instance().span(trace_lookup_.id(), outcome, "tbu.lookup", sc_core::sc_time_stamp(), done,
                                          args);
}

void Tbu::trace_dti(const TbuTxn& t) {
    char args[128];
    stream_args(t, args, sizeof args);
    core::TxnTraceWriter::instance().span(trace_dti_.id(), "DTI translate", "tbu.dti", t.asked,
                                          sc_core::sc_time_stamp(), args);
}

void Tbu::trace_txn(const TbuTxn& t, const tlm::tlm_generic_payload& gp) const {
    char args[384];
    int n = stream_args(t, args, sizeof args);
    if (t.forward)
        n += std::snprintf(args + n, sizeof args - size_t(n), ",\"pa\":\"0x%llx\",\"status\":\"ok\"",
                           static_cast<unsigned long long>(t.oa));
    else
        n += std::snprintf(args + n, sizeof args - size_t(n), ",\"status\":\"%s\"",
                           t.event ? smmu::arch::event_name(t.event) : "abort");
    std::snprintf(args + n, sizeof args - size_t(n), ",\"size\":%u,\"lookup\":\"%s\",\"master\":\"%s\"",
                  gp.get_data_length(), t.lookup, device_.c_str());
    char label[160];
    std::snprintf(label, sizeof label, "%s %s", device_.c_str(), t.write ? "write" : "read");
    core::TxnTraceWriter::instance().span(trace_txns_.id(), label, "tbu.transaction", t.arrival,
                                          sc_core::sc_time_stamp(), args, t.flow);
}

}  // namespace smmusim::smmu::tbu
