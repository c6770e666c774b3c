#include "tests/common/smmu/page_tables.h"

#include <stdexcept>

namespace smmusim::test {

using namespace smmu::arch;

PageTables::PageTables(mem::SparseStore& store, Allocator alloc, unsigned gshift, unsigned ia_bits, int start)
    : store_(store), alloc_(std::move(alloc)), g_{gshift}, ia_bits_(ia_bits), start_(start) {
    const int bits = g_.bits_at(start, ia_bits);
    if (bits < 1) throw std::logic_error("PageTables: no input bits at the start level");
    root_entries_ = uint64_t(1) << unsigned(bits);
    const uint64_t bytes = std::max<uint64_t>(root_entries_ * 8, 64);
    root_ = alloc_(bytes, bytes);
}

uint64_t PageTables::read64(uint64_t a) const {
    unsigned char b[8];
    store_.read(a, b, 8);
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | b[i];
    return v;
}

void PageTables::write64(uint64_t a, uint64_t v) {
    unsigned char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
    store_.write(a, b, 8);
}

uint64_t PageTables::table_for(uint64_t ia, int level, bool create) {
    uint64_t table = root_;
    for (int l = start_; l < level; ++l) {
        const uint64_t entry = descriptor_address_in(table, ia, l);
        uint64_t d = read64(entry);
        if (!pte::is_table_or_page(d)) {
            if (!create) throw std::logic_error("PageTables: no table on the way");
            uint64_t next = alloc_(g_.bytes(), g_.bytes());
            ++tables_;
            d = pte::table(next);
            write64(entry, d);
        }
        table = pte::address(d, g_.shift);
    }
    return table;
}

uint64_t PageTables::descriptor_address_in(uint64_t table, uint64_t ia, int level) const {
    const uint64_t entries = level == start_ ? root_entries_ : (uint64_t(1) << g_.stride());
    return table + ((ia >> g_.level_shift(level)) & (entries - 1)) * 8;
}

uint64_t PageTables::descriptor_address(uint64_t ia, int level) const {
    return descriptor_address_in(const_cast<PageTables*>(this)->table_for(ia, level, false), ia, level);
}

uint64_t PageTables::descriptor(uint64_t ia, int level) const { return read64(descriptor_address(ia, level)); }

void PageTables::set_descriptor(uint64_t ia, int level, uint64_t desc) {
    write64(descriptor_address(ia, level), desc);
}

void PageTables::map(uint64_t ia, uint64_t oa, uint64_t size, int level, uint64_t attrs) {
    const uint64_t step = g_.level_size(level);
    if (ia % step || oa % step || size % step) throw std::logic_error("PageTables: misaligned mapping");
    for (uint64_t off = 0; off < size; off += step) {
        const uint64_t table = table_for(ia + off, level, true);
        write64(descriptor_address_in(table, ia + off, level), (oa + off) | attrs | (level == 3 ? 3 : 1));
    }
}

}  // namespace smmusim::test
