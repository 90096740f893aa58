// Portable backend. Fills the file templates in runtime_templates/files/ with: the kernels the model
// uses (pasted from runtime_templates/<op>/), one constexpr parameter struct per kernel call, one
// function per layer, invoke() calling them in order, and the constants in the weights file.
#include "backends/portable/emit.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <set>

#include "backends/portable/params_format.h"
#include "backends/portable/weights.h"
#include "frontend/onnx_import.h"  // dtype_to_onnx: the runtime DType values are ONNX's
#include "support/embedded.h"
#include "support/sanitize.h"

namespace ferrite {

std::string weight_symbol(const Graph& g, TensorId id) {
  return fmt::format("w{}_{}", id, sanitize_identifier(g.t(id).name, 40));
}

static std::string onnx_dtype_enum(DType t) {
  switch (t) {
    case DType::F32: return "DType::Float32";
    case DType::U8: return "DType::UInt8";
    case DType::I8: return "DType::Int8";
    case DType::I32: return "DType::Int32";
    case DType::I64: return "DType::Int64";
    case DType::Bool: return "DType::Bool";
    case DType::F64: return "DType::Float64";
    case DType::F16: return "DType::Float16";
    case DType::BF16: return "DType::BFloat16";
    default: return fmt::format("DType({})", dtype_to_onnx(t));
  }
}

// Pasted files must not carry "#pragma once" (it warns in a main file).
static std::string strip_pragma_once(std::string_view text) {
  std::string s(text);
  for (size_t p; (p = s.find("#pragma once\n")) != std::string::npos;) s.erase(p, 13);
  return s;
}

// Feature checks and intrinsic headers for the target kernels the model uses: code that needs the
// DSP extension, the FPU or MVE refuses to build for a core without them, with a message that says
// which --target it was generated for.
static std::string isa_prelude(uint32_t isa, const std::string& target) {
  if (isa == kIsaNone) return "";
  struct Check { uint32_t bit; const char* cond; const char* what; };
  static const Check checks[] = {
      {kIsaFpu, "!defined(__ARM_FP) || !(__ARM_FP & 4) || !defined(__ARM_FEATURE_FMA)", "a single-precision FPU with VFMA"},
      {kIsaDsp, "!defined(__ARM_FEATURE_DSP)", "the Arm DSP extension"},
      {kIsaMve, "!defined(__ARM_FEATURE_MVE)", "Helium (MVE)"},
      {kIsaMveF, "!defined(__ARM_FEATURE_MVE) || !(__ARM_FEATURE_MVE & 2)", "Helium floating point (MVE-F)"},
  };
  std::string s = fmt::format("// Kernels generated for --target {} need {} (isa: {}).\n", target,
                              isa & kIsaMve ? "Helium" : (isa & kIsaDsp ? "the DSP extension" : "the FPU"), isa_names(isa));
  for (const Check& c : checks)
    if (isa & c.bit)
      s += fmt::format("#if {}\n#error \"ferrite: this code was generated for --target {} and uses {}; build it for that core "
                       "(arm-none-eabi-g++ {}) or generate it for yours with --target\"\n#endif\n",
                       c.cond, target, c.what, find_target(target) ? find_target(target)->cpu_flags : "");
  if (isa & kIsaDsp) s += "#include <arm_acle.h>\n";
  if (isa & kIsaMve) s += "#include <arm_mve.h>\n";
  return s;
}

namespace {
struct Emitter {
  const CompiledModel& m;
  const Graph& g;
  std::map<TensorId, std::string> weight_refs;  // how <name>.cpp reads each constant (--weights-format)
  std::set<TensorId> used_consts;
  std::string internal_error;  // set when the model reaches the backend in a state it cannot emit

  explicit Emitter(const CompiledModel& cm) : m(cm), g(cm.graph) {}

  std::string tensor_ptr(TensorId id) {
    const Tensor& t = g.t(id);
    if (m.plan.external_input[static_cast<size_t>(id)] >= 0)
      return fmt::format("static_cast<const {}*>(in[{}])", dtype_c_type(t.dtype), m.plan.external_input[static_cast<size_t>(id)]);
    if (t.is_constant() && m.plan.tensor_buffer[static_cast<size_t>(id)] < 0) {
      used_consts.insert(id);
      auto r = weight_refs.find(id);
      if (r == weight_refs.end()) {
        internal_error = fmt::format("constant '{}' is read but not among the weights", t.name);
        return "nullptr";
      }
      return r->second;
    }
    const auto& b = m.plan.buffers[static_cast<size_t>(m.plan.tensor_buffer[static_cast<size_t>(id)])];
    return fmt::format("reinterpret_cast<{}*>(a + {})", dtype_c_type(t.dtype), b.offset);
  }

