// Patch-based inference (MCUNetV2): the memory-heavy first stage of a network -- nodes [0, stage) of
// the execution order, ending in a cut tensor T that is the only value the rest of the graph reads
// -- runs patch by patch over a grid on T's spatial dims. Each patch recomputes the halo its
// receptive field needs from the input; later layers run layer by layer on the assembled T.
#pragma once
#include <array>
#include <map>
#include <string>
#include <vector>

#include "ops/lower.h"
#include "ops/plan_lowering.h"  // Rect

namespace ferrite {

struct PatchSpec {
  size_t stage = 0;  // nodes [0, stage) are patched; T = output 0 of node stage-1
  int grid_rows = 0, grid_cols = 0;
};

// Stage lengths at which the graph can be cut (every node before is a supported spatial operator,
// its output T is 4-D with N = 1, and nothing else produced before is read afterwards).
std::vector<size_t> patch_cut_points(const Graph& g);

struct PatchGeometry {
  std::vector<std::map<TensorId, Rect>> regions;  // per patch: the region of each stage tensor
  std::map<TensorId, std::pair<int64_t, int64_t>> max_dims;  // per stage tensor: max rows, max cols
  uint64_t plain_macs = 0, patched_macs = 0;
};

// What the geometry reads of each node, computed once per graph and shared by every candidate of a
// patch search (recomputing the kernel windows from the attributes for each of ~200 candidates was
// most of the search's time): the node's patch role and its kernel window along rows and cols.
struct PatchWindow {
  int64_t k = 1, s = 1, d = 1, pad = 0;  // kernel, stride, dilation, begin pad along one axis
};
struct PatchNodeFacts {
  std::vector<uint8_t> kind;                          // per node (memory_patches.cpp's Kind)
  std::vector<std::array<PatchWindow, 2>> window;     // per node: rows, cols (conv and pool nodes)
  std::vector<int64_t> group;                         // per node: the "group" attribute (conv nodes)
};
PatchNodeFacts patch_node_facts(const Graph& g);

// `facts` (optional): patch_node_facts(g), shared by the candidates of one search.
Expected<PatchGeometry> patch_geometry(const Graph& g, const PatchSpec& spec, const PatchNodeFacts* facts = nullptr);

// The executable form of a patched stage: per patch, the kernel calls in order (each with the stage
// node whose scratch it uses), ending with the copy of the patch's T region into T.
struct PatchExec {
  PatchSpec spec;
  TensorId split = kNoTensor;        // T
  TensorId split_patch = kNoTensor;  // T', the per-patch output that is copied into T
  std::vector<std::vector<std::pair<size_t, KernelCall>>> patches;
  uint64_t plain_macs = 0, patched_macs = 0;
  std::vector<uint64_t> node_macs;  // per stage node, summed over the patches
  std::vector<uint64_t> patch_macs;  // per patch, summed over the stage nodes
  std::vector<std::string> candidates;  // the trade-off table: "split @layer L (T 28x28), grid 4x4: arena N B, +x% MACs"
};

// Lowers the stage once per patch for `target` (inplace[k]: use node k's in-place variant). The graph
// already has T' (`split_patch`), written by the stage's last node; `split` is T. `planned` is the
// planning lowering: a patch whose kernel needs more scratch than was planned is an error.
Expected<PatchExec> lower_patches(const Graph& g, const PatchSpec& spec, const PatchGeometry& geo,
                                  const std::vector<bool>& inplace, TensorId split, TensorId split_patch,
                                  const Target& target, const std::vector<Lowered>& planned);

}  // namespace ferrite
