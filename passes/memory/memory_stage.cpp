// The memory stage's pipeline: the steps, in order, as data (memory_stage.h).
#include "passes/memory/memory_stage.h"

#include <cstdio>

#include "passes/memory/steps.h"

namespace ferrite {

namespace {

struct Step {
  const char* name;
  Status (*run)(memory::State&, const MemoryOptions&);
};

constexpr Step kSteps[] = {
    {"schedule", memory::step_schedule},
    {"patches", memory::step_patches},
    {"bottlenecks", memory::step_bottlenecks},
    {"plain-plan", memory::step_plain_plan},
};

}  // namespace

Expected<PatchChoice> parse_patch_choice(const std::string& s) {
  PatchChoice c;
  c.text = s;
  if (s == "off") {
    c.mode = PatchChoice::Mode::Off;
    return c;
  }
  if (s == "auto") return c;
  int r = 0, cols = 0, at = -1, used = 0;
  char x = 0;
  const int n = std::sscanf(s.c_str(), "%d%c%d%n@%d%n", &r, &x, &cols, &used, &at, &used);
  if (n < 3 || (x != 'x' && x != 'X') || r < 1 || cols < 1 || r > 4096 || cols > 4096 ||
      static_cast<size_t>(used) != s.size() || (n == 4 && at < 0))
    return make_error("--patch '{}': expected off, auto, RxC or RxC@LAYER (e.g. 4x4@12)", s);
  c.mode = PatchChoice::Mode::Grid;
  c.rows = r;
  c.cols = cols;
  c.split_after = n == 4 ? at : -1;
  return c;
}

Expected<FuseBottlenecks> parse_fuse_bottlenecks(const std::string& s) {
  if (s == "off") return FuseBottlenecks::Off;
  if (s == "auto") return FuseBottlenecks::Auto;
  if (s == "all") return FuseBottlenecks::All;
  return make_error("--fuse-bottlenecks '{}': expected auto, all or off", s);
}

std::vector<std::string> memory_stage_steps() {
  std::vector<std::string> v;
  for (const Step& s : kSteps) v.emplace_back(s.name);
  return v;
}

Status run_memory_stage(CompiledModel& m, const MemoryOptions& o, void (*on_step)(const char*, void*), void* ctx) {
  memory::State s{m, {}};
  for (const Step& step : kSteps) {
    if (on_step) on_step(step.name, ctx);
    FERRITE_TRY(step.run(s, o));
  }
  return Status::ok();
}

}  // namespace ferrite
