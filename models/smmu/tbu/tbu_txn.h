#pragma once
// What the TBU keeps with a transaction, as an extension on its payload (allocated once per
// payload, then reused with it: the per-transaction path allocates nothing).

#include <cstdint>

#include <systemc>
#include <tlm>

#include "models/smmu/dti/dti.h"

namespace smmusim::smmu::tbu {

struct TbuTxn : tlm::tlm_extension<TbuTxn> {
    tlm::tlm_generic_payload* gp = nullptr;
    dti::DtiMessage msg;  // its translation request to the TCU
    uint64_t iova = 0, oa = 0;
    uint32_t sid = 0, ssid = 0;
    bool ssv = false, write = false, priv = false, instr = false;
    dti::AtKind at = dti::AtKind::Untranslated;  // PCIe ATS: Translation Request, Translated
    uint16_t id = 0;  // AXI ID: order is kept among transactions of a StreamID with one ID
    sc_core::sc_time start;    // took a translation slot
    sc_core::sc_time arrival;  // its BEGIN_REQ reached the TBU (earlier if it waited for a slot)
    bool ready = false;    // translated or terminated, may leave when its turn comes
    bool forward = false;  // translated (else terminated with `outcome`)
    dti::Outcome outcome = dti::Outcome::Abort;
    uint8_t event = 0;     // terminated: the TCU's fault (arch::evt), 0 for none
    bool s2 = false, recorded = false;
    bool pending = false;  // waiting for the TCU
    uint64_t epoch = 0;    // invalidations applied when its translation was made
    bool blocks_sync = false;
    size_t live_index = 0;
    TbuTxn* next_merged = nullptr;  // misses waiting for this one's TCU answer
    // Transaction trace (set only while it is on): the TLB lookup's end and outcome, when the
    // DTI request left, the flow id from this transaction to the TCU's translation.
    sc_core::sc_time looked_up, asked;
    const char* lookup = "";
    uint64_t flow = 0;

    uint8_t needed() const;
    bool same_page(const TbuTxn& o) const {
        return at == o.at && sid == o.sid && ssv == o.ssv && ssid == o.ssid && (iova >> 12) == (o.iova >> 12);
    }
    tlm::tlm_extension_base* clone() const override { return new TbuTxn(*this); }
    void copy_from(const tlm::tlm_extension_base& o) override { *this = static_cast<const TbuTxn&>(o); }
};

}  // namespace smmusim::smmu::tbu
