#pragma once
// Legality of STEs and CDs and their decoding into walk contexts (fact sheet ste_cd §1-2,
// reference §2-3). An ILLEGAL structure decodes to nullopt (C_BAD_STE / C_BAD_CD). Pure
// functions of the structure, the features and CR2.

#include <cstdint>
#include <optional>

#include "models/smmu/arch/cd.h"
#include "models/smmu/arch/ste.h"
#include "models/smmu/features.h"
#include "models/smmu/tcu/translation.h"

namespace smmusim::smmu::tcu {

// The translation regime a stage-1 STE selects (STE.STRW, CR2.E2H).
enum class StreamWorld { NsEl1, NsEl2, NsEl2E2H };

// Checks of an STE with V=1 and Config=1xx (reference §2.2, fact sheet ste_cd §1 rows 2-21).
bool ste_legal(const arch::Ste& ste, const Features& f);
StreamWorld stream_world(const arch::Ste& ste, const Features& f, bool e2h);

// Stage-2 context of a legal STE with stage 2 enabled; nullopt if its geometry is illegal.
std::optional<S2Context> decode_s2(const arch::Ste& ste, const Features& f);

struct S1Decoded {
    S1Context ctx;
    bool record = false;  // CD.R: record stage-1 translation faults
    bool abort = true;    // CD.A: abort (else RAZ/WI) on stage-1 translation faults
};
// Stage-1 context of a CD; nullopt if ILLEGAL (C_BAD_CD).
std::optional<S1Decoded> decode_cd(const arch::Cd& cd, const Features& f, StreamWorld world);

}  // namespace smmusim::smmu::tcu
