// The memory stage's steps (memory_stage.h); each is defined in its own file of this folder.
#pragma once
#include "passes/memory/memory_stage.h"

namespace ferrite::memory {

// What the steps share: the model being planned and its lowered, scheduled, unplanned copy (the
// starting point every re-plan of a later step begins from).
struct State {
  CompiledModel& m;
  CompiledModel unplanned;
};

Status step_schedule(State& s, const MemoryOptions& o);     // step_schedule.cpp
Status step_patches(State& s, const MemoryOptions& o);      // step_patches.cpp
Status step_bottlenecks(State& s, const MemoryOptions& o);  // step_bottlenecks.cpp
Status step_plain_plan(State& s, const MemoryOptions& o);   // step_plain_plan.cpp

// Chooses the patch plan (or none) for `m` (lowered, unplanned) and plans it: the patch step's
// work, which the later steps repeat on their variants of the model (step_patches.cpp).
Status plan_with_patches(CompiledModel& m, const MemoryOptions& o);

// Bottleneck fusion from the planned `m` and its unplanned copy (step_bottlenecks.cpp).
Status fuse_bottlenecks(CompiledModel& m, CompiledModel unplanned, const MemoryOptions& o);

}  // namespace ferrite::memory
