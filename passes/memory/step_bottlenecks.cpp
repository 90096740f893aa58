// Memory step "bottlenecks": channel-streamed inverted bottlenecks (passes/bottleneck.h). From the
// planned model, fuses the int8 expand -> depthwise -> project chains and the float expand ->
// depthwise chains at the arena's peak and re-plans,
// round by round while the arena shrinks (--fuse-bottlenecks auto), or every chain (all).
#include <algorithm>

#include "passes/bottleneck.h"
#include "passes/memory/steps.h"

namespace ferrite::memory {

namespace {

// The steps of the highest live bytes of a plan.
size_t peak_bytes(const MemoryPlan& p) { return p.live.empty() ? 0 : *std::max_element(p.live.begin(), p.live.end()); }

// --fuse-bottlenecks: starting from the planned model `m` (lowered copy `unplanned`), fuses the
// inverted bottlenecks at the peak (auto: round by round while the arena shrinks) or all of them.
}  // namespace

Status fuse_bottlenecks(CompiledModel& m, CompiledModel unplanned, const MemoryOptions& o) {
  if (o.fuse == FuseBottlenecks::Off) return Status::ok();
  for (;;) {
    const size_t from = m.patch ? m.patch->spec.stage : 0;
    std::vector<std::pair<size_t, size_t>> chains;  // first node, node count (3: int8, 2: float expand + dw)
    auto consider = [&](size_t c, size_t len) {
      const size_t peak = peak_bytes(m.plan);
      bool at_peak = c + len <= m.plan.live.size();
      if (at_peak) {
        size_t hi = 0;
        for (size_t k = c; k < c + len; ++k) hi = std::max(hi, m.plan.live[k]);
        at_peak = hi == peak;
      }
      if (o.fuse == FuseBottlenecks::All || at_peak) chains.emplace_back(c, len);
    };
    for (size_t c : find_bottlenecks(unplanned.graph, unplanned.lowered, from)) consider(c, 3);
    for (size_t c : find_expand_dw_f32(unplanned.graph, unplanned.lowered, from)) consider(c, 2);
    if (chains.empty()) return Status::ok();
    std::sort(chains.begin(), chains.end());
    CompiledModel next = unplanned;
    std::vector<std::string> notes;
    for (auto it = chains.rbegin(); it != chains.rend(); ++it) {  // back to front: indices stay valid
      if (it->second == 2) {
        notes.insert(notes.begin(), fuse_expand_dw_f32(next.graph, next.lowered, it->first));
        continue;
      }
      auto note = fuse_bottleneck(next.graph, next.lowered, it->first, next.target);
      if (!note) return note.error();
      notes.insert(notes.begin(), std::move(*note));
    }
    CompiledModel trial = next;
    FERRITE_TRY(plan_with_patches(trial, o));
    if (o.fuse == FuseBottlenecks::Auto && trial.plan.arena_bytes >= m.plan.arena_bytes) return Status::ok();
    notes.insert(notes.begin(), m.fused_notes.begin(), m.fused_notes.end());
    unplanned = std::move(next);
    m = std::move(trial);
    m.fused_notes = std::move(notes);
    if (o.fuse == FuseBottlenecks::All) return Status::ok();
  }
}

Status step_bottlenecks(State& s, const MemoryOptions& o) { return fuse_bottlenecks(s.m, s.unplanned, o); }

}  // namespace ferrite::memory
