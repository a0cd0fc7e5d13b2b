// A sparse map from page index to frame (a 4-level radix tree of 512-way
// nodes, 2^36 pages): the pages of a shared-memory object. Nodes come from
// vm::create and so may fail (ENOMEM) instead of panicking.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"

namespace vm {

class PageIndex {
public:
    static constexpr uint64_t kMaxPages = 1ULL << 36;

    PageIndex() = default;
    ~PageIndex();
    PageIndex(const PageIndex&) = delete;
    PageIndex& operator=(const PageIndex&) = delete;

    // The frame stored for `index`, or 0.
    uint64_t get(uint64_t index) const;
    // Stores `frame` (0 erases).
    lib::Expected<void> set(uint64_t index, uint64_t frame);
    // Calls visit(index, frame) for every stored frame, in index order.
    template <typename Visit>
    void for_each(Visit&& visit) const {
        if (root_) visit_node(root_, kLevels - 1, 0, visit);
    }

private:
    static constexpr unsigned kLevels = 4;
    static constexpr unsigned kFanout = 512;
    struct Node {
        uint64_t slots[kFanout] = {};  // child Node* (upper levels) or frame (leaves)
    };
    template <typename Visit>
    static void visit_node(const Node* node, unsigned level, uint64_t base, Visit& visit) {
        for (unsigned i = 0; i < kFanout; ++i) {
            uint64_t slot = node->slots[i];
            if (!slot) continue;
            uint64_t index = (base << 9) | i;
            if (level == 0)
                visit(index, slot);
            else
                visit_node(reinterpret_cast<const Node*>(slot), level - 1, index, visit);
        }
    }
    static void free_node(Node* node, unsigned level);

    Node* root_ = nullptr;
};

}  // namespace vm
