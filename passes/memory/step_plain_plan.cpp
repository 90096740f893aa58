// Memory step "plain-plan": the patch plan chosen by the search is compared with the best plan
// without patches (after bottleneck fusion), which has the fewest MACs.
#include "passes/memory/steps.h"

namespace ferrite::memory {

// --patch auto: the patch candidates are compared with the plain plan before bottleneck fusion,
// but fusion may shrink the plain plan below every patched one (MobileNetV2-0.35-96 int8: 110,592 B
// at +0 MACs fused, against 117,952 B at +14.4 % MACs with 8x8 patches). The plain plan has the
// fewest MACs, so it is taken whenever the patched one does not beat it: no budget, a patched
// arena that is not smaller; with --sram-budget, whenever the plain plan fits (or, when neither
// fits, is not larger). The patched plan never wins on MACs, so this leaves no candidate that is
// better on both axes among the ones compared here.
Status step_plain_plan(State& s, const MemoryOptions& o) {
  CompiledModel& m = s.m;
  if (o.patch.mode != PatchChoice::Mode::Auto || !m.patch) return Status::ok();
  MemoryOptions plain_opts = o;
  plain_opts.patch = PatchChoice{};
  plain_opts.patch.mode = PatchChoice::Mode::Off;
  plain_opts.patch.text = "off";
  CompiledModel plain = s.unplanned;
  FERRITE_TRY(plan_with_patches(plain, plain_opts));
  FERRITE_TRY(fuse_bottlenecks(plain, s.unplanned, plain_opts));
  const size_t a_plain = plain.plan.arena_bytes, a_patch = m.plan.arena_bytes;
  bool take_plain = a_plain <= a_patch;
  if (o.sram_budget && a_plain <= o.sram_budget) take_plain = true;
  std::vector<std::string> cands = std::move(m.patch_candidates);
  cands.push_back(fmt::format("no patches{}: arena {} B, +0 MACs{}",
                              plain.fused_notes.empty() ? "" : fmt::format(", {} bottleneck{} fused",
                                                                             plain.fused_notes.size(),
                                                                             plain.fused_notes.size() == 1 ? "" : "s"),
                              a_plain, take_plain ? " (chosen: no patched plan is smaller)" : ""));
  if (take_plain) m = std::move(plain);
  m.patch_candidates = std::move(cands);
  if (m.patch) m.patch->candidates = m.patch_candidates;
  return Status::ok();
}

}  // namespace ferrite::memory
