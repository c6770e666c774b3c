#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

#include "models/core/rng.h"
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
    // Three data blocks (a lone byte breaks a line of zeros) and their records, nothing else.
    EXPECT_GE(s.resident_bytes(), 3 * SparseStore::kChunkSize);
    EXPECT_LT(s.resident_bytes(), 4 * SparseStore::kChunkSize);
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

// Payloads of one repeated byte (what the traffic generators write) keep a page data-less:
// reads give back every byte written, and the host memory does not grow with the bytes.
TEST(SparseStore, RepeatedBytePayloadsNeedNoDataBlock) {
    SparseStore s;
    std::vector<unsigned char> line(SparseStore::kLineSize);
    for (unsigned i = 0; i < 4 * SparseStore::kLines; ++i) {
        std::fill(line.begin(), line.end(), static_cast<unsigned char>(i * 7 + 1));
        s.write(0x10000 + uint64_t(i % SparseStore::kLines) * line.size() + (i / SparseStore::kLines) * 0x1000,
                line.data(), line.size());
    }
    const size_t after_first = s.resident_bytes();
    EXPECT_EQ(s.resident_chunks(), 4u);
    EXPECT_LT(after_first, 4 * SparseStore::kChunkSize / 10);
    for (unsigned i = 0; i < 4 * SparseStore::kLines; ++i) {  // the same lines again, new bytes
        std::fill(line.begin(), line.end(), static_cast<unsigned char>(i * 3 + 2));
        s.write(0x10000 + uint64_t(i % SparseStore::kLines) * line.size() + (i / SparseStore::kLines) * 0x1000,
                line.data(), line.size());
    }
    EXPECT_EQ(s.resident_bytes(), after_first);
    std::vector<unsigned char> back(line.size());
    s.read(0x10000 + 5 * line.size() + 0x2000, back.data(), back.size());
    EXPECT_EQ(back, std::vector<unsigned char>(line.size(), static_cast<unsigned char>((2 * 64 + 5) * 3 + 2)));
}

// Every kind of write over compact and expanded lines against a plain array of bytes.
TEST(SparseStore, MixedWritesReadBackAsAPlainArray) {
    SparseStore s;
    std::vector<unsigned char> ref(3 * SparseStore::kChunkSize, 0);
    smmusim::core::Rng rng(11);
    for (int step = 0; step < 3000; ++step) {
        const size_t len = 1 + rng.below(300), at = rng.below(ref.size() - len);
        std::vector<unsigned char> data(len, static_cast<unsigned char>(rng.below(4)));
        if (rng.below(3) == 0)
            for (auto& b : data) b = static_cast<unsigned char>(rng.below(256));
        if (rng.below(5) == 0) {
            const unsigned char be[3] = {0xff, 0, 0xff};
            s.write_enabled(at, data.data(), len, be, 3);
            for (size_t i = 0; i < len; ++i)
                if (i % 3 != 1) ref[at + i] = data[i];
        } else {
            s.write(at, data.data(), len);
            std::copy(data.begin(), data.end(), ref.begin() + long(at));
        }
        if (step == 1500) s.chunk(SparseStore::kChunkSize)[17] = ref[SparseStore::kChunkSize + 17] = 0x42;
    }
    std::vector<unsigned char> back(ref.size());
    s.read(0, back.data(), back.size());
    EXPECT_EQ(back, ref);
}

// Chunks spread over a 48-bit space, more than the chunk table's first sizes hold: every one
// reads back what was written to it after the table has grown, and untouched chunks read zero.
TEST(SparseStore, ManyScatteredChunksReadBackAfterTheTableGrows) {
    SparseStore s;
    smmusim::core::Rng rng(3);
    std::vector<uint64_t> addrs;
    for (int i = 0; i < 5000; ++i) {
        const uint64_t a = (rng.below(uint64_t(1) << 36) << 12) | (uint64_t(i % 8) * 8);
        addrs.push_back(a);
        const uint64_t v = a ^ 0x5a5a5a5a5a5a5a5aull;
        s.write(a, reinterpret_cast<const unsigned char*>(&v), sizeof v);
    }
    for (uint64_t a : addrs) {
        uint64_t v = 0;
        s.read(a, reinterpret_cast<unsigned char*>(&v), sizeof v);
        ASSERT_EQ(v, a ^ 0x5a5a5a5a5a5a5a5aull) << std::hex << a;
    }
    EXPECT_LE(s.resident_chunks(), addrs.size());
    uint64_t z = 1;
    s.read(uint64_t(1) << 50, reinterpret_cast<unsigned char*>(&z), sizeof z);
    EXPECT_EQ(z, 0u);
}
