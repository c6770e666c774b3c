#include "models/traffic/dma_master.h"

namespace smmusim::traffic {

DmaMaster::DmaMaster(sc_core::sc_module_name name, const DmaDefaults& d, const AtsFactory& make_ats)
    : TrafficGen(name, d),
      sid(this, "sid", d.sid, "", "StreamID on every transaction (pattern modes)"),
      ssid(this, "ssid", d.ssid, "",
           "SubstreamID on every transaction (pattern modes); -1: none", {-1, (1 << 20) - 1}),
      ats(this, "ats", d.ats, "",
          "the device is a PCIe endpoint with ATS and an ATC (<device>.ats.*): once software enables ATS in it "
          "(Linux pci_enable_ats), it sends Translation Requests and Translated transactions") {
    if (ats && make_ats) ats_function_ = make_ats();  // built here: a child module of this one
}

void DmaMaster::decorate(tlm::tlm_generic_payload& gp, const Op& op) {
    core::StreamAttr* a = gp.get_extension<core::StreamAttr>();
    if (!a) {
        a = new core::StreamAttr;
        gp.set_extension(a);
    }
    if (op.job) {
        a->sid = op.job->sid;
        a->ssid_valid = op.job->ssid_valid;
        a->ssid = op.job->ssid;
    } else if (op.record) {
        a->sid = op.record->sid;
        a->ssid_valid = op.record->ssid_valid;
        a->ssid = op.record->ssid;
    } else {
        a->sid = sid;
        a->ssid_valid = ssid >= 0;
        a->ssid = ssid >= 0 ? uint32_t(ssid.value()) : 0;
    }
    a->priv = priv;
    a->instr = instr;
    a->secure = secure;
}

}  // namespace smmusim::traffic
