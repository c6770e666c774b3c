// The TBU's spans in the transaction trace (models/core/txn_trace.h), on three tracks:
// `<tbu> lookup` (micro and main TLB lookups: hit or miss), `<tbu> dti` (a translation
// request to the TCU until its answer) and `<tbu> transactions` (each device transaction from
// reaching the TBU to its response, named by master and operation, with StreamID,
// SubstreamID, IOVA and PA), from which a flow arrow leads to the TCU translation it caused.
// Called only while the trace is on: an untraced run builds none of these strings.

#include "models/core/sim_time.h"
#include "models/core/txn_trace.h"
#include "models/smmu/arch/events.h"
#include "models/smmu/tbu/tbu.h"
#include "models/smmu/tbu/tbu_txn.h"

namespace smmusim::smmu::tbu {
namespace {

// The stream's arguments of a span.
core::TraceArgs stream_args(const TbuTxn& t) {
    core::TraceArgs a;
    a.u("sid", t.sid);
    if (t.ssv)
        a.u("ssid", t.ssid);
    else
        a.null("ssid");
    a.hex("iova", t.iova);
    return a;
}

}  // namespace

void Tbu::trace_lookup(TbuTxn& t, const char* outcome, const sc_core::sc_time& done) {
    t.looked_up = done;
    t.lookup = outcome;
    core::TxnTraceWriter::instance().span(trace_lookup_.id(), outcome, "tbu.lookup", core::now(), done,
                                          stream_args(t));
}

void Tbu::trace_dti(const TbuTxn& t) {
    core::TxnTraceWriter::instance().span(trace_dti_.id(), "DTI translate", "tbu.dti", t.asked,
                                          core::now(), stream_args(t));
}

void Tbu::trace_txn(const TbuTxn& t, const tlm::tlm_generic_payload& gp) const {
    core::TraceArgs args = stream_args(t);
    if (t.forward)
        args.hex("pa", t.oa).str("status", "ok");
    else
        args.str("status", t.event ? smmu::arch::event_name(t.event) : "abort");
    args.u("size", gp.get_data_length()).str("lookup", t.lookup).str("master", device_.c_str());
    core::TxnTraceWriter::instance().span(trace_txns_.id(), t.write ? label_write_.c_str() : label_read_.c_str(),
                                          "tbu.transaction", t.arrival, core::now(), args, t.flow);
}

}  // namespace smmusim::smmu::tbu
