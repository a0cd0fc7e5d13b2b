// The region tree (see vma_tree.hpp). AVL balancing after every insert and
// erase keeps the height below 1.45 log2(n + 2); every node carries the free
// gap just below it and the largest gap of its subtree, refreshed on the way
// back up, so a search for room skips whole subtrees whose gaps are too small.
#include "kernel/vm/vma_tree.hpp"

#include "lib/utility.hpp"

namespace vm {
namespace {

uint64_t prev_end(const Vma* node) {
    return node->prev ? node->prev->end : 0;
}

}  // namespace

void VmaTree::recompute_gap(Vma* node) {
    uint64_t below = prev_end(node);
    uint64_t top = node->start_gap();
    node->gap = top > below ? top - below : 0;
}

// Height and subtree gap from the children (whose values are current).
void VmaTree::pull(Vma* node) {
    node->height = 1 + lib::max(height(node->left), height(node->right));
    node->subtree_gap = lib::max(node->gap, lib::max(subtree_gap(node->left), subtree_gap(node->right)));
}

void VmaTree::replace_child(Vma* parent, Vma* old_child, Vma* new_child) {
    if (!parent)
        root_ = new_child;
    else if (parent->left == old_child)
        parent->left = new_child;
    else
        parent->right = new_child;
    if (new_child) new_child->parent = parent;
}

Vma* VmaTree::rotate_left(Vma* node) {
    Vma* pivot = node->right;
    replace_child(node->parent, node, pivot);
    node->right = pivot->left;
    if (node->right) node->right->parent = node;
    pivot->left = node;
    node->parent = pivot;
    pull(node);
    pull(pivot);
    return pivot;
}

Vma* VmaTree::rotate_right(Vma* node) {
    Vma* pivot = node->left;
    replace_child(node->parent, node, pivot);
    node->left = pivot->right;
    if (node->left) node->left->parent = node;
    pivot->right = node;
    node->parent = pivot;
    pull(node);
    pull(pivot);
    return pivot;
}

// Restores the AVL balance and the augmented fields from `node` to the root.
void VmaTree::rebalance_from(Vma* node) {
    while (node) {
        pull(node);
        int balance = height(node->left) - height(node->right);
        if (balance > 1) {
            if (height(node->left->left) < height(node->left->right)) rotate_left(node->left);
            node = rotate_right(node);
        } else if (balance < -1) {
            if (height(node->right->right) < height(node->right->left)) rotate_right(node->right);
            node = rotate_left(node);
        }
        node = node->parent;
    }
}

void VmaTree::refresh_upwards(Vma* node) {
    recompute_gap(node);
    for (; node; node = node->parent) pull(node);
}

void VmaTree::insert(Vma* node) {
    node->left = node->right = nullptr;
    node->height = 1;
    Vma* parent = nullptr;
    Vma* predecessor = nullptr;
    Vma** link = &root_;
    while (*link) {
        parent = *link;
        if (node->start < parent->start) {
            link = &parent->left;
        } else {
            predecessor = parent;
            link = &parent->right;
        }
    }
    node->parent = parent;
    *link = node;

    node->prev = predecessor;
    node->next = predecessor ? predecessor->next : first_;
    if (node->prev)
        node->prev->next = node;
    else
        first_ = node;
    if (node->next)
        node->next->prev = node;
    else
        last_ = node;
    ++count_;

    recompute_gap(node);
    rebalance_from(node);
    if (node->next) refresh_upwards(node->next);  // its gap now ends at node->end
}

void VmaTree::erase(Vma* node) {
    Vma* rebalance_at;
    if (node->left && node->right) {
        // The successor (leftmost of the right subtree, no left child) takes
        // the node's place in the tree.
        Vma* successor = node->next;
        if (successor->parent != node) {
            rebalance_at = successor->parent;
            replace_child(successor->parent, successor, successor->right);
            successor->right = node->right;
            successor->right->parent = successor;
        } else {
            rebalance_at = successor;
        }
        successor->left = node->left;
        successor->left->parent = successor;
        replace_child(node->parent, node, successor);
        successor->height = node->height;
    } else {
        Vma* child = node->left ? node->left : node->right;
        replace_child(node->parent, node, child);
        rebalance_at = node->parent;
    }

    Vma* next = node->next;
    if (node->prev)
        node->prev->next = next;
    else
        first_ = next;
    if (next)
        next->prev = node->prev;
    else
        last_ = node->prev;
    --count_;
    node->parent = node->left = node->right = node->prev = node->next = nullptr;

    if (next) recompute_gap(next);  // before rebalancing pulls it
    rebalance_from(rebalance_at);
    if (next) refresh_upwards(next);
}

void VmaTree::update(Vma* node) {
    refresh_upwards(node);
    if (node->next) refresh_upwards(node->next);
}

Vma* VmaTree::find(uint64_t address) const {
    Vma* node = root_;
    while (node) {
        if (address < node->start)
            node = node->left;
        else if (address >= node->end)
            node = node->right;
        else
            return node;
    }
    return nullptr;
}

Vma* VmaTree::find_next(uint64_t address) const {
    Vma* node = root_;
    Vma* found = nullptr;
    while (node) {
        if (node->end > address) {
            found = node;
            node = node->left;
        } else {
            node = node->right;
        }
    }
    return found;
}

Vma* VmaTree::find_intersection(uint64_t start, uint64_t end) const {
    Vma* vma = find_next(start);
    return vma && vma->start < end ? vma : nullptr;
}

// Gaps of a subtree lie between the end of the region before its leftmost
// node and the start of its rightmost node: the right subtree's at or above
// node->end, the left subtree's below prev_end(node).
bool VmaTree::search_top_down(const Vma* node, uint64_t length, uint64_t low, uint64_t high, uint64_t& at) const {
    if (!node || node->subtree_gap < length) return false;
    if (node->right && node->end < high && high - node->end >= length &&
        search_top_down(node->right, length, low, high, at))
        return true;
    if (node->gap >= length) {
        uint64_t lo = lib::max(prev_end(node), low);
        uint64_t hi = lib::min(node->start_gap(), high);
        if (hi > lo && hi - lo >= length) {
            at = hi - length;
            return true;
        }
    }
    uint64_t below = prev_end(node);
    if (node->left && below > low && below - low >= length) return search_top_down(node->left, length, low, high, at);
    return false;
}

bool VmaTree::search_bottom_up(const Vma* node, uint64_t length, uint64_t low, uint64_t high, uint64_t& at) const {
    if (!node || node->subtree_gap < length) return false;
    uint64_t below = prev_end(node);
    if (node->left && below > low && below - low >= length && search_bottom_up(node->left, length, low, high, at))
        return true;
    if (node->gap >= length) {
        uint64_t lo = lib::max(below, low);
        uint64_t hi = lib::min(node->start_gap(), high);
        if (hi > lo && hi - lo >= length) {
            at = lo;
            return true;
        }
    }
    if (node->right && node->end < high && high - node->end >= length)
        return search_bottom_up(node->right, length, low, high, at);
    return false;
}

bool VmaTree::find_gap_top_down(uint64_t length, uint64_t low, uint64_t high, uint64_t& at) const {
    if (length == 0 || high <= low || high - low < length) return false;
    uint64_t above_all = lib::max(last_ ? last_->end : 0, low);  // the gap above the last region
    if (high > above_all && high - above_all >= length) {
        at = high - length;
        return true;
    }
    return search_top_down(root_, length, low, high, at);
}

bool VmaTree::find_gap_bottom_up(uint64_t length, uint64_t low, uint64_t high, uint64_t& at) const {
    if (length == 0 || high <= low || high - low < length) return false;
    if (search_bottom_up(root_, length, low, high, at)) return true;
    uint64_t above_all = lib::max(last_ ? last_->end : 0, low);
    if (high > above_all && high - above_all >= length) {
        at = above_all;
        return true;
    }
    return false;
}

bool VmaTree::check_subtree(const Vma* node, const Vma* parent, int& height_out, uint64_t& gap_out) const {
    if (!node) {
        height_out = 0;
        gap_out = 0;
        return true;
    }
    if (node->parent != parent) return false;
    int left_height, right_height;
    uint64_t left_gap, right_gap;
    if (!check_subtree(node->left, node, left_height, left_gap)) return false;
    if (!check_subtree(node->right, node, right_height, right_gap)) return false;
    if (node->left && node->left->start >= node->start) return false;
    if (node->right && node->right->start <= node->start) return false;
    int balance = left_height - right_height;
    if (balance > 1 || balance < -1) return false;
    height_out = 1 + lib::max(left_height, right_height);
    if (node->height != height_out) return false;
    uint64_t below = prev_end(node);
    uint64_t top = node->start_gap();
    if (node->gap != (top > below ? top - below : 0)) return false;
    gap_out = lib::max(node->gap, lib::max(left_gap, right_gap));
    return node->subtree_gap == gap_out;
}

bool VmaTree::check() const {
    int height_value;
    uint64_t gap_value;
    if (!check_subtree(root_, nullptr, height_value, gap_value)) return false;
    size_t seen = 0;
    const Vma* previous = nullptr;
    for (const Vma* vma = first_; vma; vma = vma->next) {
        if (vma->prev != previous) return false;
        if (vma->start >= vma->end) return false;
        if (previous && previous->end > vma->start) return false;
        if (find(vma->start) != vma) return false;
        previous = vma;
        ++seen;
    }
    return previous == last_ && seen == count_;
}

}  // namespace vm
