// Placement algorithms: pure functions from buffer requests to offsets. All share one primitive,
// "put this request at the lowest aligned offset where it collides with no already-placed request
// whose lifetime overlaps", and differ in the order they place requests in:
//  - by size (largest first; TFLM's greedy planner): big buffers settle at the bottom;
//  - by start (first-defined first): follows the program, good for chains;
//  - by conflicts (most bytes live alongside it first): the buffers that make the peak go first;
//  - exhaustive over all orders for small graphs, which finds the best arena this family can reach.
#include <algorithm>
#include <numeric>

#include "passes/memory_plan.h"

namespace ferrite {

static bool time_overlap(const BufferRequest& a, const BufferRequest& b) {
  return a.first <= b.last && b.first <= a.last;
}

// The root of a request's anchor chain (requests anchored together form one compound).
static size_t root_of(const std::vector<BufferRequest>& reqs, size_t i) {
  while (reqs[i].anchor >= 0) i = static_cast<size_t>(reqs[i].anchor);
  return i;
}

// Bytes from the chain's root offset to this request's offset (0 unless a Concat slice is involved).
static size_t rel_of(const std::vector<BufferRequest>& reqs, size_t i) {
  size_t rel = 0;
  for (; reqs[i].anchor >= 0; i = static_cast<size_t>(reqs[i].anchor)) rel += reqs[i].anchor_offset;
  return rel;
}

static size_t align_up(size_t v, size_t a) { return a ? (v + a - 1) / a * a : v; }

// Bytes covered by a set of [begin, end) intervals.
static size_t covered(std::vector<std::pair<size_t, size_t>>& iv) {
  std::sort(iv.begin(), iv.end());
  size_t total = 0, end = 0;
  for (const auto& [b, e] : iv) {
    if (e <= end) continue;
    total += e - std::max(b, end);
    end = e;
  }
  return total;
}

size_t lower_bound(const std::vector<BufferRequest>& reqs) {
  int steps = 0;
  for (const auto& r : reqs) steps = std::max(steps, r.last + 1);
  auto lb = live_bytes(reqs, steps);
  return lb.empty() ? 0 : *std::max_element(lb.begin(), lb.end());
}

// Per step, each compound (anchor chain) counts the bytes its live members cover, since they are
// placed at fixed distances from one another: the largest live member for requests sharing one
// offset, the live slices plus the output for a Concat whose inputs are produced in place.
std::vector<size_t> live_bytes(const std::vector<BufferRequest>& reqs, int steps) {
  const auto n = static_cast<size_t>(std::max(steps, 0));
  std::vector<size_t> live(n, 0);
  std::vector<std::vector<size_t>> members(reqs.size());
  for (size_t i = 0; i < reqs.size(); ++i) members[root_of(reqs, i)].push_back(i);
  std::vector<std::pair<size_t, size_t>> iv;
  for (const auto& mem : members) {
    if (mem.empty()) continue;
    std::vector<size_t> rel;
    for (size_t i : mem) rel.push_back(rel_of(reqs, i));
    for (size_t s = 0; s < n; ++s) {
      iv.clear();
      for (size_t k = 0; k < mem.size(); ++k) {
        const BufferRequest& r = reqs[mem[k]];
        if (r.first <= static_cast<int>(s) && static_cast<int>(s) <= r.last) iv.emplace_back(rel[k], rel[k] + r.size);
      }
      live[s] += covered(iv);
    }
  }
  return live;
}

std::string find_overlap(const std::vector<BufferRequest>& reqs, const std::vector<size_t>& off) {
  for (size_t i = 0; i < reqs.size(); ++i)
    for (size_t j = i + 1; j < reqs.size(); ++j) {
      if (!time_overlap(reqs[i], reqs[j]) || reqs[i].size == 0 || reqs[j].size == 0) continue;
      if (root_of(reqs, i) == root_of(reqs, j)) {
        if (off[i] + rel_of(reqs, j) != off[j] + rel_of(reqs, i))
          return fmt::format("anchored '{}' and '{}' do not share an offset", reqs[i].name, reqs[j].name);
        continue;
      }
      if (off[i] < off[j] + reqs[j].size && off[j] < off[i] + reqs[i].size)
        return fmt::format("'{}' [{}, {}) overlaps '{}' [{}, {}) while both are live", reqs[i].name, off[i],
                           off[i] + reqs[i].size, reqs[j].name, off[j], off[j] + reqs[j].size);
    }
  return "";
}

// Places requests in `order` (an anchored request is placed with its chain's root, at its fixed
// distance from it; the chain goes at the lowest base offset where no member collides); returns
// offsets indexed like `reqs`.
static Placement place_in_order(const std::vector<BufferRequest>& reqs, const std::vector<size_t>& order,
                                const char* name) {
  Placement p;
  p.algorithm = name;
  p.offsets.assign(reqs.size(), 0);
  std::vector<std::vector<size_t>> members(reqs.size());
  std::vector<size_t> rel(reqs.size());
  for (size_t i = 0; i < reqs.size(); ++i) {
    members[root_of(reqs, i)].push_back(i);
    rel[i] = rel_of(reqs, i);
  }
  std::vector<size_t> placed;
  std::vector<bool> done(reqs.size(), false);
  for (size_t idx : order) {
    const size_t root = root_of(reqs, idx);
    if (done[root]) continue;
    done[root] = true;
    // Candidate bases: 0 and, per member, just above each placed request overlapping it in time.
    std::vector<size_t> ends;
    size_t align = 1;
    for (size_t m : members[root]) {
      align = std::max(align, reqs[m].align);
      for (size_t q : placed)
        if (reqs[q].size && time_overlap(reqs[m], reqs[q]) && p.offsets[q] + reqs[q].size >= rel[m])
          ends.push_back(p.offsets[q] + reqs[q].size - rel[m]);
    }
    // A member conflicts with q only within its own size; test candidate bases exactly.
    auto fits = [&](size_t base) {
      for (size_t m : members[root])
        for (size_t q : placed)
          if (reqs[q].size && reqs[m].size && time_overlap(reqs[m], reqs[q]) &&
              base + rel[m] < p.offsets[q] + reqs[q].size && p.offsets[q] < base + rel[m] + reqs[m].size)
            return false;
      return true;
    };
    size_t off = 0;
    if (!fits(off)) {
      off = SIZE_MAX;
      for (size_t e : ends) {
        const size_t cand = align_up(e, align);
        if (cand < off && fits(cand)) off = cand;
      }
    }
    for (size_t m : members[root]) {
      p.offsets[m] = off + rel[m];
      p.arena = std::max(p.arena, off + rel[m] + reqs[m].size);
      placed.push_back(m);
    }
  }
  return p;
}

static std::vector<size_t> iota_order(size_t n) {
  std::vector<size_t> o(n);
  std::iota(o.begin(), o.end(), 0);
  return o;
}

Placement place_greedy_by_size(const std::vector<BufferRequest>& reqs) {
  auto o = iota_order(reqs.size());
  std::stable_sort(o.begin(), o.end(), [&](size_t a, size_t b) {
    if (reqs[a].size != reqs[b].size) return reqs[a].size > reqs[b].size;
    return reqs[a].first < reqs[b].first;
  });
  return place_in_order(reqs, o, "greedy-by-size");
}

Placement place_greedy_by_start(const std::vector<BufferRequest>& reqs) {
  auto o = iota_order(reqs.size());
  std::stable_sort(o.begin(), o.end(), [&](size_t a, size_t b) {
    if (reqs[a].first != reqs[b].first) return reqs[a].first < reqs[b].first;
    return reqs[a].size > reqs[b].size;
  });
  return place_in_order(reqs, o, "greedy-by-start");
}

Placement place_greedy_by_conflicts(const std::vector<BufferRequest>& reqs) {
  int steps = 0;
  for (const auto& r : reqs) steps = std::max(steps, r.last + 1);
  auto live = live_bytes(reqs, steps);
  std::vector<size_t> pressure(reqs.size(), 0);
  for (size_t i = 0; i < reqs.size(); ++i)
    for (int s = std::max(reqs[i].first, 0); s <= reqs[i].last && s < steps; ++s)
      pressure[i] = std::max(pressure[i], live[static_cast<size_t>(s)]);
  auto o = iota_order(reqs.size());
  std::stable_sort(o.begin(), o.end(), [&](size_t a, size_t b) {
    if (pressure[a] != pressure[b]) return pressure[a] > pressure[b];
    return reqs[a].size > reqs[b].size;
  });
  return place_in_order(reqs, o, "greedy-by-conflicts");
}

Placement place_exhaustive(const std::vector<BufferRequest>& reqs, size_t max_requests) {
  Placement best;
  best.algorithm = "exhaustive";
  if (reqs.size() > max_requests) {
    best.arena = SIZE_MAX;
    return best;
  }
  auto o = iota_order(reqs.size());
  best = place_in_order(reqs, o, "exhaustive");
  while (std::next_permutation(o.begin(), o.end())) {
    Placement p = place_in_order(reqs, o, "exhaustive");
    if (p.arena < best.arena) best = std::move(p);
  }
  return best;
}

Placement place_best(const std::vector<BufferRequest>& reqs, std::vector<Placement>* all) {
  std::vector<Placement> cands = {place_greedy_by_size(reqs), place_greedy_by_start(reqs),
                                  place_greedy_by_conflicts(reqs)};
  if (reqs.size() <= 8) cands.push_back(place_exhaustive(reqs));
  size_t bi = 0;
  for (size_t i = 1; i < cands.size(); ++i)
    if (cands[i].arena < cands[bi].arena) bi = i;
  Placement best = cands[bi];
  if (all) *all = std::move(cands);
  return best;
}

}  // namespace ferrite
