// Placement algorithms: pure functions from buffer requests to offsets. All share one primitive,
// "put this request at the lowest aligned offset where it collides with no already-placed request
// whose lifetime overlaps", and differ in the order they place requests in:
//  - by size (largest first; TFLM's greedy planner): big buffers settle at the bottom;
//  - by start (first-defined first): follows the program, good for chains;
//  - by conflicts (most bytes live alongside it first): the buffers that make the peak go first;
//  - exhaustive over all orders for small graphs, which finds the best arena this family can reach.
#include <algorithm>
#include <climits>
#include <numeric>

#include "passes/memory_plan.h"

namespace ferrite {

static bool time_overlap(const BufferRequest& a, const BufferRequest& b) {
  return a.first <= b.last && b.first <= a.last;
}

// Root and offset within its compound of every request, and each root's members, in O(n) overall
// (walking each anchor chain from every request is O(n^2) for a long chain of in-place layers).
static void compound_roots(const std::vector<BufferRequest>& reqs, std::vector<size_t>* root_out,
                           std::vector<size_t>* rel_out, std::vector<std::vector<size_t>>* members) {
  const size_t n = reqs.size();
  std::vector<size_t> root(n, SIZE_MAX), rel(n, 0);
  std::vector<size_t> path;
  for (size_t i = 0; i < n; ++i) {
    size_t j = i;
    path.clear();
    while (root[j] == SIZE_MAX && reqs[j].anchor >= 0) {
      path.push_back(j);
      j = static_cast<size_t>(reqs[j].anchor);
      if (path.size() > n) break;  // a cycle of anchors cannot happen; stay finite anyway
    }
    if (root[j] == SIZE_MAX) root[j] = j, rel[j] = 0;
    for (size_t k = path.size(); k-- > 0;) {
      const size_t p = path[k];
      const size_t up = static_cast<size_t>(reqs[p].anchor);
      root[p] = root[up];
      rel[p] = rel[up] + reqs[p].anchor_offset;
    }
  }
  if (members) {
    members->assign(n, {});
    for (size_t i = 0; i < n; ++i) (*members)[root[i]].push_back(i);
  }
  if (root_out) *root_out = std::move(root);
  if (rel_out) *rel_out = std::move(rel);
}

static size_t align_up(size_t v, size_t a) { return a ? (v + a - 1) / a * a : v; }

// Bytes covered by a changing set of [begin, end) intervals over fixed coordinates: a segment tree
// whose nodes count how many intervals cover them whole (the classic union-length tree), so adding
// or removing an interval costs O(log k) where re-sorting the live set each time cost O(k log k)
// (a Concat of 5,000 inputs produced in place was O(k^2 log k)).
class CoveredBytes {
 public:
  explicit CoveredBytes(std::vector<size_t> coords) : x_(std::move(coords)) {
    std::sort(x_.begin(), x_.end());
    x_.erase(std::unique(x_.begin(), x_.end()), x_.end());
    const size_t leaves = x_.size() > 1 ? x_.size() - 1 : 1;
    count_.assign(4 * leaves, 0);
    len_.assign(4 * leaves, 0);
  }
  void add(size_t b, size_t e, int delta) {
    if (b >= e) return;
    update(1, 0, x_.size() - 1, index(b), index(e), delta);
  }
  size_t total() const { return len_[1]; }

