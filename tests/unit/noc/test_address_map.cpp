#include <sstream>

#include <gtest/gtest.h>

#include "models/core/errors.h"
#include "models/noc/address_map.h"

using namespace smmusim;
using smmusim::noc::AddressMap;

TEST(AddressMap, DecodesWholeTransactionsOnly) {
    AddressMap m;
    m.add({"dram", 0x80000000, 0x80000000});
    m.add({"regs", 0x2b400000, 0x20000});
    EXPECT_EQ(m.decode(0x80000000, 64), 0u);
    EXPECT_EQ(m.decode(0xffffffc0, 64), 0u);
    EXPECT_EQ(m.decode(0xffffffc1, 64), std::nullopt);  // runs past the end
    EXPECT_EQ(m.decode(0x2b41fffc, 4), 1u);
    EXPECT_EQ(m.decode(0x2b3ffffc, 8), std::nullopt);
    EXPECT_EQ(m.decode(0, 4), std::nullopt);
    EXPECT_EQ(m.decode(~uint64_t(0), 2), std::nullopt);  // wraps
}

TEST(AddressMap, RejectsOverlapsEmptyAndWrappingRanges) {
    AddressMap m;
    m.add({"a", 0x1000, 0x1000});
    try {
        m.add({"b", 0x1fff, 0x10});
        FAIL() << "overlap accepted";
    } catch (const InputError& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find("'b'"), std::string::npos);
        EXPECT_NE(msg.find("'a'"), std::string::npos);
    }
    EXPECT_THROW(m.add({"c", 0x5000, 0}), InputError);
    EXPECT_THROW(m.add({"d", ~uint64_t(0) - 10, 100}), InputError);
    EXPECT_NO_THROW(m.add({"e", 0x2000, 0x1000}));  // adjacent is fine
}

TEST(AddressMap, PrintsSortedByBase) {
    AddressMap m;
    m.add({"dram", 0x80000000, uint64_t(8) << 30});
    m.add({"regs", 0x2b400000, 0x20000});
    std::ostringstream os;
    m.print(os);
    std::string s = os.str();
    EXPECT_LT(s.find("regs"), s.find("dram"));
    EXPECT_NE(s.find("0x000080000000 - 0x00027fffffff  dram"), std::string::npos) << s;
    EXPECT_NE(s.find("8 GiB"), std::string::npos);
}
