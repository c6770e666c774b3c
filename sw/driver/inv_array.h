#pragma once
// Linux's per-domain invalidation array (struct arm_smmu_invs; Nicolin Chen and Jason
// Gunthorpe, "iommu/arm-smmu-v3: Introduce a per-domain arm_smmu_invs array" ... "Add
// arm_smmu_invs based arm_smmu_domain_inv_range()", v4, 2025): what a domain's TLB maintenance
// must reach, one entry per (SMMU instance, type, ID), kept sorted by instance, then type (the
// enum's order is the command order: TLBIs before ATC invalidations), then ID, each with a count
// of the attachments that use it. A domain attached to devices behind several SMMU instances
// has entries for each, with that instance's ASID or VMID.
//
// arm_smmu_domain_inv_range walks the array once: the commands of one instance go into one
// batch, ended by a CMD_SYNC when the next entry is on another instance, or is the nesting
// parent's S1_CLEAR (the S2 TLBIs are synced first), or is an ATC invalidation (after the sync
// of its instance's TLBIs). The model keeps a domain's ATS attachments in a list beside the
// array (Domain::add_ats) and gives the walk each instance's ATC invalidations (AtsInvs): the
// command stream is the array's with INV_TYPE_ATS entries sorted after the TLBI entries. In Linux every batch submit waits
// for its CMD_SYNC before the walk goes on: the instances are invalidated one after the other
// (InvInstances::Serial, the default). Parallel is the study alternative: every instance's
// batch is published first, then every CMD_SYNC is waited for.
//
// The model keeps the array as the driver's only source of cross-instance invalidation; a
// domain on one instance takes the driver's path of before (TlbInvalidator on its own queue),
// which issues exactly the commands the walk would.

#include <cstdint>
#include <vector>

#include "sw/driver/config.h"
#include "sw/driver/tlb_inv.h"

namespace smmusim::sw::driver {

// enum arm_smmu_inv_type, in Linux's order (INV_TYPE_ATS and INV_TYPE_ATS_FULL follow: AtsInvs).
enum class InvType : uint8_t { S1Asid, S2Vmid, S2VmidS1Clear };

struct InvEntry {
    unsigned instance = 0;          // Linux sorts by the arm_smmu_device pointer; the model by index
    TlbInvalidator* inv = nullptr;  // that instance's invalidator (its command queue and RIL)
    InvType type = InvType::S1Asid;
    uint16_t id = 0;                // ASID (S1Asid) or VMID on that instance
    unsigned users = 1;             // attachments using the entry (refcount_t users)
};

class InvArray {
public:
    // arm_smmu_invs_merge: `add` joins the array; an entry equal in (instance, type, id) to one
    // there adds its users instead. The result stays sorted.
    void merge(std::vector<InvEntry> add);
    const std::vector<InvEntry>& entries() const { return inv_; }
    // arm_smmu_invs_unref + arm_smmu_invs_purge: one user less for every entry of `instance`;
    // the entries left without users are removed and returned (their IDs must be flushed).
    std::vector<InvEntry> unref(unsigned instance);
    // Distinct instances in the array.
    size_t instances() const;
    // The entry of `type` on `instance`, if any.
    const InvEntry* find(unsigned instance, InvType type) const;

private:
    std::vector<InvEntry> inv_;
};

// The ATC invalidations of one instance's ATS attachments of the domain (INV_TYPE_ATS, or
// INV_TYPE_ATS_FULL for a nesting parent's nested devices), in attachment order.
struct AtsInvs {
    TlbInvalidator* inv = nullptr;
    std::vector<smmu::arch::Command> cmds;
};

// The by-address (or whole-context) invalidation of a domain whose array spans several
// instances, as arm_smmu_domain_inv_range: `base` gives the domain's kind-independent fields
// (page size, VMID of stage-1 commands); `whole`: the whole ASID/VMID (arm_smmu_domain_inv).
// `ats`: each instance's ATC invalidations, a batch of their own after that instance's TLBIs
// and their CMD_SYNC (arm_smmu_invs_end_batch: "ATS must be after a sync of the S1/S2
// invalidations"), before the next instance's.
void invalidate_array(const InvArray& a, const InvTarget& base, uint64_t iova, uint64_t size, uint64_t granule,
                      bool leaf, bool whole, InvInstances order, const std::vector<AtsInvs>& ats = {});

}  // namespace smmusim::sw::driver