  std::string operand(const Operand& o, size_t node) {
    switch (o.kind) {
      case Operand::Kind::Null: return "nullptr";
      case Operand::Kind::Scratch: {
        // A kernel whose scratch size is 0 gets no buffer (it must not read the pointer).
        if (node >= m.plan.scratch_buffer.size() || m.plan.scratch_buffer[node] < 0) return "nullptr";
        const auto& b = m.plan.buffers[static_cast<size_t>(m.plan.scratch_buffer[node])];
        return fmt::format("reinterpret_cast<float*>(a + {})", b.offset);
      }
      case Operand::Kind::Tensor:
        if (o.offset_elems) return fmt::format("({} + {})", tensor_ptr(o.id), o.offset_elems);
        return tensor_ptr(o.id);
      case Operand::Kind::Data:  // the driver turns these into graph constants before planning
        internal_error = fmt::format("layer {}: a kernel operand was never given storage", node);
        return "nullptr";
    }
    return "nullptr";
  }

  std::string tensor_info(TensorId id) {
    const Tensor& t = g.t(id);
    const int bi = m.plan.tensor_buffer[static_cast<size_t>(id)];
    const size_t offset = bi >= 0 ? m.plan.buffers[static_cast<size_t>(bi)].offset : 0;
    const Shape ss = t.storage_shape();
    std::string shape;
    for (size_t i = 0; i < 6; ++i) shape += (i ? ", " : "") + std::to_string(i < ss.size() ? ss[i] : 0);
    auto q = g.io_quant.find(id);
    return fmt::format("    {{{}, {}, {}, {{{}}}, {}, {}, {}, {}, {}, {}}},", c_string_literal(t.name),
                       onnx_dtype_enum(t.dtype), ss.size(), shape, t.nhwc ? "true" : "false",
                       float_literal(q == g.io_quant.end() ? 0.f : q->second.scale),
                       q == g.io_quant.end() ? 0 : q->second.zero_point, bi >= 0 ? "true" : "false", offset, t.bytes());
  }
};
}  // namespace

Expected<EmittedSource> emit_portable(const CompiledModel& m) {
  Emitter e(m);
  const Graph& g = m.graph;
  size_t weights_bytes = 0;
  for (TensorId id : m.weights) weights_bytes += g.t(id).bytes();
  EmittedWeights w = emit_weights(m, comment_safe(m.model_file), weights_bytes);
  e.weight_refs = w.refs;
  for (TensorId id : g.inputs)
    if (g.t(id).shape.size() > 6) return make_error("input '{}' has rank above 6", g.t(id).name);
  for (TensorId id : g.outputs)
    if (g.t(id).shape.size() > 6) return make_error("output '{}' has rank above 6", g.t(id).name);

  // Kernel files to paste: the portable ones (sorted), then each target variant's files in the
  // order the model first uses them, every file after the files it builds on (kernels.def `base`).
  std::set<std::string> kernel_files;
  std::vector<std::string> variant_files;
  auto use_kernel = [&](KernelId k) {
    const KernelInfo& ki = kernel_info(k);
    if (!ki.isa) {
      kernel_files.insert(ki.file);
      return;
    }
    std::vector<std::string> files;
    for (const char* b = ki.base; b && *b;) {
      const char* e = std::strchr(b, ' ');
      files.emplace_back(b, e ? static_cast<size_t>(e - b) : std::strlen(b));
      b = e ? e + 1 : nullptr;
    }
    files.push_back(ki.file);
    for (const std::string& f : files) {
      bool portable = false;
      for (size_t i = 0; i < kNumKernels; ++i)
        portable = portable || (!kernel_info(static_cast<KernelId>(i)).isa && f == kernel_info(static_cast<KernelId>(i)).file);
      if (portable) kernel_files.insert(f);
      else if (std::find(variant_files.begin(), variant_files.end(), f) == variant_files.end()) variant_files.push_back(f);
    }
  };
  uint32_t isa_used = kIsaNone;  // core features the chosen kernels need
  std::string params, layers, calls;
  ProfileEmitter prof(m);  // --profile: a counter read after each call in invoke()
  bool uses_inputs = false;
  for (size_t s = 0; s < g.nodes.size(); ++s) {
    const Node& n = g.nodes[s];
    const Lowered& l = m.lowered[s];
    const std::string fn = fmt::format("layer{:03}_{}_{}", s, sanitize_identifier(op_info(n.op).onnx_type, 20),
                                       sanitize_identifier(n.name.empty() ? g.t(n.outputs[0]).name : n.name, 40));
    std::string body;
    if (l.alias) {
      // A view: shares storage with its input, unless the input is a constant (then copy it in).
      const TensorId in = n.inputs[0], out = n.outputs[0];
      if (g.t(in).is_constant())
        body += fmt::format("  std::memcpy({}, {}, {});\n", e.tensor_ptr(out), e.tensor_ptr(in), g.t(out).bytes());
      else
        continue;
    }
    for (size_t ci = 0; ci < l.calls.size(); ++ci) {
      const KernelCall& c = l.calls[ci];
      use_kernel(c.kernel);
      isa_used |= kernel_info(c.kernel).isa;
      const std::string pname = fmt::format("kP{:03}_{}", s, ci);
      params += fmt::format("constexpr {} {} = {};\n", params_type(*c.params), pname, params_init(*c.params));
      std::string args;
      for (const Operand& o : c.args) args += ", " + e.operand(o, s);
      body += fmt::format("  ferrite_rt::{}({}{});  // {}\n", kernel_name(c.kernel), pname, args, c.variant);
      uses_inputs = uses_inputs || args.find("in[") != std::string::npos;
    }
    if (body.empty()) continue;
    std::string comment = fmt::format("{}: {}", comment_safe(n.display_name()),
                                      l.macs ? fmt::format("{} MACs", l.macs) : std::string("no MACs"));
    if (n.act.kind != FusedAct::None) comment += ", fused activation from " + comment_safe(n.act.from);
    if (!uses_inputs) body += "  (void)in;\n";
    uses_inputs = false;
    layers += fmt::format(fmt::runtime(embedded("files/layer.cpp.in")), fmt::arg("comment", comment),
                          fmt::arg("fn", fn), fmt::arg("body", body));
    calls += prof.layer_call(fn, s);
  }
  // A patched first stage: one function per patch, run before everything else.
  if (m.patch) {
    std::string pcalls;
    for (size_t pi = 0; pi < m.patch->patches.size(); ++pi) {
      std::string body;
      for (size_t ci = 0; ci < m.patch->patches[pi].size(); ++ci) {
        const auto& [node, c] = m.patch->patches[pi][ci];
        use_kernel(c.kernel);
        isa_used |= kernel_info(c.kernel).isa;
        const std::string pname = fmt::format("kPatch{:03}_{}", pi, ci);
        params += fmt::format("constexpr {} {} = {};\n", params_type(*c.params), pname, params_init(*c.params));
        std::string args;
        for (const Operand& o : c.args) args += ", " + e.operand(o, node);
        body += fmt::format("  ferrite_rt::{}({}{});  // {}: {}\n", kernel_name(c.kernel), pname, args,
                            comment_safe(g.nodes[node].display_name()), c.variant);
      }
      if (body.find("in[") == std::string::npos) body += "  (void)in;\n";
      const std::string fn = fmt::format("patch{:03}", pi);
      layers += fmt::format(fmt::runtime(embedded("files/layer.cpp.in")),
                            fmt::arg("comment", fmt::format("patch {} of {} (grid {}x{}), layers 0-{}", pi + 1,
                                                            m.patch->patches.size(), m.patch->spec.grid_rows,
                                                            m.patch->spec.grid_cols, m.patch->spec.stage - 1)),
                            fmt::arg("fn", fn), fmt::arg("body", body));
      pcalls += prof.patch_call(fn, pi);
    }
    calls = pcalls + calls;
  }
  calls = prof.invoke_prologue() + calls;
  // Graph outputs that are constants are copied into place.
  for (TensorId o : g.outputs)
    if (g.t(o).is_constant() && !g.producer(o)) {
      const auto& b = m.plan.buffers[static_cast<size_t>(m.plan.tensor_buffer[static_cast<size_t>(o)])];
      e.used_consts.insert(o);
      calls += fmt::format("  std::memcpy(a + {}, {}, {});\n", b.offset, w.refs.at(o), g.t(o).bytes());
    }

  std::string kernels = strip_pragma_once(embedded("common/act.h")) + "\n" + strip_pragma_once(embedded("common/convert.h")) + "\n";
  // The int8 kernels share the requantization helpers: paste them first when any is used.
  if (kernel_files.count("window/quantize_window.h")) kernel_files.insert("quantize/quantize.h");
  // The pointwise programs evaluate their steps with unary_f32's and binary_f32's element functions
  // (both files sort before it).
  if (kernel_files.count("unary/unary_pointwise_f32.h"))
    for (const char* f : {"binary/binary_f32.h", "unary/unary_f32.h"}) kernel_files.insert(f);
  if (kernel_files.count("resize/resize_s8_tfl.h")) kernel_files.insert("resize/resize_f32.h");  // ResizeParams
  if (kernel_files.count("conv_s8/conv_transpose_s8.h"))  // ConvS8Params; the exact fma's float helpers
    for (const char* f : {"conv_s8/conv_s8.h", "binary_s8/binary_s8.h"}) kernel_files.insert(f);
  if (kernel_files.count("tflite_s8/tflite_s8_reduce.h"))  // ReduceParams, tfl_mbqm
    for (const char* f : {"reduce/reduce_f32.h", "tflite_s8/tflite_s8.h"}) kernel_files.insert(f);
  if (kernel_files.count("tflite_s8/tflite_s8_x16.h"))  // the int8 loops it instantiates, LutParams
    for (const char* f : {"tflite_s8/tflite_s8.h", "lut_s8/lut_s8.h"}) kernel_files.insert(f);
  if (kernel_files.count("tflite_s8/tflite_s8.h"))  // the parameter structs of the TFLite kernels
    for (const char* f : {"binary_s8/binary_s8.h", "conv_s8/conv_s8.h", "fc_s8/fc_s8.h", "pool_s8/pool_s8.h",
                          "quantize/quantize.h", "softmax_s8/softmax_s8.h", "pad/pad_f32.h"})
      kernel_files.insert(f);
  for (const auto& f : kernel_files)
    if (f.find("_s8") != std::string::npos || f.rfind("quantize/", 0) == 0) {
      kernels += strip_pragma_once(embedded("common/requant.h")) + "\n";
      break;
    }
  for (const auto& f : kernel_files) kernels += strip_pragma_once(embedded(f)) + "\n";
  for (const auto& f : variant_files) kernels += strip_pragma_once(embedded(f)) + "\n";

  if (!e.internal_error.empty()) return make_error("internal error: {}", e.internal_error);
  auto io_list = [&](const std::vector<TensorId>& ids) {
    std::string s;
    for (TensorId id : ids) s += e.tensor_info(id) + "\n";
    if (ids.empty()) s = "    {\"\", DType::Float32, 0, {0, 0, 0, 0, 0, 0}, false, 0.f, 0, false, 0, 0},\n";
    return s.substr(0, s.size() - 1);
  };
  std::string accessors;
  auto add_accessors = [&](const std::vector<TensorId>& ids, const char* kind, const char* table) {
    for (size_t i = 0; i < ids.size(); ++i) {
      const Tensor& t = g.t(ids[i]);
      if (m.plan.tensor_buffer[static_cast<size_t>(ids[i])] < 0) continue;  // caller-owned
      accessors += fmt::format(
          "// {} {}: {} {} [{}]{}\ninline {}* {}{}(void* arena) {{\n"
          "  return reinterpret_cast<{}*>(static_cast<std::uint8_t*>(arena) + {}[{}].offset);\n}}\n",
          kind, i, comment_safe(t.name), dtype_name(t.dtype), shape_str(t.storage_shape()), t.nhwc ? " NHWC" : "",
          dtype_c_type(t.dtype), kind, i,
          dtype_c_type(t.dtype), table, i);
    }
  };
  std::string ns_upper = m.name;
  for (char& ch : ns_upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::string c_macros;
  auto add_macros = [&](const std::vector<TensorId>& ids, const char* kind) {
    for (size_t i = 0; i < ids.size(); ++i) {
      const int bi = m.plan.tensor_buffer[static_cast<size_t>(ids[i])];
      if (bi < 0) {  // caller-owned: not in the arena
        c_macros += fmt::format("#define {}_{}{}_IN_ARENA 0\n#define {}_{}{}_BYTES {}u\n#define {}_{}{}_NHWC {}\n", ns_upper,
                                kind, i, ns_upper, kind, i, g.t(ids[i]).bytes(), ns_upper, kind, i,
                                g.t(ids[i]).nhwc ? 1 : 0);
        auto q = g.io_quant.find(ids[i]);
        if (q != g.io_quant.end())
          c_macros += fmt::format("#define {}_{}{}_SCALE {}\n#define {}_{}{}_ZERO_POINT {}\n", ns_upper, kind, i,
                                  float_literal(q->second.scale), ns_upper, kind, i, q->second.zero_point);
        continue;
      }
      const auto& b = m.plan.buffers[static_cast<size_t>(bi)];
      c_macros += fmt::format("#define {}_{}{}_IN_ARENA 1\n", ns_upper, kind, i);
      c_macros += fmt::format("#define {}_{}{}_OFFSET {}u\n#define {}_{}{}_BYTES {}u\n#define {}_{}{}_NHWC {}\n", ns_upper,
                              kind, i, b.offset, ns_upper, kind, i, g.t(ids[i]).bytes(), ns_upper, kind, i,
                              g.t(ids[i]).nhwc ? 1 : 0);
      auto q = g.io_quant.find(ids[i]);
      if (q != g.io_quant.end())
        c_macros += fmt::format("#define {}_{}{}_SCALE {}\n#define {}_{}{}_ZERO_POINT {}\n", ns_upper, kind, i,
                                float_literal(q->second.scale), ns_upper, kind, i, q->second.zero_point);
    }
  };
  add_macros(g.inputs, "INPUT");
  add_macros(g.outputs, "OUTPUT");
  add_accessors(g.inputs, "input", "kInputs");
  add_accessors(g.outputs, "output", "kOutputs");

  bool external_inputs = false;
  for (TensorId id : g.inputs) external_inputs = external_inputs || m.plan.tensor_buffer[static_cast<size_t>(id)] < 0;
  const std::string invoke_params = external_inputs ? "void* arena, const void* const* inputs" : "void* arena";
  const std::string invoke_args = external_inputs ? "arena, inputs" : "arena";
  const std::string model_file = comment_safe(m.model_file);
  EmittedSource out;
  out.header = fmt::format(
      fmt::runtime(embedded("files/model.h.in")), fmt::arg("version", kVersion), fmt::arg("model_file", model_file),
      fmt::arg("target", m.target.name), fmt::arg("ns", m.name), fmt::arg("arena_bytes", m.plan.arena_bytes),
      fmt::arg("arena_align", m.plan.alignment), fmt::arg("weights_bytes", weights_bytes), fmt::arg("macs", m.macs),
      fmt::arg("num_inputs", g.inputs.size()), fmt::arg("num_outputs", g.outputs.size()),
      fmt::arg("inputs_len", std::max<size_t>(1, g.inputs.size())),
      fmt::arg("outputs_len", std::max<size_t>(1, g.outputs.size())), fmt::arg("inputs", io_list(g.inputs)),
      fmt::arg("outputs", io_list(g.outputs)), fmt::arg("accessors", accessors),
      fmt::arg("NS", ns_upper), fmt::arg("c_macros", c_macros),
      fmt::arg("invoke_params", invoke_params), fmt::arg("invoke_args", invoke_args),
      fmt::arg("default_invoke", external_inputs ? "" : "inline void invoke() { invoke(arena()); }"),
      fmt::arg("profile_api", prof.header_api()), fmt::arg("profile_c_api", prof.header_c_api()));
  out.source = fmt::format(
      fmt::runtime(embedded("files/model.cpp.in")), fmt::arg("version", kVersion), fmt::arg("model_file", model_file),
      fmt::arg("target", m.target.name), fmt::arg("ns", m.name), fmt::arg("num_layers", g.nodes.size()),
      fmt::arg("arena_bytes", m.plan.arena_bytes), fmt::arg("lower_bound", m.plan.lower_bound_bytes),
      fmt::arg("planner", m.plan.algorithm), fmt::arg("prelude", strip_pragma_once(embedded("common/prelude.h")) + isa_prelude(isa_used, m.target.name)),
      fmt::arg("kernels", kernels), fmt::arg("weight_decls", w.decls), fmt::arg("params", params),
      fmt::arg("layers", layers), fmt::arg("calls", calls), fmt::arg("arena_align", m.plan.alignment),
      fmt::arg("arena_storage", std::max<size_t>(m.plan.arena_bytes, 1)),
      fmt::arg("invoke_params", invoke_params), fmt::arg("invoke_args", invoke_args),
      fmt::arg("inputs_init", external_inputs ? "  const void* const* const in = inputs;\n"
                                               : "  const void* const* const in = nullptr;\n"),
      fmt::arg("profile_support", prof.source_support()));
  out.weights = std::move(w.file);
  out.weights_blob = std::move(w.blob);
  out.weights_section_bytes = w.section_bytes;
  out.profile = prof.rows();
  return out;
}

}  // namespace ferrite
