#pragma once
// Address decoding for the interconnect: non-overlapping [base, base + size) ranges, one per
// target port.

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace smmusim::noc {

struct AddressRange {
    std::string target;  // target port name
    uint64_t base = 0;
    uint64_t size = 0;
    uint64_t last() const { return base + (size - 1); }
};

class AddressMap {
public:
    // Throws InputError if the range is empty, wraps, or overlaps one already added.
    void add(const AddressRange& r);
    // Index (in order of add) of the range holding all of [addr, addr + len), if any.
    std::optional<unsigned> decode(uint64_t addr, uint64_t len) const;
    const std::vector<AddressRange>& ranges() const { return ranges_; }
    void print(std::ostream& os) const;

private:
    std::vector<AddressRange> ranges_;
};

}  // namespace smmusim::noc
