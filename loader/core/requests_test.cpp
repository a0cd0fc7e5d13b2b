// Host tests of the request scan (docs/limine-protocol.md §1).
#include "loader/core/requests.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "protocol/limine.hpp"

namespace {

using loader::scan_requests;

struct Image {
    std::vector<uint64_t> words;

    size_t add(std::initializer_list<uint64_t> values) {
        size_t offset = words.size() * 8;
        words.insert(words.end(), values);
        return offset;
    }
    size_t add_request(const limine::RequestId& id, uint64_t revision = 0) {
        return add({id.words[0], id.words[1], id.words[2], id.words[3], revision, 0});
    }
    void start_marker() {
        add({limine::kRequestsStartMarker[0], limine::kRequestsStartMarker[1], limine::kRequestsStartMarker[2],
             limine::kRequestsStartMarker[3]});
    }
    void end_marker() { add({limine::kRequestsEndMarker[0], limine::kRequestsEndMarker[1]}); }
    size_t base_revision(uint64_t n) { return add({limine::kBaseRevisionMagic0, limine::kBaseRevisionMagic1, n}); }
    void padding(size_t count) { words.insert(words.end(), count, 0x1234); }

    std::vector<uint8_t> bytes() const {
        std::vector<uint8_t> out(words.size() * 8);
        if (!out.empty()) std::memcpy(out.data(), words.data(), out.size());
        return out;
    }
};

lib::Bytes view(const std::vector<uint8_t>& bytes) {
    return lib::Bytes(bytes.data(), bytes.size());
}

TEST(Requests, FindsRequestsWithoutMarkers) {
    Image image;
    image.padding(5);
    size_t tag = image.base_revision(2);
    size_t hhdm = image.add_request(limine::id::kHhdm);
    image.padding(3);
    size_t memmap = image.add_request(limine::id::kMemmap, 1);
    std::vector<uint8_t> bytes = image.bytes();
    auto scan = scan_requests(view(bytes));
    ASSERT_TRUE(scan.has_value()) << scan.error().message;
    EXPECT_FALSE(scan->has_markers);
    EXPECT_TRUE(scan->has_base_revision);
    EXPECT_EQ(scan->base_revision_offset, tag);
    EXPECT_EQ(scan->requested_revision, 2u);
    ASSERT_EQ(scan->request_count, 2u);
    EXPECT_EQ(scan->requests[0].offset, hhdm);
    EXPECT_STREQ(loader::request_name(scan->requests[0].id2, scan->requests[0].id3), "hhdm");
    EXPECT_EQ(scan->requests[1].offset, memmap);
    EXPECT_STREQ(loader::request_name(scan->requests[1].id2, scan->requests[1].id3), "memmap");
}

TEST(Requests, MarkersLimitTheScan) {
    Image image;
    image.add_request(limine::id::kSmp);  // outside: ignored
    image.start_marker();
    image.add_request(limine::id::kFramebuffer);  // before the LAST start marker: ignored
    image.start_marker();
    size_t tag = image.base_revision(2);
    size_t hhdm = image.add_request(limine::id::kHhdm);
    image.end_marker();
    image.add_request(limine::id::kRsdp);  // after the first end marker: ignored
    image.end_marker();
    std::vector<uint8_t> bytes = image.bytes();
    auto scan = scan_requests(view(bytes));
    ASSERT_TRUE(scan.has_value()) << scan.error().message;
    EXPECT_TRUE(scan->has_markers);
    EXPECT_EQ(scan->base_revision_offset, tag);
    ASSERT_EQ(scan->request_count, 1u);
    EXPECT_EQ(scan->requests[0].offset, hhdm);
}

TEST(Requests, BaseRevisionTagOutsideMarkersStillCounts) {
    Image image;
    image.base_revision(3);
    image.start_marker();
    image.add_request(limine::id::kHhdm);
    image.end_marker();
    std::vector<uint8_t> bytes = image.bytes();
    auto scan = scan_requests(view(bytes));
    ASSERT_TRUE(scan.has_value());
    EXPECT_TRUE(scan->has_base_revision);
    EXPECT_EQ(scan->requested_revision, 3u);
}

TEST(Requests, NoTagNoRequests) {
    Image image;
    image.padding(100);
    std::vector<uint8_t> bytes = image.bytes();
    auto scan = scan_requests(view(bytes));
    ASSERT_TRUE(scan.has_value());
    EXPECT_FALSE(scan->has_base_revision);
    EXPECT_EQ(scan->requested_revision, 0u);
    EXPECT_EQ(scan->request_count, 0u);
    EXPECT_TRUE(scan_requests(lib::Bytes()).has_value());
}

TEST(Requests, MisalignedObjectsAreNotSeen) {
    Image image;
    image.add_request(limine::id::kHhdm);
    std::vector<uint8_t> bytes = image.bytes();
    bytes.insert(bytes.begin(), 4, 0);  // shift by 4: no longer on an 8-byte boundary
    auto scan = scan_requests(view(bytes));
    ASSERT_TRUE(scan.has_value());
    EXPECT_EQ(scan->request_count, 0u);
}

TEST(Requests, RequestCutOffAtTheEndIsIgnored) {
    Image image;
    image.add({limine::kCommonMagic0, limine::kCommonMagic1, limine::id::kHhdm.words[2], limine::id::kHhdm.words[3]});
    std::vector<uint8_t> bytes = image.bytes();
    auto scan = scan_requests(view(bytes));
    ASSERT_TRUE(scan.has_value());
    EXPECT_EQ(scan->request_count, 0u);
}

TEST(Requests, DuplicateIsNamed) {
    Image image;
    image.add_request(limine::id::kHhdm);
    image.add_request(limine::id::kSmp);
    size_t second = image.add_request(limine::id::kSmp);
    std::vector<uint8_t> bytes = image.bytes();
    loader::FoundRequest duplicate{};
    auto scan = scan_requests(view(bytes), &duplicate);
    ASSERT_FALSE(scan.has_value());
    EXPECT_EQ(scan.error().code, lib::ErrorCode::kEEXIST);
    EXPECT_NE(std::string(scan.error().message).find("smp request appears twice"), std::string::npos);
    EXPECT_EQ(duplicate.offset, second);
    EXPECT_EQ(duplicate.id2, limine::id::kSmp.words[2]);
}

TEST(Requests, DuplicateUnknownRequest) {
    Image image;
    image.add_request(limine::make_id(1, 2));
    image.add_request(limine::make_id(1, 2));
    std::vector<uint8_t> bytes = image.bytes();
    auto scan = scan_requests(view(bytes));
    ASSERT_FALSE(scan.has_value());
    EXPECT_NE(std::string(scan.error().message).find("unknown request"), std::string::npos);
}

TEST(Requests, StartMarkerWithoutEnd) {
    Image image;
    image.end_marker();  // an end marker BEFORE the start does not count
    image.start_marker();
    image.add_request(limine::id::kHhdm);
    std::vector<uint8_t> bytes = image.bytes();
    auto scan = scan_requests(view(bytes));
    ASSERT_FALSE(scan.has_value());
    EXPECT_NE(std::string(scan.error().message).find("no end marker"), std::string::npos);
}

TEST(Requests, EndMarkerAloneIsIgnored) {
    Image image;
    image.add_request(limine::id::kHhdm);
    image.end_marker();
    image.add_request(limine::id::kSmp);
    std::vector<uint8_t> bytes = image.bytes();
    auto scan = scan_requests(view(bytes));
    ASSERT_TRUE(scan.has_value());
    EXPECT_FALSE(scan->has_markers);
    EXPECT_EQ(scan->request_count, 2u);
}

TEST(Requests, TooMany) {
    Image image;
    for (uint64_t i = 0; i < 65; ++i) image.add_request(limine::make_id(100, i));
    std::vector<uint8_t> bytes = image.bytes();
    auto scan = scan_requests(view(bytes));
    ASSERT_FALSE(scan.has_value());
    EXPECT_EQ(scan.error().code, lib::ErrorCode::kEOPNOTSUPP);
    image.words.resize(image.words.size() - 6);
    bytes = image.bytes();
    auto fits = scan_requests(view(bytes));
    ASSERT_TRUE(fits.has_value());
    EXPECT_EQ(fits->request_count, 64u);
}

TEST(Requests, NamesEveryFeature) {
    const limine::RequestId* ids[] = {
        &limine::id::kBootloaderInfo, &limine::id::kFirmwareType,   &limine::id::kStackSize, &limine::id::kHhdm,
        &limine::id::kFramebuffer,    &limine::id::kPagingMode,     &limine::id::kSmp,       &limine::id::kMemmap,
        &limine::id::kEntryPoint,     &limine::id::kKernelFile,     &limine::id::kModule,    &limine::id::kRsdp,
        &limine::id::kSmbios,         &limine::id::kEfiSystemTable, &limine::id::kEfiMemmap, &limine::id::kBootTime,
        &limine::id::kKernelAddress};
    for (const limine::RequestId* id : ids) EXPECT_NE(loader::request_name(id->words[2], id->words[3]), nullptr);
    EXPECT_EQ(loader::request_name(0, 0), nullptr);
    EXPECT_STREQ(loader::request_name(limine::id::kKernelAddress.words[2], limine::id::kKernelAddress.words[3]),
                 "kernel_address");
}

TEST(Requests, RandomizedImagesNeverCrash) {
    // Images assembled from random pieces (markers, tags, requests, junk,
    // truncated pieces) at random lengths, including odd byte lengths.
    std::mt19937_64 random(0x5ca9);
    const limine::RequestId* ids[] = {&limine::id::kHhdm, &limine::id::kSmp, &limine::id::kMemmap};
    for (int round = 0; round < 10000; ++round) {
        Image image;
        int pieces = static_cast<int>(random() % 12);
        for (int p = 0; p < pieces; ++p) {
            switch (random() % 6) {
                case 0: image.start_marker(); break;
                case 1: image.end_marker(); break;
                case 2: image.base_revision(random() % 4); break;
                case 3: image.add_request(*ids[random() % 3], random() % 2); break;
                case 4: image.padding(random() % 5); break;
                case 5: image.add({limine::kCommonMagic0, limine::kCommonMagic1}); break;
            }
        }
        std::vector<uint8_t> bytes = image.bytes();
        bytes.resize(random() % (bytes.size() + 1));
        for (int flips = static_cast<int>(random() % 3); flips > 0 && !bytes.empty(); --flips)
            bytes[random() % bytes.size()] ^= static_cast<uint8_t>(1u << (random() % 8));
        std::vector<uint8_t> exact(bytes);
        loader::FoundRequest duplicate{};
        auto scan = scan_requests(view(exact), &duplicate);
        if (!scan.has_value()) {
            ASSERT_NE(scan.error().message, nullptr);
            continue;
        }
        ASSERT_LE(scan->request_count, loader::kMaxRequests);
        for (size_t i = 0; i < scan->request_count; ++i) {
            ASSERT_EQ(scan->requests[i].offset % 8, 0u);
            ASSERT_LE(scan->requests[i].offset + 48, exact.size());
            for (size_t j = 0; j < i; ++j)
                ASSERT_FALSE(scan->requests[i].id2 == scan->requests[j].id2 &&
                             scan->requests[i].id3 == scan->requests[j].id3);
        }
    }
}

}  // namespace
