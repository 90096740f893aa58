// Execution-order search (see schedule.h). Candidate orders: the model's, two greedy list schedules
// and an exact dynamic program over sets of scheduled nodes. The greedy and exact ones are steered by
// a cheap pre-score, the peak of live tensor bytes with aliases and in-place writes modelled the way
// the planner does them; every distinct order is then planned for real and the smallest arena wins.
//
// Why the exact search works on sets: after a set S of nodes has run, which tensors are still live
// depends only on S (a tensor dies once all its readers are in S), not on the order inside S. So the
// best peak over all orders of S extends one node at a time:
//   peak(S + v) = min over v ready after S of max(peak(S), live(S) + bytes v adds while it runs).
// The sets reachable this way are the graph's down-sets: few for a chain (n + 1), (n/k + 1)^k for k
// parallel branches of n/k nodes. Past the state budget each step keeps its best sets only.
#include "passes/schedule.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <tuple>

namespace ferrite {

namespace {

// A set of nodes as bits.
using Bits = std::vector<uint64_t>;
void add(Bits& b, size_t i) { b[i / 64] |= uint64_t{1} << (i % 64); }
bool subset(const Bits& a, const Bits& b) {
  for (size_t w = 0; w < a.size(); ++w)
    if (a[w] & ~b[w]) return false;
  return true;
}

// The pre-score's view of the graph. Tensors form storage groups as in the planner (an alias output
// joins its input's group; groups are named by their root tensor); a group is allocated when its
// root is produced and freed when every node reading it has run, unless it holds a graph output.
class CostModel {
 public:
  // `dense`: also the per-node bit sets the exact search needs (preds(), step() without
  // `remaining`): n^2/8 bytes each, 2.5 GB for a 100,000-node chain, so only for small graphs.
  CostModel(const Graph& g, const std::vector<Lowered>& lowered, const PlanOptions& plan, bool dense)
      : g_(g), lowered_(lowered), plan_(plan), n_(g.nodes.size()), words_((n_ + 63) / 64) {
    const size_t nt = g.tensors.size();
    group_.assign(nt, -1);
    std::vector<int> producer(nt, -1);
    for (TensorId i : g.inputs) group_[static_cast<size_t>(i)] = i;
    for (size_t v = 0; v < n_; ++v) {
      const Node& nd = g.nodes[v];
      for (size_t k = 0; k < nd.outputs.size(); ++k) {
        const TensorId o = nd.outputs[k];
        producer[static_cast<size_t>(o)] = static_cast<int>(v);
        const TensorId in = nd.inputs.empty() ? kNoTensor : nd.inputs[0];
        const bool alias = lowered[v].alias && k == 0 && in != kNoTensor && !g.t(in).is_constant();
        group_[static_cast<size_t>(o)] = alias ? group_[static_cast<size_t>(in)] : o;
      }
    }
    bytes_.assign(nt, 0);
    if (dense) readers_.assign(nt, Bits(words_, 0));
    pinned_.assign(nt, false);
    external_.assign(nt, false);
    if (plan.caller_owned_inputs)
      for (TensorId i : g.inputs) external_[static_cast<size_t>(i)] = true;
    for (size_t t = 0; t < nt; ++t)
      if (group_[t] >= 0 && !g.tensors[t].is_constant()) {
        const auto r = static_cast<size_t>(group_[t]);
        bytes_[r] = std::max(bytes_[r], g.tensors[t].bytes());
      }
    for (TensorId o : g.outputs)
      if (group_[static_cast<size_t>(o)] >= 0) pinned_[static_cast<size_t>(group_[static_cast<size_t>(o)])] = true;
    if (dense) preds_.assign(n_, Bits(words_, 0));
    pred_list_.assign(n_, {});
    succs_.assign(n_, {});
    creates_.assign(n_, {});
    reads_.assign(n_, {});
    reader_count_.assign(nt, 0);
    group_readers_.assign(nt, {});
    for (size_t v = 0; v < n_; ++v) {
      const Node& nd = g.nodes[v];
      for (TensorId in : nd.inputs) {
        if (in == kNoTensor || g.t(in).is_constant()) continue;
        const int p = producer[static_cast<size_t>(in)];
        auto& pl = pred_list_[v];
        if (p >= 0 && std::find(pl.begin(), pl.end(), static_cast<size_t>(p)) == pl.end()) {
          if (dense) add(preds_[v], static_cast<size_t>(p));
          pl.push_back(static_cast<size_t>(p));
          succs_[static_cast<size_t>(p)].push_back(v);
        }
        const int r = group_[static_cast<size_t>(in)];
        if (r < 0) continue;
        if (dense) add(readers_[static_cast<size_t>(r)], v);
        if (std::find(reads_[v].begin(), reads_[v].end(), r) == reads_[v].end()) {
          reads_[v].push_back(r);
          ++reader_count_[static_cast<size_t>(r)];  // distinct reading nodes
          group_readers_[static_cast<size_t>(r)].push_back(v);
        }
      }
      for (TensorId o : nd.outputs)
        if (group_[static_cast<size_t>(o)] == o) creates_[v].push_back(o);
    }
    for (TensorId i : g.inputs)
      if (!external_[static_cast<size_t>(i)]) initial_live_ += bytes_[static_cast<size_t>(i)];
  }

