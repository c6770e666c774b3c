#include "models/smmu/ats/ats_function.h"

#include <algorithm>

#include "models/core/ats.h"
#include "models/core/sim_time.h"
#include "models/core/stream_attr.h"

namespace smmusim::smmu::ats {

// What the function keeps on a payload while it is in its hands.
struct AtsFunction::Txn : tlm::tlm_extension<Txn> {
    uint64_t untranslated = 0;                   // the device's address (a device access)
    tlm::tlm_generic_payload* access = nullptr;  // a Translation Request: the access it serves
    tlm::tlm_generic_payload* next = nullptr;    // an access: the next one waiting for the same request
    uint64_t token = 0;                          // Atc in-flight token
    uint64_t generation = 0;                     // Atc::generation() at the lookup
    bool translated = false;                     // sent as a Translated transaction
    bool hit = false;                            // the lookup found `entry`
    AtcEntry entry;

    tlm::tlm_extension_base* clone() const override { return new Txn(*this); }
    void copy_from(const tlm::tlm_extension_base& o) override { *this = static_cast<const Txn&>(o); }
};

AtsFunction::AtsFunction(sc_core::sc_module_name name)
    : Atc(name),
      in("in", *this),
      out("out", *this),
      translated_(this, "translated", "device accesses sent as ATS Translated transactions (an ATC translation)"),
      untranslated_(this, "untranslated", "device accesses sent untranslated (ATS not enabled by software)"),
      failures_(this, "translation_failures",
                "device accesses failed: the Translation Completion gave no translation or not the permission "
                "needed (R = W = 0, or an error completion), and without PRI the device cannot ask for the page"),
      retries_(this, "request_retries",
               "accesses whose Translation Request was sent again: an ATC invalidation arrived while the first "
               "was in flight"),
      merged_(this, "merged_requests", "ATC misses that waited for a Translation Request in flight for the same page") {
    SC_METHOD(looked_up);
    sensitive << lookups_.get_event();
    dont_initialize();
}

AtsFunction::Txn& AtsFunction::txn(tlm::tlm_generic_payload& gp) {
    Txn* x = gp.get_extension<Txn>();
    if (!x) {
        x = new Txn;  // once per payload: the pools keep extensions attached for reuse
        gp.set_extension(x);
    }
    return *x;
}

bool AtsFunction::at_request(tlm::tlm_generic_payload& gp, unsigned) {
    Txn& x = txn(gp);
    x.untranslated = gp.get_address();
    x.access = nullptr;
    x.translated = false;
    const core::StreamAttr* a = gp.get_extension<core::StreamAttr>();
    // ATS disabled, or an access without a requester (no StreamAttr): untranslated.
    if (!enabled_ || !a) {
        ++untranslated_;
        out.send(gp);
        return true;
    }
    sc_core::sc_time done;
    x.generation = generation();
    // Used when the lookup's result is known (below), unless an invalidation came meanwhile.
    const std::optional<AtcEntry> e = lookup(x.untranslated, a->ssid_valid, a->ssid, core::now(), done);
    x.hit = e.has_value();
    if (e) x.entry = *e;
    lookups_.notify(gp, done - core::now());
    return true;
}

void AtsFunction::looked_up() {
    while (tlm::tlm_generic_payload* gp = lookups_.get_next_transaction()) {
        Txn& x = txn(*gp);
        std::optional<AtcEntry> e;
        if (x.hit && x.generation == generation()) e = x.entry;
        if (e && (gp->is_write() ? e->write : e->read)) {
            send_translated(*gp, x, *e);
        } else {
            // A miss, or an entry without the permission: the SMMU is asked (the page may
            // have become writable).
            request_translation(*gp, x);
        }
    }
}

void AtsFunction::request_translation(tlm::tlm_generic_payload& access, Txn& ax) {
    const core::StreamAttr* a = access.get_extension<core::StreamAttr>();
    const uint64_t page = ax.untranslated & ~uint64_t(0xFFF);
    const bool ssv = a && a->ssid_valid;
    const uint32_t ssid = ssv ? a->ssid : 0;
    ax.next = nullptr;
    // A request for the same page and PASID in flight: wait for its completion (the ATC's
    // outstanding-miss merging; one request per page, as the TBU merges its misses).
    for (tlm::tlm_generic_payload* rq : inflight_) {
        const core::StreamAttr* ra = rq->get_extension<core::StreamAttr>();
        if (rq->get_address() != page || ra->ssid_valid != ssv || (ssv && ra->ssid != ssid)) continue;
        ++merged_;
        Txn* w = &txn(*txn(*rq).access);
        while (w->next) w = &txn(*w->next);
        w->next = &access;
        return;
    }
    tlm::tlm_generic_payload* rq = request_pool_.acquire();
    inflight_.push_back(rq);
    Txn& x = txn(*rq);
    x.access = &access;
    x.translated = false;
    x.token = request_started(page, ssv, ssid);
    core::StreamAttr* ra = rq->get_extension<core::StreamAttr>();
    if (!ra) {
        ra = new core::StreamAttr;
        rq->set_extension(ra);
    }
    if (a) *ra = *a;
    ra->at = core::AtKind::Request;
    rq->set_command(tlm::TLM_READ_COMMAND);
    rq->set_address(page);
    rq->set_data_length(8);
    rq->set_streaming_width(8);
    rq->set_byte_enable_ptr(nullptr);
    rq->set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    out.send(*rq);
}

void AtsFunction::send_translated(tlm::tlm_generic_payload& gp, Txn& x, const AtcEntry& e) {
    ++translated_;
    x.translated = true;
    x.token = use_started();
    gp.get_extension<core::StreamAttr>()->at = core::AtKind::Translated;
    gp.set_address(e.oa + (x.untranslated - e.base));
    out.send(gp);
}

void AtsFunction::fail(tlm::tlm_generic_payload& gp, Txn& x) {
    ++failures_;
    gp.set_address(x.untranslated);
    gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    in.respond(gp);
}

void AtsFunction::at_response(tlm::tlm_generic_payload& gp, unsigned) {
    Txn& x = txn(gp);
    if (tlm::tlm_generic_payload* access = x.access) {
        // A Translation Completion for `access`.
        std::optional<AtcEntry> e;
        if (gp.is_response_ok()) {
            const core::AtsTranslation t = core::AtsTranslation::load(gp.get_data_ptr());
            if (t.read || t.write) {
                const core::StreamAttr* a = access->get_extension<core::StreamAttr>();
                AtcEntry c;
                c.shift = uint8_t(t.log2_bytes);
                c.base = txn(*access).untranslated & ~((uint64_t(1) << t.log2_bytes) - 1);
                c.oa = t.base;
                c.read = t.read;
                c.write = t.write;
                c.global = t.global;
                c.ssv = a && a->ssid_valid;
                c.ssid = c.ssv ? a->ssid : 0;
                e = c;
            }
        }
        const bool fresh = request_finished(x.token, e);
        inflight_.erase(std::find(inflight_.begin(), inflight_.end(), &gp));
        gp.release();
        // The access it was sent for, then those that waited for it.
        for (tlm::tlm_generic_payload* acc = access; acc;) {
            Txn& ax = txn(*acc);
            tlm::tlm_generic_payload* next = ax.next;
            ax.next = nullptr;
            if (!fresh) {
                ++retries_;
                request_translation(*acc, ax);
            } else if (e && (acc->is_write() ? e->write : e->read)) {
                send_translated(*acc, ax, *e);
            } else {
                fail(*acc, ax);
            }
            acc = next;
        }
        return;
    }
    // A device access answered.
    if (x.translated) {
        use_finished(x.token);
        gp.get_extension<core::StreamAttr>()->at = core::AtKind::Untranslated;
    }
    gp.set_address(x.untranslated);
    in.respond(gp);
}

}  // namespace smmusim::smmu::ats
