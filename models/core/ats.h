#pragma once
// PCIe ATS between an SMMU and an endpoint with an Address Translation Cache (ATC), in terms
// neither side's model owns: the ATC invalidation the SMMU sends for CMD_ATC_INV (SMMUv3
// §4.4.x CMD_ATC_INV; PCIe Base 10.3 Invalidate Request) and its completion. The SMMU decodes
// the command (models/smmu/arch/atc_inv.h); the endpoint removes what the range covers and
// answers `done` when its Invalidation Completion would arrive.

#include <cstdint>
#include <functional>

namespace smmusim::core {

struct AtcInvalidation {
    uint32_t sid = 0;
    bool ssv = false;     // SSV=0: every entry of the StreamID, with or without a PASID
    uint32_t ssid = 0;    // SSV=1: entries of this PASID ...
    bool global = false;  // ... and, with Global=1, the global entries of every PASID
    uint64_t base = 0;    // range [base, base + 2^log2_bytes), base aligned to it
    unsigned log2_bytes = 12;
    bool all = false;     // Size >= 52: the whole address space

    // Whether an ATC entry of [start, start + bytes) made for (ssv, ssid, global) is covered.
    bool covers(uint64_t start, uint64_t bytes, bool entry_ssv, uint32_t entry_ssid, bool entry_global) const {
        if (ssv && !(entry_ssv && (entry_ssid == ssid || (global && entry_global)))) return false;
        if (all) return true;
        const uint64_t end = base + (uint64_t(1) << log2_bytes);
        return start < end && start + bytes > base;
    }
};

// What a transaction from an ATS endpoint is (the PCIe AT field): an untranslated access is
// translated as usual; a Translation Request returns the translation to the device instead of
// accessing memory; a Translated transaction carries an address the device's ATC made.
enum class AtKind : uint8_t { Untranslated, Request, Translated };

// The data of a Translation Completion (PCIe Base §10.2.3, one 8-byte entry): the translated
// address of the request's page at [63:12]; R (bit 0), W (bit 1), Global (bit 5), S (bit 11).
// R, W, U (bit 2), N (bit 10) and S were checked against a reproduction of PCIe Figure 10-12 /
// Table 10-3; Global at bit 5 (beside Exe 3 and Priv 4) is from memory of the PCIe text.
// With S = 1 the translation covers 2^k bytes, k > 12, the lowest 0 bit of the address at or
// above bit 12 being bit k - 1 (bits [k-2:12] are 1). R = W = 0: the translation failed
// (a fault in the SMMU), the device must not use the address.
struct AtsTranslation {
    uint64_t base = 0;  // output address of the translated range (aligned to 2^log2_bytes)
    unsigned log2_bytes = 12;
    bool read = false, write = false, global = false;

    uint64_t encode() const {
        uint64_t v = base & ~uint64_t(0xFFF);
        if (log2_bytes > 12) v |= (((uint64_t(1) << (log2_bytes - 1)) - 1) & ~uint64_t(0xFFF)) | (uint64_t(1) << 11);
        return v | uint64_t(read) | uint64_t(write) << 1 | uint64_t(global) << 5;
    }
    // The entry as the completion's 8 data bytes (little-endian), and back.
    void store(unsigned char* bytes) const {
        const uint64_t v = encode();
        for (unsigned i = 0; i < 8; ++i) bytes[i] = uint8_t(v >> (8 * i));
    }
    static AtsTranslation load(const unsigned char* bytes) {
        uint64_t v = 0;
        for (int i = 7; i >= 0; --i) v = (v << 8) | bytes[i];
        return decode(v);
    }
    static AtsTranslation decode(uint64_t v) {
        AtsTranslation t;
        t.read = v & 1;
        t.write = v & 2;
        t.global = v & 32;
        t.log2_bytes = 12;
        if (v & (uint64_t(1) << 11)) {
            unsigned k = 12;
            while (k < 63 && (v >> k & 1)) ++k;
            t.log2_bytes = k + 1;
        }
        t.base = v & ~((uint64_t(1) << t.log2_bytes) - 1);
        return t;
    }
};

// An ATS-capable endpoint the SMMU can send ATC invalidations to.
class AtsEndpoint {
public:
    virtual ~AtsEndpoint() = default;
    // Called in the SMMU's thread when it sends the invalidation; `done` must be called
    // (from any process, later) when the endpoint's Invalidation Completion reaches the SMMU.
    virtual void atc_invalidate(const AtcInvalidation& inv, std::function<void()> done) = 0;
};

}  // namespace smmusim::core