  size_t nodes() const { return n_; }
  size_t words() const { return words_; }
  size_t initial_live() const { return initial_live_; }
  const Bits& preds(size_t v) const { return preds_[v]; }
  const std::vector<size_t>& pred_list(size_t v) const { return pred_list_[v]; }
  const std::vector<size_t>& succs(size_t v) const { return succs_[v]; }
  // Per group root: how many nodes read it (a list schedule counts them down as they run, so that
  // step() tells in O(1) whether a group dies, where scanning the reader bits is O(nodes)).
  const std::vector<uint32_t>& reader_count() const { return reader_count_; }
  void ran(size_t v, std::vector<uint32_t>& remaining) const {
    for (int r : reads_[v]) --remaining[static_cast<size_t>(r)];
  }
  // The same, calling last_reader(w) for each reader w of a group whose count drops to one: with
  // `remaining`, step(w) depends on nothing else that running v changes.
  template <typename F>
  void ran(size_t v, std::vector<uint32_t>& remaining, F&& last_reader) const {
    for (int r : reads_[v])
      if (--remaining[static_cast<size_t>(r)] == 1)
        for (size_t w : group_readers_[static_cast<size_t>(r)]) last_reader(w);
  }

  struct Step {
    size_t during = 0;  // live bytes while v runs (inputs, outputs and scratch)
    size_t after = 0;   // live bytes once it has run
  };

  // Running v after the set `done` (whose live bytes are `live`). `remaining`, when given, holds
  // the readers of each group not in `done` (reader_count() minus those run, see ran()).
  Step step(const Bits& done, size_t live, size_t v, const std::vector<uint32_t>* remaining = nullptr) const {
    const Node& nd = g_.nodes[v];
    const Lowered& l = lowered_[v];
    auto dies_here = [&](int r) {  // every other reader of group r has run, and r is no graph output
      if (pinned_[static_cast<size_t>(r)]) return false;
      if (remaining) return (*remaining)[static_cast<size_t>(r)] == 1;  // v itself reads r
      const Bits& rd = readers_[static_cast<size_t>(r)];
      for (size_t w = 0; w < words_; ++w) {
        uint64_t rest = rd[w] & ~done[w];
        if (w == v / 64) rest &= ~(uint64_t{1} << (v % 64));
        if (rest) return false;
      }
      return true;
    };
    size_t out = 0, freed = 0;
    for (int r : creates_[v]) {
      const auto ur = static_cast<size_t>(r);
      out += bytes_[ur];
      const bool unread = !pinned_[ur] && reader_count_[ur] == 0;  // lives for its own step only
      if (unread) freed += bytes_[ur];
    }
    for (int r : reads_[v])
      if (!external_[static_cast<size_t>(r)] && dies_here(r)) freed += bytes_[static_cast<size_t>(r)];
    size_t scratch = l.scratch_bytes;
    size_t during = live + out;
    // In place, as the planner decides it: output 0 reuses the input's storage when it dies here.
    const bool variant = !l.inplace_calls.empty();
    if (!l.alias && l.inplace_input >= 0 && (variant ? plan_.inplace_depthwise : plan_.inplace) &&
        static_cast<size_t>(l.inplace_input) < nd.inputs.size() && !nd.outputs.empty()) {
      const TensorId in = nd.inputs[static_cast<size_t>(l.inplace_input)];
      const int r = in == kNoTensor || g_.t(in).is_constant() ? -1 : group_[static_cast<size_t>(in)];
      int reads = 0;
      for (TensorId i2 : nd.inputs) reads += i2 != kNoTensor && group_[static_cast<size_t>(i2)] == r;
      const TensorId o = nd.outputs[0];
      if (r >= 0 && !external_[static_cast<size_t>(r)] && reads == 1 && dies_here(r) &&
          g_.t(in).bytes() >= g_.t(o).bytes() && group_[static_cast<size_t>(o)] == o) {
        during -= bytes_[static_cast<size_t>(o)];
        if (variant) scratch = l.inplace_scratch_bytes;
      }
    }
    return {during + scratch, live + out - freed};
  }

