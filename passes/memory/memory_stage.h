// The memory stage: everything between lowering and code generation that decides where tensors
// live and in which order and shape the layers run. It is a pipeline of named steps, listed as data
// in memory_stage.cpp, each in its own file:
//   schedule           execution order of branchy graphs (passes/schedule.h)
//   patches            patch-based inference of the first stage: candidate search, then the plan
//                      (placement, in-place and concat aliasing: passes/memory_plan.h)
//   bottlenecks        channel-streamed inverted bottlenecks at the arena's peak (passes/bottleneck.h)
//   plain-plan         the best plan without patches, kept when no patched plan beats it
// Options are typed; the CLI parses the strings (driver/main.cpp).
#pragma once
#include <cstdint>
#include <string>

#include "model/compiled_model.h"

namespace ferrite {

// --patch: off, auto, or a fixed grid (RxC: best split; RxC@L: split after layer L).
struct PatchChoice {
  enum class Mode { Off, Auto, Grid } mode = Mode::Auto;
  int rows = 0, cols = 0;
  int split_after = -1;  // Grid: -1 = the split with the smallest arena
  std::string text = "auto";  // as the user wrote it, for messages
};
Expected<PatchChoice> parse_patch_choice(const std::string& s);

// --fuse-bottlenecks: off; auto (the blocks at the peak, round by round, while the arena shrinks);
// all (every chain).
enum class FuseBottlenecks { Off, Auto, All };
Expected<FuseBottlenecks> parse_fuse_bottlenecks(const std::string& s);

struct MemoryOptions {
  PlanOptions plan;
  ScheduleOptions schedule;
  PatchChoice patch;
  double max_patch_overhead = 0.20;  // --patch auto: most extra MACs, as a fraction of the model's
  FuseBottlenecks fuse = FuseBottlenecks::Auto;
  uint64_t sram_budget = 0;  // 0 = none: smallest arena; else the fewest MACs that fit
};

// Runs the steps on `m` (lowered, unplanned): fills m.plan, m.schedule, m.patch, m.fused_notes,
// m.patch_candidates and m.plan_reason, and switches calls to their in-place forms where planned.
// `on_step` (optional) is told each step's name as it starts.
Status run_memory_stage(CompiledModel& m, const MemoryOptions& o, void (*on_step)(const char*, void*) = nullptr,
                        void* ctx = nullptr);

// The steps' names, in order (for --print-after style tooling and tests).
std::vector<std::string> memory_stage_steps();

}  // namespace ferrite
