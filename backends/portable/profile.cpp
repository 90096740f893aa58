// Per-layer profiling of the generated code: see profile.h and docs/generated-api.md#profiling.
#include "backends/portable/profile.h"

#include <algorithm>
#include <cctype>

#include "support/sanitize.h"

namespace ferrite {

namespace {

// The distinct kernels (kernels.def names) of some calls, in call order, joined by '+'.
template <class Calls, class Get>
std::string join_variants(const Calls& calls, Get get) {
  std::vector<std::string> seen;
  std::string out;
  for (const auto& c : calls) {
    const std::string v = get(c);
    if (std::find(seen.begin(), seen.end(), v) != seen.end()) continue;
    seen.push_back(v);
    out += (out.empty() ? "" : "+") + v;
  }
  return out;
}

std::string upper(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

}  // namespace

ProfileEmitter::ProfileEmitter(const CompiledModel& m) : m_(m), on_(m.profile) {
  patches_ = m.patch ? m.patch->patches.size() : 0;
  if (on_) rows_.resize(patches_);  // the patch rows come first (invoke() runs the patches first)
}

std::string ProfileEmitter::mark(size_t row) const {
  // Row `row` is the row-th mark: the row index is counted at run time, so that a mark is a call
  // without arguments (with a constant argument per call, GCC 12 made different inlining decisions
  // elsewhere in the unit: the MobileNetV2 int8 sample ran 1.4 % fewer instructions profiled).
  return on_ ? fmt::format("  fe_profile_mark();  // row {}\n", row) : std::string();
}

std::string ProfileEmitter::layer_call(const std::string& fn, size_t node) {
  std::string s = fmt::format("  {}(a, in);\n", fn);
  if (!on_) return s;
  const Node& n = m_.graph.nodes[node];
  const Lowered& l = m_.lowered[node];
  ProfileRow r;
  r.function = fn;
  r.node = static_cast<int>(node);
  r.op = op_info(n.op).onnx_type;
  r.name = n.name.empty() ? n.display_name() : n.name;
  r.kernels = l.calls.empty() && l.alias ? "copy" : join_variants(l.calls, [](const KernelCall& c) { return std::string(kernel_name(c.kernel)); });
  r.macs = l.macs;
  r.elements = static_cast<uint64_t>(m_.graph.t(n.outputs[0]).numel());
  const size_t row = patches_ + layers_++;
  rows_.push_back(std::move(r));
  return s + mark(row);
}

std::string ProfileEmitter::patch_call(const std::string& fn, size_t patch) {
  std::string s = fmt::format("  {}(a, in);\n", fn);
  if (!on_) return s;
  const PatchExec& p = *m_.patch;
  ProfileRow& r = rows_[patch];
  r.function = fn;
  r.patch = static_cast<int>(patch);
  r.op = "patch";
  r.name = fmt::format("patch {}/{} (grid {}x{}, layers 0-{})", patch + 1, p.patches.size(), p.spec.grid_rows,
                       p.spec.grid_cols, p.spec.stage - 1);
  r.kernels = join_variants(p.patches[patch], [](const auto& nc) { return std::string(kernel_name(nc.second.kernel)); });
  r.macs = patch < p.patch_macs.size() ? p.patch_macs[patch] : 0;
  return s + mark(patch);
}

std::string ProfileEmitter::invoke_prologue() const {
  return on_ ? "  fe_profile_begin();\n" : std::string();
}

std::string ProfileEmitter::source_support() const {
  if (!on_) return {};
  const size_t n = std::max<size_t>(rows_.size(), 16);  // profile_overhead_x1024() uses 16
  return fmt::format(R"(// ---- Profiling (ferrite compile --profile; docs/generated-api.md#profiling) ----
// invoke() reads ferrite_profile_counter() before its first call and after every layer/patch call
// and stores each difference in profile_counts()[row]. The default counter below is weak: define
// your own `extern "C" std::uint32_t ferrite_profile_counter(void)` to replace it.
#if !defined(__arm__)
#include <chrono>
#endif
extern "C" __attribute__((weak)) std::uint32_t ferrite_profile_counter(void) {{
#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)
  // Cortex-M3/M4/M7/M33/M55: the DWT cycle counter, switched on at the first read (DEMCR.TRCENA,
  // DWT_CTRL.CYCCNTENA; the Cortex-M7's DWT is unlocked through DWT_LAR first). Under QEMU it reads 0.
  volatile std::uint32_t* const dwt_ctrl = reinterpret_cast<volatile std::uint32_t*>(0xE0001000u);
  if ((*dwt_ctrl & 1u) == 0u) {{
    volatile std::uint32_t* const demcr = reinterpret_cast<volatile std::uint32_t*>(0xE000EDFCu);
    volatile std::uint32_t* const cpuid = reinterpret_cast<volatile std::uint32_t*>(0xE000ED00u);
    *demcr = *demcr | (1u << 24);
    if (((*cpuid >> 4) & 0xFFFu) == 0xC27u) *reinterpret_cast<volatile std::uint32_t*>(0xE0001FB0u) = 0xC5ACCE55u;
    *dwt_ctrl = *dwt_ctrl | 1u;
  }}
  return *reinterpret_cast<volatile std::uint32_t*>(0xE0001004u);
#elif defined(__arm__)
  return 0;  // Armv6-M / Armv8-M baseline (Cortex-M0/M0+/M23): no cycle counter; supply your own
#else
  return static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
#endif
}}

namespace {ns} {{
namespace {{
std::uint32_t g_profile[{n}];
std::uint32_t g_profile_t, g_profile_row;
// Not inlined, and without arguments: a mark changes the rest of the code as little as possible.
__attribute__((noinline)) void fe_profile_begin() {{
  g_profile_row = 0;
  g_profile_t = ferrite_profile_counter();
}}
__attribute__((noinline)) void fe_profile_mark() {{
  const std::uint32_t now = ferrite_profile_counter();
  g_profile[g_profile_row++] = now - g_profile_t;
  g_profile_t = now;
}}
}}  // namespace
const std::uint32_t* profile_counts() {{ return g_profile; }}
std::uint32_t profile_overhead_x1024() {{
  fe_profile_begin();
  const std::uint32_t start = g_profile_t;
  for (int i = 0; i < 64; ++i) {{
    g_profile_row = 0;
    fe_profile_mark(); fe_profile_mark(); fe_profile_mark(); fe_profile_mark();
    fe_profile_mark(); fe_profile_mark(); fe_profile_mark(); fe_profile_mark();
    fe_profile_mark(); fe_profile_mark(); fe_profile_mark(); fe_profile_mark();
    fe_profile_mark(); fe_profile_mark(); fe_profile_mark(); fe_profile_mark();
  }}
  return g_profile_t - start;
}}
}}  // namespace {ns}

extern "C" const std::uint32_t* {ns}_profile_counts(void) {{ return {ns}::profile_counts(); }}
extern "C" const char* {ns}_profile_name(int row) {{ return {ns}::kProfile[row].name; }}
extern "C" uint32_t {ns}_profile_overhead_x1024(void) {{ return {ns}::profile_overhead_x1024(); }}

)",
                     fmt::arg("ns", m_.name), fmt::arg("n", n));
}

std::string ProfileEmitter::header_api() const {
  if (!on_) return {};
  std::string table;
  for (const ProfileRow& r : rows_)
    table += fmt::format("    {{{}, {}, {}, {}, {}ull}},\n", c_string_literal(r.function), c_string_literal(r.op),
                         c_string_literal(r.name), c_string_literal(r.kernels), r.macs);
  if (rows_.empty()) table = "    {\"\", \"\", \"\", \"\", 0ull},\n";
  return fmt::format(R"(
// Profiling (compiled with --profile): invoke() records, per row (one call of a layer function, or
// of a patch of the first stage), the difference of ferrite_profile_counter() around it: cycles
// (DWT->CYCCNT) by default on Cortex-M3/M4/M7/M33/M55, nanoseconds on the host, or whatever a
// user-supplied ferrite_profile_counter() counts (docs/generated-api.md#profiling).
struct ProfileRow {{
  const char* function;  // the generated function
  const char* op;        // ONNX op type, or "patch"
  const char* name;      // the node's name
  const char* kernels;   // the kernels it calls
  std::uint64_t macs;
}};
inline constexpr int kProfileRows = {rows};
inline constexpr ProfileRow kProfile[{len}] = {{
{table}}};
// kProfileRows counter differences of the last invoke(), in kProfile order (not per arena: one
// array per model).
const std::uint32_t* profile_counts();
// The counter difference over 1024 back-to-back marks (divide by 1024: the cost of the one mark each
// row includes). Overwrites profile_counts().
std::uint32_t profile_overhead_x1024();
)",
                     fmt::arg("rows", rows_.size()), fmt::arg("len", std::max<size_t>(rows_.size(), 1)),
                     fmt::arg("table", table));
}

std::string ProfileEmitter::header_c_api() const {
  if (!on_) return {};
  return fmt::format(R"(
// Profiling (--profile): {NS}_PROFILE_ROWS counter differences of the last invoke() and each row's
// node name; the counter is `ferrite_profile_counter()` (weak default: DWT->CYCCNT on Cortex-M).
#define {NS}_PROFILE_ROWS {rows}
uint32_t ferrite_profile_counter(void);
const uint32_t* {ns}_profile_counts(void);
const char* {ns}_profile_name(int row);
uint32_t {ns}_profile_overhead_x1024(void);
)",
                     fmt::arg("NS", upper(m_.name)), fmt::arg("ns", m_.name), fmt::arg("rows", rows_.size()));
}

}  // namespace ferrite
