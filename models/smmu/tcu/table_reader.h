#pragma once
// How the TCU reads its in-memory structures (STEs, CDs, descriptors): one timed read through
// its memory port. An interface, so the walker and config fetch can be tested on a store.

#include <cstdint>

namespace smmusim::smmu::tcu {

class TableReader {
public:
    virtual ~TableReader() = default;
    // False on an external abort (error response).
    virtual bool read(uint64_t pa, void* dst, unsigned len) = 0;
};

}  // namespace smmusim::smmu::tcu