 private:
  const Graph& g_;
  const std::vector<Lowered>& lowered_;
  const PlanOptions& plan_;
  size_t n_, words_;
  std::vector<int> group_;     // per tensor: its group's root tensor, -1 for constants and unused
  std::vector<size_t> bytes_;  // per root: the group's size
  std::vector<Bits> readers_;  // per root: nodes reading a tensor of the group
  std::vector<bool> pinned_, external_;  // per root: holds a graph output; caller-owned input
  std::vector<Bits> preds_;               // per node: nodes producing its inputs
  std::vector<std::vector<size_t>> pred_list_;
  std::vector<std::vector<size_t>> succs_;
  std::vector<std::vector<int>> creates_, reads_;  // per node: groups it starts; distinct groups it reads
  std::vector<uint32_t> reader_count_;            // per root: nodes reading the group
  std::vector<std::vector<size_t>> group_readers_;  // per root: those nodes
  size_t initial_live_ = 0;
};

// Peak live bytes of one order under the cost model.
size_t live_peak(const CostModel& cm, const std::vector<size_t>& order) {
  Bits done(cm.words(), 0);
  std::vector<uint32_t> remaining = cm.reader_count();
  size_t live = cm.initial_live(), peak = live;
  for (size_t v : order) {
    const auto st = cm.step(done, live, v, &remaining);
    peak = std::max(peak, st.during);
    live = st.after;
    add(done, v);
    cm.ran(v, remaining);
  }
  return peak;
}

// A list schedule: repeatedly runs the ready node that `pick` prefers (it sees the ready nodes in
// model order and returns a position among them). Readiness is counted (predecessors not yet run)
// and each group's readers counted down, so a step costs O(its inputs), not O(nodes).
template <typename Pick>
std::vector<size_t> list_schedule(const CostModel& cm, Pick pick) {
  const size_t n = cm.nodes();
  Bits done(cm.words(), 0);
  std::vector<size_t> order, ready;  // ready: ascending
  std::vector<size_t> waiting(n);
  for (size_t v = 0; v < n; ++v) {
    waiting[v] = cm.pred_list(v).size();
    if (!waiting[v]) ready.push_back(v);
  }
  std::vector<uint32_t> remaining = cm.reader_count();
  size_t live = cm.initial_live();
  while (!ready.empty()) {
    const size_t at = pick(done, live, ready, order, remaining);
    const size_t v = ready[at];
    ready.erase(ready.begin() + static_cast<std::ptrdiff_t>(at));
    live = cm.step(done, live, v, &remaining).after;
    add(done, v);
    cm.ran(v, remaining);
    order.push_back(v);
    for (size_t w : cm.succs(v))
      if (--waiting[w] == 0) ready.insert(std::upper_bound(ready.begin(), ready.end(), w), w);
  }
  return order;
}

// Greedy: the ready node that grows the live bytes least (frees the most), then the one with the
// lowest peak while it runs, then model order. Given the readers left per group, a node's growth
// depends only on which of the groups it reads are down to their last reader: the ready nodes are
// kept in a set ordered by (growth, peak growth, node), and a node's key is recomputed when one of
// its groups gets there, so a step costs O(log n) rather than a step() per ready node (a graph
// with 5,000 parallel branches was 25 million of them).
std::vector<size_t> greedy_min_growth(const CostModel& cm) {
  const size_t n = cm.nodes();
  Bits done(cm.words(), 0);
  std::vector<uint32_t> remaining = cm.reader_count();
  size_t live = cm.initial_live();
  using Key = std::tuple<int64_t, int64_t, size_t>;
  std::set<Key> ready;
  std::vector<Key> key_of(n);
  std::vector<bool> is_ready(n, false);
  auto key = [&](size_t v) {
    const CostModel::Step st = cm.step(done, live, v, &remaining);
    // both relative to `live`, which is the same for every ready node (wrap-around: signed deltas)
    return Key{static_cast<int64_t>(st.after - live), static_cast<int64_t>(st.during - live), v};
  };
  auto make_ready = [&](size_t v) {
    key_of[v] = key(v);
    ready.insert(key_of[v]);
    is_ready[v] = true;
  };
  std::vector<size_t> waiting(n), order;
  for (size_t v = 0; v < n; ++v)
    if (!(waiting[v] = cm.pred_list(v).size())) make_ready(v);
  while (!ready.empty()) {
    const size_t v = std::get<2>(*ready.begin());
    ready.erase(ready.begin());
    is_ready[v] = false;
    live = cm.step(done, live, v, &remaining).after;
    add(done, v);
    cm.ran(v, remaining, [&](size_t w) {
      if (!is_ready[w]) return;
      ready.erase(key_of[w]);
      make_ready(w);
    });
    order.push_back(v);
    for (size_t w : cm.succs(v))
      if (--waiting[w] == 0) make_ready(w);
  }
  return order;
}

// Depth first: finish the branch just worked on before starting another -- the ready node whose
// most recently run producer ran last; then model order.
std::vector<size_t> depth_first(const CostModel& cm) {
  std::vector<long> ran_at(cm.nodes(), -1);
  return list_schedule(cm, [&](const Bits&, size_t, const std::vector<size_t>& ready, const std::vector<size_t>& order,
                               const std::vector<uint32_t>&) {
    if (!order.empty()) ran_at[order.back()] = static_cast<long>(order.size()) - 1;
    auto recency = [&](size_t v) {
      long r = -1;
      for (size_t p : cm.pred_list(v)) r = std::max(r, ran_at[p]);
      return r;
    };
    size_t best = 0;
    long br = recency(ready[0]);
    for (size_t i = 1; i < ready.size(); ++i)
      if (const long r = recency(ready[i]); r > br) best = i, br = r;
    return best;
  });
}

struct ExactResult {
  std::vector<size_t> order;
  size_t states = 0;
  bool complete = true;
};

// The dynamic program over down-sets described at the top of this file, examining about `budget`
// sets (past it, a beam: each step keeps its best sets only). Ties on the peak go to the
// smaller sum of live bytes over the steps so far (less pressure, less fragmentation for the
// placement), then to the first one found (sets are visited in a fixed order: deterministic).
ExactResult exact_order(const CostModel& cm, size_t budget) {
  const size_t n = cm.nodes();
  struct State {
    Bits done;
    size_t live = 0, peak = 0, sum = 0;
    size_t parent = 0, node = 0;  // index in the previous step's states, node run last
    std::vector<size_t> ready;    // nodes ready after `done`, ascending
  };
  ExactResult res;
  std::vector<std::vector<std::pair<size_t, size_t>>> trail;  // per step: (parent, node) of each kept state
  std::vector<State> layer(1);
  layer[0].done.assign(cm.words(), 0);
  layer[0].live = layer[0].peak = cm.initial_live();
  for (size_t v = 0; v < n; ++v)
    if (subset(cm.preds(v), layer[0].done)) layer[0].ready.push_back(v);
  res.states = 1;
  for (size_t k = 0; k < n; ++k) {
    std::map<Bits, size_t> index;
    std::vector<State> next;
    for (size_t si = 0; si < layer.size(); ++si) {
      const State& s = layer[si];
      for (size_t v : s.ready) {
        const auto st = cm.step(s.done, s.live, v);
        const size_t peak = std::max(s.peak, st.during), sum = s.sum + st.during;
        Bits done = s.done;
        add(done, v);
        auto it = index.find(done);
        if (it != index.end()) {
          State& o = next[it->second];
          if (peak < o.peak || (peak == o.peak && sum < o.sum)) {
            o.peak = peak;
            o.sum = sum;
            o.parent = si;
            o.node = v;
          }
          continue;
        }
        State ns;
        ns.live = st.after;
        ns.peak = peak;
        ns.sum = sum;
        ns.parent = si;
        ns.node = v;
        for (size_t r : s.ready)
          if (r != v) ns.ready.push_back(r);
        for (size_t w : cm.succs(v))
          if (subset(cm.preds(w), done)) ns.ready.insert(std::upper_bound(ns.ready.begin(), ns.ready.end(), w), w);
        ns.done = std::move(done);
        index.emplace(ns.done, next.size());
        next.push_back(std::move(ns));
      }
    }
    res.states += next.size();
    // Spread what is left of the budget over the steps still to come: each kept set spawns about
    // as many sets as at this step, so the search examines about `budget` sets in all.
    const size_t left = budget > res.states ? budget - res.states : 0;
    const double spawn = static_cast<double>(next.size()) / static_cast<double>(layer.size());
    const double to_come = static_cast<double>(n - k - 1) * spawn;
    const size_t cap = to_come > 0 ? std::max<size_t>(1, static_cast<size_t>(static_cast<double>(left) / to_come))
                                   : next.size();
    if (next.size() > cap) {  // over budget: keep the best sets (a beam)
      res.complete = false;
      std::vector<size_t> keep(next.size());
      std::iota(keep.begin(), keep.end(), size_t{0});
      std::stable_sort(keep.begin(), keep.end(), [&](size_t a, size_t b) {
        if (next[a].peak != next[b].peak) return next[a].peak < next[b].peak;
        if (next[a].live != next[b].live) return next[a].live < next[b].live;
        return next[a].done < next[b].done;
      });
      keep.resize(cap);
      std::sort(keep.begin(), keep.end());
      std::vector<State> kept;
      for (size_t i : keep) kept.push_back(std::move(next[i]));
      next = std::move(kept);
    }
    trail.emplace_back();
    for (const State& s : next) trail.back().emplace_back(s.parent, s.node);
    layer = std::move(next);
  }
  // One set holds every node; walk its parents back.
  res.order.resize(n);
  size_t at = 0;
  for (size_t k = n; k-- > 0;) {
    res.order[k] = trail[k][at].second;
    at = trail[k][at].first;
  }
  return res;
}

// A copy of g for planning candidate orders: constant tensors keep their shape but not their bytes
// (the planner never reads them), so scoring an order does not copy the weights.
Graph planning_skeleton(const Graph& g) {
  Graph s;
  s.name = g.name;
  s.numerics = g.numerics;
  s.inputs = g.inputs;
  s.outputs = g.outputs;
  s.tensors.reserve(g.tensors.size());
  for (const Tensor& t : g.tensors) {
    Tensor c;
    c.name = t.name;
    c.dtype = t.dtype;
    c.shape = t.shape;
    c.nhwc = t.nhwc;
    if (t.is_constant()) c.data = std::vector<uint8_t>{};
    s.tensors.push_back(std::move(c));
  }
  return s;
}

bool single_order(const CostModel& cm) {
  // Exactly one node is ready at every step (Kahn's algorithm with a count of the ready nodes).
  const size_t n = cm.nodes();
  std::vector<size_t> waiting(n), ready;
  for (size_t v = 0; v < n; ++v)
    if (!(waiting[v] = cm.pred_list(v).size())) ready.push_back(v);
  for (size_t k = 0; k < n; ++k) {
    if (ready.size() != 1) return false;
    const size_t v = ready.back();
    ready.pop_back();
    for (size_t w : cm.succs(v))
      if (--waiting[w] == 0) ready.push_back(w);
  }
  return true;
}

}  // namespace

bool is_topological(const Graph& g, const std::vector<size_t>& order) {
  if (order.size() != g.nodes.size()) return false;
  std::vector<bool> seen(g.nodes.size(), false), defined(g.tensors.size(), false);
  for (TensorId i : g.inputs) defined[static_cast<size_t>(i)] = true;
  for (size_t t = 0; t < g.tensors.size(); ++t) defined[t] = defined[t] || g.tensors[t].is_constant();
  for (size_t v : order) {
    if (v >= g.nodes.size() || seen[v]) return false;
    seen[v] = true;
    for (TensorId in : g.nodes[v].inputs)
      if (in != kNoTensor && !defined[static_cast<size_t>(in)]) return false;
    for (TensorId o : g.nodes[v].outputs) defined[static_cast<size_t>(o)] = true;
  }
  return true;
}

void apply_schedule(Graph& g, std::vector<Lowered>& lowered, const std::vector<size_t>& order) {
  std::vector<Node> nodes;
  std::vector<Lowered> low;
  nodes.reserve(order.size());
  low.reserve(order.size());
  for (size_t v : order) {
    nodes.push_back(std::move(g.nodes[v]));
    low.push_back(std::move(lowered[v]));
  }
  g.nodes = std::move(nodes);
  lowered = std::move(low);
}

Expected<ScheduleResult> choose_schedule(const Graph& g, const std::vector<Lowered>& lowered, const PlanOptions& plan,
                                         const ScheduleOptions& opts) {
  if (lowered.size() != g.nodes.size())
    return make_error("internal error: {} lowered nodes for {} graph nodes", lowered.size(), g.nodes.size());
  const CostModel cm(g, lowered, plan, opts.search && g.nodes.size() <= opts.max_exact_nodes);
  ScheduleResult res;
  res.order.resize(g.nodes.size());
  std::iota(res.order.begin(), res.order.end(), size_t{0});
  res.single_order = single_order(cm);
  res.searched = opts.search && !res.single_order;
  res.search = !opts.search ? "off" : res.single_order ? "single-order" : "";

  std::vector<std::pair<std::string, std::vector<size_t>>> gen = {{"model", res.order}};
  if (res.searched) {
    gen.emplace_back("depth-first", depth_first(cm));
    gen.emplace_back("greedy-min-growth", greedy_min_growth(cm));
    if (g.nodes.size() <= opts.max_exact_nodes) {
      ExactResult ex = exact_order(cm, opts.state_budget);
      res.states = ex.states;
      res.search = ex.complete ? "exact" : "beam";
      gen.emplace_back(ex.complete ? "exact" : "beam", std::move(ex.order));
    } else {
      res.search = "greedy";
    }
  }

  // Plan every distinct order; the smallest arena wins, ties keep the earlier one.
  Graph sk = planning_skeleton(g);
  std::vector<Lowered> low;
  size_t best = 0;
  std::vector<std::vector<size_t>> orders;  // per candidate
  for (size_t c = 0; c < gen.size(); ++c) {
    const auto& [name, order] = gen[c];
    if (!is_topological(g, order))
      return make_error("internal error: schedule '{}' breaks a data dependency", name);
    ScheduleCandidate cand;
    cand.name = name;
    cand.live_peak = live_peak(cm, order);
    const auto same = std::find(orders.begin(), orders.end(), order);
    if (same != orders.end()) {
      const ScheduleCandidate& first = res.candidates[static_cast<size_t>(same - orders.begin())];
      cand.arena_bytes = first.arena_bytes;
      cand.same_as = first.name;
    } else {
      sk.nodes.clear();
      low.clear();
      for (size_t v : order) {
        sk.nodes.push_back(g.nodes[v]);
        low.push_back(lowered[v]);
      }
      auto p = plan_memory(sk, low, plan);
      if (!p) return p.error();
      cand.arena_bytes = p->arena_bytes;
      ++res.orders_evaluated;
    }
    orders.push_back(order);
    res.candidates.push_back(cand);
    if (cand.arena_bytes < res.candidates[best].arena_bytes) best = c;
  }
  res.model_arena_bytes = res.candidates[0].arena_bytes;
  res.arena_bytes = res.candidates[best].arena_bytes;
  res.order = gen[best].second;
  res.chosen = res.reordered() ? gen[best].first : "model";
  return res;
}

}  // namespace ferrite
