// The regions of one address space, ordered by address: an AVL tree (every
// lookup, insert and erase O(log n)) whose nodes are also linked in address
// order (next/prev in O(1)), augmented with the largest free gap in each
// subtree so that finding room for a new mapping is O(log n) too, top-down
// (below the mmap base, as Linux places mappings) or bottom-up.
//
// Intrusive: the tree owns no memory; the address space creates and frees
// the Vma objects. Callers keep regions disjoint.
//
//   tree.insert(vma);
//   Vma* v = tree.find(address);        // the region containing address
//   Vma* n = tree.find_next(address);   // the first region ending above address
//   uint64_t at;  tree.find_gap_top_down(length, low, high, at);
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/vm/vma.hpp"

namespace vm {

class VmaTree {
public:
    VmaTree() = default;
    VmaTree(const VmaTree&) = delete;
    VmaTree& operator=(const VmaTree&) = delete;

    void insert(Vma* vma);
    void erase(Vma* vma);
    // After a region's start or end moved without passing a neighbour (a
    // stack grew, brk moved, a split shortened it): refresh the gaps.
    void update(Vma* vma);

    // The region containing `address`, or nullptr.
    Vma* find(uint64_t address) const;
    // The first region with end > address (Linux's find_vma), or nullptr.
    Vma* find_next(uint64_t address) const;
    // The first region overlapping [start, end), or nullptr.
    Vma* find_intersection(uint64_t start, uint64_t end) const;

    Vma* first() const { return first_; }
    Vma* last() const { return last_; }
    size_t count() const { return count_; }
    bool empty() const { return count_ == 0; }

    // The highest `at` with [at, at + length) free, inside [low, high),
    // keeping every stack's guard gap free. False if there is none.
    bool find_gap_top_down(uint64_t length, uint64_t low, uint64_t high, uint64_t& at) const;
    // The lowest such `at`.
    bool find_gap_bottom_up(uint64_t length, uint64_t low, uint64_t high, uint64_t& at) const;

    // For tests: checks ordering, AVL balance, links and gap fields; false
    // on the first inconsistency.
    bool check() const;

private:
    static int height(const Vma* node) { return node ? node->height : 0; }
    static uint64_t subtree_gap(const Vma* node) { return node ? node->subtree_gap : 0; }
    static void recompute_gap(Vma* node);
    static void pull(Vma* node);
    void replace_child(Vma* parent, Vma* old_child, Vma* new_child);
    Vma* rotate_left(Vma* node);
    Vma* rotate_right(Vma* node);
    void rebalance_from(Vma* node);
    void refresh_upwards(Vma* node);
    bool search_top_down(const Vma* node, uint64_t length, uint64_t low, uint64_t high, uint64_t& at) const;
    bool search_bottom_up(const Vma* node, uint64_t length, uint64_t low, uint64_t high, uint64_t& at) const;
    bool check_subtree(const Vma* node, const Vma* parent, int& height_out, uint64_t& gap_out) const;

    Vma* root_ = nullptr;
    Vma* first_ = nullptr;
    Vma* last_ = nullptr;
    size_t count_ = 0;
};

}  // namespace vm
