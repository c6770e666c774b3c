#include "models/noc/address_map.h"

#include <algorithm>
#include <cstdio>

#include "models/core/errors.h"
#include "models/core/value_parse.h"

namespace smmusim::noc {

void AddressMap::add(const AddressRange& r) {
    if (r.size == 0) throw InputError("address map: target '" + r.target + "' has size 0");
    if (r.base + (r.size - 1) < r.base)
        throw InputError("address map: target '" + r.target + "' wraps past the 64-bit space");
    for (const AddressRange& o : ranges_) {
        if (r.base <= o.last() && o.base <= r.last())
            throw InputError("address map: target '" + r.target + "' [" + core::hex(r.base) + ", " +
                             core::hex(r.last()) + "] overlaps '" + o.target + "' [" +
                             core::hex(o.base) + ", " + core::hex(o.last()) + "]");
    }
    ranges_.push_back(r);
}

void AddressMap::print(std::ostream& os) const {
    std::vector<AddressRange> sorted = ranges_;
    std::sort(sorted.begin(), sorted.end(),
              [](const AddressRange& a, const AddressRange& b) { return a.base < b.base; });
    for (const AddressRange& r : sorted) {
        char line[128];
        std::snprintf(line, sizeof line, "  0x%012llx - 0x%012llx  %-12s %s\n",
                      static_cast<unsigned long long>(r.base),
                      static_cast<unsigned long long>(r.last()), r.target.c_str(),
                      core::format_size(r.size).c_str());
        os << line;
    }
}

}  // namespace smmusim::noc
