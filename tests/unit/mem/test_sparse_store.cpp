#include <vector>

#include <gtest/gtest.h>

#include "models/mem/sparse_store.h"

using smmusim::mem::SparseStore;

TEST(SparseStore, UntouchedReadsZeroAndCostsNothing) {
    SparseStore s;
    std::vector<unsigned char> buf(64, 0xff);
    s.read(0x123456789000, buf.data(), buf.size());
    EXPECT_EQ(buf, std::vector<unsigned char>(64, 0));
    EXPECT_EQ(s.resident_chunks(), 0u);
}

TEST(SparseStore, FortyEightBitSpacePaysOnlyForTouchedPages) {
    SparseStore s;
    unsigned char v = 0x5a;
    s.write(0, &v, 1);
    s.write(0xFFFFFFFFF000ull, &v, 1);  // top page of a 48-bit space
    s.write(0x7FFFFFFFFFF0ull, &v, 1);
    EXPECT_EQ(s.resident_chunks(), 3u);
    EXPECT_EQ(s.resident_bytes(), 3 * SparseStore::kChunkSize);
    unsigned char r = 0;
    s.read(0xFFFFFFFFF000ull, &r, 1);
    EXPECT_EQ(r, 0x5a);
}

TEST(SparseStore, AccessesSpanChunks) {
    SparseStore s;
    std::vector<unsigned char> data(3 * SparseStore::kChunkSize);
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<unsigned char>(i ^ (i >> 8));
    const uint64_t addr = SparseStore::kChunkSize - 100;  // starts near the end of a chunk
    s.write(addr, data.data(), data.size());
    EXPECT_EQ(s.resident_chunks(), 4u);
    std::vector<unsigned char> back(data.size());
    s.read(addr, back.data(), back.size());
    EXPECT_EQ(back, data);
}

TEST(SparseStore, ChunkPointerIsStable) {
    SparseStore s;
    unsigned char* c = s.chunk(0x5000);
    c[5] = 7;
    for (uint64_t a = 0; a < 64 * SparseStore::kChunkSize; a += SparseStore::kChunkSize) s.chunk(a);
    EXPECT_EQ(s.chunk(0x5000), c);
    unsigned char r;
    s.read(0x5005, &r, 1);
    EXPECT_EQ(r, 7);
}
