// Memory step "schedule": the execution order. With branches, the order that gives the smallest
// arena (--schedule auto, passes/schedule.h). It runs on the lowered graph because in-place and
// scratch decisions depend on the order, and before the patch search, whose stages are prefixes
// of the order.
#include "passes/memory/steps.h"

namespace ferrite::memory {

Status step_schedule(State& s, const MemoryOptions& o) {
  CompiledModel& m = s.m;
  auto sched = choose_schedule(m.graph, m.lowered, o.plan, o.schedule);
  if (!sched) return sched.error();
  if (sched->reordered()) {
    apply_schedule(m.graph, m.lowered, sched->order);
    if (Status st = verify(m.graph); !st)
      return make_error("internal error: the execution order search broke the graph: {}", st.error().message);
  }
  m.schedule = std::move(*sched);
  return Status::ok();
}

}  // namespace ferrite::memory
