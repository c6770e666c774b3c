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

std::string stream_args(const TbuTxn& t) {
    char buf[128];
    if (t.ssv)
        std::snprintf(buf, sizeof buf, "\"sid\":%u,\"ssid\":%u,\"iova\":\"0x%llx\"", t.sid, t.ssid,
                      static_cast<unsigned long long>(t.iova));
    else
        std::snprintf(buf, sizeof buf, "\"sid\":%u,\"ssid\":null,\"iova\":\"0x%llx\"", t.sid,
                      static_cast<unsigned long long>(t.iova));
    return buf;
}

}  // namespace

void Tbu::trace_lookup(TbuTxn& t, const char* outcome, const sc_core::sc_time& done) {
    t.looked_up = done;
    t.lookup = outcome;
    core::TxnTraceWriter::instance().span(std::string(name()) + " lookup", outcome, "tbu.lookup",
                                          sc_core::sc_time_stamp(), done, stream_args(t));
}

void Tbu::trace_dti(const TbuTxn& t) {
    core::TxnTraceWriter::instance().span(std::string(name()) + " dti", "DTI translate", "tbu.dti", t.asked,
                                          sc_core::sc_time_stamp(), stream_args(t));
}

void Tbu::trace_txn(const TbuTxn& t, const tlm::tlm_generic_payload& gp) const {
    std::string args = stream_args(t);
    char buf[160];
    if (t.forward)
        std::snprintf(buf, sizeof buf, ",\"pa\":\"0x%llx\",\"status\":\"ok\"", static_cast<unsigned long long>(t.oa));
    else
        std::snprintf(buf, sizeof buf, ",\"status\":\"%s\"",
                      t.event ? smmu::arch::event_name(t.event) : "abort");
    args += buf;
    std::snprintf(buf, sizeof buf, ",\"size\":%u,\"lookup\":\"%s\",\"master\":\"%s\"", gp.get_data_length(),
                  t.lookup, device_.c_str());
    args += buf;
    core::TxnTraceWriter::instance().span(std::string(name()) + " transactions",
                                          (device_ + (t.write ? " write" : " read")).c_str(), "tbu.transaction",
                                          t.arrival, sc_core::sc_time_stamp(), args, t.flow);
}

}  // namespace smmusim::smmu::tbu