 private:
  size_t index(size_t v) const { return static_cast<size_t>(std::lower_bound(x_.begin(), x_.end(), v) - x_.begin()); }
  // node covers elementary intervals [lo, hi) of x_; the update covers [b, e)
  void update(size_t node, size_t lo, size_t hi, size_t b, size_t e, int delta) {
    if (e <= lo || hi <= b || lo >= hi) return;
    if (b <= lo && hi <= e) {
      count_[node] += delta;
    } else {
      const size_t mid = (lo + hi) / 2;
      update(2 * node, lo, mid, b, e, delta);
      update(2 * node + 1, mid, hi, b, e, delta);
    }
    if (count_[node] > 0)
      len_[node] = x_[hi] - x_[lo];
    else if (hi - lo == 1)
      len_[node] = 0;
    else
      len_[node] = len_[2 * node] + len_[2 * node + 1];
  }
  std::vector<size_t> x_;
  std::vector<int> count_;
  std::vector<size_t> len_;
};

size_t lower_bound(const std::vector<BufferRequest>& reqs) {
  int steps = 0;
  for (const auto& r : reqs) steps = std::max(steps, r.last + 1);
  auto lb = live_bytes(reqs, steps);
  return lb.empty() ? 0 : *std::max_element(lb.begin(), lb.end());
}

// Per step, each compound (anchor chain) counts the bytes its live members cover, since they are
// placed at fixed distances from one another: the largest live member for requests sharing one
// offset, the live slices plus the output for a Concat whose inputs are produced in place.
// A compound of one request adds its size over its lifetime (a difference array); a larger one is
// swept over its own steps only, recomputing the covered bytes where its live set changes.
std::vector<size_t> live_bytes(const std::vector<BufferRequest>& reqs, int steps) {
  const auto n = static_cast<size_t>(std::max(steps, 0));
  std::vector<size_t> live(n, 0), diff(n + 1, 0);  // unsigned wrap-around cancels in the prefix sum
  std::vector<std::vector<size_t>> members(reqs.size());
  std::vector<size_t> rel;
  compound_roots(reqs, nullptr, &rel, &members);
  for (auto& mem : members) {
    if (mem.empty()) continue;
    if (mem.size() == 1) {
      const BufferRequest& r = reqs[mem[0]];
      const int a = std::max(r.first, 0), b = std::min(r.last, static_cast<int>(n) - 1);
      if (r.size == 0 || a > b) continue;
      diff[static_cast<size_t>(a)] += r.size;
      diff[static_cast<size_t>(b) + 1] -= r.size;
      continue;
    }
    // A compound: its members' intervals enter the covered set at their first step and leave
    // after their last one, swept over the compound's own steps.
    int lo = INT_MAX, hi = -1;
    std::vector<size_t> coords;
    for (size_t i : mem) {
      lo = std::min(lo, reqs[i].first);
      hi = std::max(hi, reqs[i].last);
      coords.push_back(rel[i]);
      coords.push_back(rel[i] + reqs[i].size);
    }
    lo = std::max(lo, 0);
    hi = std::min(hi, static_cast<int>(n) - 1);
    if (lo > hi) continue;
    std::vector<std::pair<int, size_t>> enter, leave;  // (step, member)
    for (size_t i : mem) {
      if (!reqs[i].size || reqs[i].last < lo || reqs[i].first > reqs[i].last) continue;
      enter.emplace_back(std::max(reqs[i].first, lo), i);
      leave.emplace_back(reqs[i].last + 1, i);
    }
    std::sort(enter.begin(), enter.end());
    std::sort(leave.begin(), leave.end());
    CoveredBytes cov(std::move(coords));
    size_t ei = 0, li = 0;
    for (int s = lo; s <= hi; ++s) {
      for (; li < leave.size() && leave[li].first <= s; ++li)
        cov.add(rel[leave[li].second], rel[leave[li].second] + reqs[leave[li].second].size, -1);
      for (; ei < enter.size() && enter[ei].first <= s; ++ei)
        cov.add(rel[enter[ei].second], rel[enter[ei].second] + reqs[enter[ei].second].size, +1);
      live[static_cast<size_t>(s)] += cov.total();
    }
  }
  size_t run = 0;
  for (size_t s = 0; s < n; ++s) live[s] += (run += diff[s]);
  return live;
}

std::string find_overlap(const std::vector<BufferRequest>& reqs, const std::vector<size_t>& off) {
  std::vector<size_t> root, rel;
  compound_roots(reqs, &root, &rel, nullptr);
  // Members of one compound keep their fixed distances.
  for (size_t i = 0; i < reqs.size(); ++i)
    if (reqs[i].size && root[i] != i && off[i] != off[root[i]] + rel[i])
      return fmt::format("anchored '{}' and '{}' do not share an offset", reqs[root[i]].name, reqs[i].name);
  // Requests in order of offset: a pair can only overlap in memory if the later one starts below
  // the earlier one's end, so each request is compared with those still "open" in address space.
  std::vector<size_t> by_off;
  for (size_t i = 0; i < reqs.size(); ++i)
    if (reqs[i].size) by_off.push_back(i);
  std::sort(by_off.begin(), by_off.end(), [&](size_t a, size_t b) { return off[a] < off[b] || (off[a] == off[b] && a < b); });
  for (size_t x = 0; x < by_off.size(); ++x)
    for (size_t y = x + 1; y < by_off.size() && off[by_off[y]] < off[by_off[x]] + reqs[by_off[x]].size; ++y) {
      const size_t i = std::min(by_off[x], by_off[y]), j = std::max(by_off[x], by_off[y]);
      if (!time_overlap(reqs[i], reqs[j]) || root[i] == root[j]) continue;
      return fmt::format("'{}' [{}, {}) overlaps '{}' [{}, {}) while both are live", reqs[i].name, off[i],
                         off[i] + reqs[i].size, reqs[j].name, off[j], off[j] + reqs[j].size);
    }
  return "";
}

// The compounds of a request list, computed once for the many orders place_exhaustive tries.
struct Compounds {
  std::vector<std::vector<size_t>> members;
  std::vector<size_t> rel, root_of_req;
  explicit Compounds(const std::vector<BufferRequest>& reqs) { compound_roots(reqs, &root_of_req, &rel, &members); }
};

// Places requests in `order` (an anchored request is placed with its chain's root, at its fixed
// distance from it; the chain goes at the lowest base offset where no member collides); returns
// offsets indexed like `reqs`.
static Placement place_in_order(const std::vector<BufferRequest>& reqs, const std::vector<size_t>& order,
                                const char* name, const Compounds& c) {
  Placement p;
  p.algorithm = name;
  p.offsets.assign(reqs.size(), 0);
  const std::vector<std::vector<size_t>>& members = c.members;
  const std::vector<size_t>&rel = c.rel, &root_of_req = c.root_of_req;
  std::vector<size_t> placed;
  std::vector<bool> done(reqs.size(), false);
  std::vector<std::pair<int64_t, int64_t>> forbidden;
  for (size_t idx : order) {
    const size_t root = root_of_req[idx];
    if (done[root]) continue;
    done[root] = true;
    // The lowest aligned base at which no member collides with a placed request live at the same
    // time: every such pair forbids the bases in one interval [lo, hi); sweep them in order of lo
    // (O(k log k) for k conflicts, where trying each interval end as a candidate was O(k^2)).
    size_t align = 1;
    for (size_t m : members[root]) align = std::max(align, reqs[m].align);
    size_t off = 0;
    if (members[root].size() == 1) {
      // One request: the intervals come in offset order from `placed` (kept sorted by offset), and
      // the sweep stops at the first placed request that starts above the candidate's end.
      const size_t m = members[root][0];
      if (reqs[m].size)
        for (size_t q : placed) {
          if (p.offsets[q] >= off + rel[m] + reqs[m].size) break;
          if (!reqs[q].size || !time_overlap(reqs[m], reqs[q])) continue;
          const size_t end = p.offsets[q] + reqs[q].size;
          if (end > off + rel[m]) off = align_up(end - rel[m], align);
        }
    } else {
      forbidden.clear();
      for (size_t m : members[root]) {
        if (!reqs[m].size) continue;
        for (size_t q : placed)
          if (reqs[q].size && time_overlap(reqs[m], reqs[q])) {
            // base + rel[m] < off[q] + size[q]  and  off[q] < base + rel[m] + size[m]
            const auto hi = static_cast<int64_t>(p.offsets[q] + reqs[q].size) - static_cast<int64_t>(rel[m]);
            const auto lo = static_cast<int64_t>(p.offsets[q]) - static_cast<int64_t>(rel[m] + reqs[m].size) + 1;
            if (hi > 0) forbidden.emplace_back(lo, hi);
          }
      }
      std::sort(forbidden.begin(), forbidden.end());
      for (const auto& [lo, hi] : forbidden) {
        if (lo > static_cast<int64_t>(off)) break;
        if (hi > static_cast<int64_t>(off)) off = align_up(static_cast<size_t>(hi), align);
      }
    }
    for (size_t m : members[root]) {
      p.offsets[m] = off + rel[m];
      p.arena = std::max(p.arena, off + rel[m] + reqs[m].size);
      placed.insert(std::upper_bound(placed.begin(), placed.end(), m,
                                     [&](size_t a, size_t b) { return p.offsets[a] < p.offsets[b]; }),
                    m);
    }
  }
  return p;
}

static Placement place_in_order(const std::vector<BufferRequest>& reqs, const std::vector<size_t>& order,
                                const char* name) {
  return place_in_order(reqs, order, name, Compounds(reqs));
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
  // pressure: the most bytes live at any step of the request's life, a range maximum (a sparse
  // table: O(1) per request, where scanning each life was O(steps) for long-lived requests)
  std::vector<std::vector<size_t>> table{live};
  for (size_t w = 1; 2 * w <= live.size(); w *= 2) {
    const std::vector<size_t>& prev = table.back();
    std::vector<size_t> next(live.size() - 2 * w + 1);
    for (size_t k = 0; k < next.size(); ++k) next[k] = std::max(prev[k], prev[k + w]);
    table.push_back(std::move(next));
  }
  std::vector<size_t> pressure(reqs.size(), 0);
  for (size_t i = 0; i < reqs.size(); ++i) {
    const int a = std::max(reqs[i].first, 0), b = std::min(reqs[i].last, steps - 1);
    if (a > b) continue;
    const auto len = static_cast<size_t>(b - a + 1);
    size_t level = 0;
    while ((size_t{2} << level) <= len) ++level;
    const std::vector<size_t>& row = table[level];
    pressure[i] = std::max(row[static_cast<size_t>(a)], row[static_cast<size_t>(b) + 1 - (size_t{1} << level)]);
  }
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
  // (8! orders: the compounds are computed once, and the search stops at the first order that
  // reaches the lower bound, which no later order can beat: the result is the full search's)
  const Compounds c(reqs);
  const size_t bound = lower_bound(reqs);
  auto o = iota_order(reqs.size());
  best = place_in_order(reqs, o, "exhaustive", c);
  while (best.arena > bound && std::next_permutation(o.begin(), o.end())) {
    Placement p = place_in_order(reqs, o, "exhaustive", c);
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
