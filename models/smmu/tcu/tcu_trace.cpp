// The TCU's spans in the transaction trace (models/core/txn_trace.h): `<tcu> translate` (a
// DTI request from a TBU until the answer, where the flow arrow from the device transaction
// ends), `<tcu> walk` (config fetches and each descriptor read) and `<tcu> invalidate tbuN`
// (an invalidation's round trip to one TBU, its token held). Called only while the trace is on.

#include "models/core/sim_time.h"
#include "models/core/txn_trace.h"
#include "models/smmu/tcu/tcu.h"
#include "models/smmu/tcu/tcu_links.h"

namespace smmusim::smmu::tcu {

bool Tcu::tracing() const { return core::TxnTraceWriter::instance().enabled(); }

void Tcu::trace_span(const char* what, const sc_core::sc_time& start, uint64_t addr) {
    core::TxnTraceWriter::instance().span(trace_walk_.id(), what, "tcu.walk", start, core::now(),
                                          core::TraceArgs().hex("addr", addr));
}

void Tcu::trace_translation(const dti::DtiMessage& m, const sc_core::sc_time& start, bool walked) {
    const dti::TranslateRequest& q = m.req;
    const dti::TranslateResponse& r = m.resp;
    const char* outcome = r.outcome == dti::Outcome::Translated ? "translated"
                          : r.outcome == dti::Outcome::RazWi    ? "razwi"
                                                                : "abort";
    core::TraceArgs args;
    args.u("tbu", m.port).u("sid", q.sid).hex("iova", q.addr).str("outcome", outcome);
    if (q.ssv) args.u("ssid", q.ssid);
    if (r.outcome == dti::Outcome::Translated) args.hex("pa", r.oa);
    core::TxnTraceWriter::instance().span(trace_translate_.id(), walked ? "walk" : "translate (cached)",
                                          "tcu.translate", start, core::now(), args, 0, m.flow);
}

void Tcu::trace_invalidation(unsigned tbu, const sc_core::sc_time& sent) {
    while (trace_invalidate_.size() <= tbu)
        trace_invalidate_.emplace_back(this, " invalidate tbu" + std::to_string(trace_invalidate_.size()));
    core::TxnTraceWriter::instance().span(trace_invalidate_[tbu].id(), "invalidation", "tcu.invalidate", sent,
                                          core::now());
}

}  // namespace smmusim::smmu::tcu
