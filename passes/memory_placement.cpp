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

static size_t align_up(size_t v, size_t a) { return a ? (v + a - 1) / a * a : v; }

size_t lower_bound(const std::vector<BufferRequest>& reqs) {
  int steps = 0;
  for (const auto& r : reqs) steps = std::max(steps, r.last + 1);
  auto lb = live_bytes(reqs, steps);
  return lb.empty() ? 0 : *std::max_element(lb.begin(), lb.end());
}

std::vector<size_t> live_bytes(const std::vector<BufferRequest>& reqs, int steps) {
  std::vector<size_t> live(static_cast<size_t>(std::max(steps, 0)), 0);
  for (const auto& r : reqs)
    for (int s = std::max(r.first, 0); s <= r.last && s < steps; ++s) live[static_cast<size_t>(s)] += r.size;
  return live;
}

std::string find_overlap(const std::vector<BufferRequest>& reqs, const std::vector<size_t>& off) {
  for (size_t i = 0; i < reqs.size(); ++i)
    for (size_t j = i + 1; j < reqs.size(); ++j) {
      if (!time_overlap(reqs[i], reqs[j]) || reqs[i].size == 0 || reqs[j].size == 0) continue;
      if (off[i] < off[j] + reqs[j].size && off[j] < off[i] + reqs[i].size)
        return fmt::format("'{}' [{}, {}) overlaps '{}' [{}, {}) while both are live", reqs[i].name, off[i],
                           off[i] + reqs[i].size, reqs[j].name, off[j], off[j] + reqs[j].size);
    }
  return "";
}

// Places requests in `order`; returns offsets indexed like `reqs`.
static Placement place_in_order(const std::vector<BufferRequest>& reqs, const std::vector<size_t>& order,
                                const char* name) {
  Placement p;
  p.algorithm = name;
  p.offsets.assign(reqs.size(), 0);
  std::vector<size_t> placed;
  for (size_t idx : order) {
    const BufferRequest& r = reqs[idx];
    std::vector<std::pair<size_t, size_t>> busy;  // [begin, end) of conflicting placed requests
    for (size_t q : placed)
      if (time_overlap(r, reqs[q]) && reqs[q].size) busy.emplace_back(p.offsets[q], p.offsets[q] + reqs[q].size);
    std::sort(busy.begin(), busy.end());
    size_t off = 0;
    for (const auto& [b, e] : busy) {
      if (off + r.size <= b) break;
      off = std::max(off, align_up(e, r.align));
    }
    p.offsets[idx] = off;
    p.arena = std::max(p.arena, off + r.size);
    placed.push_back(idx);
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
