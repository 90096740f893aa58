// Emission of the model's constants in the three --weights-format forms (backends/portable/weights.h).
// incbin: the compiler sees a few lines of assembler and the assembler copies the bytes from
// <name>_weights.bin; text: the bytes as string literals (about 2.5 source bytes per byte, lexed as
// one token per line); array: one initialized C++ array per constant (one token per value).
#include "backends/portable/weights.h"

#include <cstring>

#include "backends/portable/emit.h"
#include "backends/portable/params_format.h"
#include "support/embedded.h"
#include "support/sanitize.h"

namespace ferrite {

namespace {

constexpr size_t kConstAlign = 16;  // every constant starts at a multiple of this

size_t padded_bytes(const Tensor& t) {  // a constant with no elements still takes one element
  return static_cast<size_t>(std::max<int64_t>(t.numel(), 1)) * dtype_size(t.dtype);
}

// Literal text for one typed array, 8 values per line (the array format).
std::string data_literal(const Tensor& t) {
  std::string out;
  const size_t n = static_cast<size_t>(t.numel()), es = dtype_size(t.dtype);
  const uint8_t* p = t.data->data();
  out.reserve(n * 12);
  for (size_t i = 0; i < n; ++i) {
    std::string v;
    const uint8_t* q = p + i * es;
    switch (t.dtype) {
      case DType::F32: { float f; std::memcpy(&f, q, 4); v = float_literal(f); break; }
      case DType::F64: { double d; std::memcpy(&d, q, 8); v = fmt::format("{}", d); if (v.find_first_of(".en") == std::string::npos) v += "."; break; }
      case DType::I64: { int64_t x; std::memcpy(&x, q, 8); v = x == INT64_MIN ? "(-9223372036854775807LL - 1)" : fmt::format("{}LL", x); break; }
      case DType::I32: { int32_t x; std::memcpy(&x, q, 4); v = x == INT32_MIN ? "(-2147483647 - 1)" : fmt::format("{}", x); break; }
      case DType::I8: { int8_t x; std::memcpy(&x, q, 1); v = fmt::format("{}", x); break; }
      case DType::I16: { int16_t x; std::memcpy(&x, q, 2); v = fmt::format("{}", x); break; }
      case DType::U16: case DType::F16: case DType::BF16: { uint16_t x; std::memcpy(&x, q, 2); v = fmt::format("{}u", x); break; }
      case DType::U32: { uint32_t x; std::memcpy(&x, q, 4); v = fmt::format("{}u", x); break; }
      case DType::U64: { uint64_t x; std::memcpy(&x, q, 8); v = fmt::format("{}ULL", x); break; }
      case DType::Bool: v = *q ? "true" : "false"; break;
      default: v = fmt::format("{}", *q); break;
    }
    out += v;
    if (i + 1 < n) out += (i % 8 == 7) ? ",\n" : ", ";
  }
  return out;
}

// Bytes as C string literals, one literal per line of `per_line` bytes: printable ASCII as itself,
// the rest as the shortest octal escape that the next character cannot extend ('?' escaped so that
// no trigraph warning fires, '"' and '\\' escaped).
std::string string_literals(const std::vector<uint8_t>& b, size_t per_line = 96) {
  std::string out;
  out.reserve(b.size() * 3 + b.size() / per_line * 6 + 8);
  for (size_t i = 0; i < b.size(); i += per_line) {
    const size_t end = std::min(b.size(), i + per_line);
    out += '"';
    for (size_t j = i; j < end; ++j) {
      const uint8_t c = b[j];
      if (c == '"' || c == '\\' || c == '?') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c >= 0x20 && c < 0x7f) {
        out += static_cast<char>(c);
      } else {
        const bool digit_next = j + 1 < end && b[j + 1] >= '0' && b[j + 1] <= '9';
        out += digit_next ? fmt::format("\\{:03o}", c) : fmt::format("\\{:o}", c);
      }
    }
    out += "\"\n";
  }
  if (b.empty()) out = "\"\"\n";
  return out;
}

uint64_t fnv1a64(const std::vector<uint8_t>& b) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint8_t c : b) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

}  // namespace

std::string weights_blob_symbol(const CompiledModel& m) { return "ferrite_" + m.name + "_weights"; }

size_t weights_section_bytes(const CompiledModel& m) {
  size_t n = 0;
  for (TensorId id : m.weights) n = (n + kConstAlign - 1) / kConstAlign * kConstAlign + padded_bytes(m.graph.t(id));
  // array: the compiler orders the typed arrays (GCC: in reverse), so only the last one's tail
  // padding is unknown: the figure is an upper bound, at most kConstAlign - 1 bytes above the section.
  if (m.weights_options.format == "array") n = (n + kConstAlign - 1) / kConstAlign * kConstAlign;
  return n + (m.weights_options.format == "text" ? 1 : 0);
}

WeightsBlob pack_weights(const CompiledModel& m) {
  WeightsBlob w;
  for (TensorId id : m.weights) {
    const Tensor& t = m.graph.t(id);
    const size_t off = (w.bytes.size() + kConstAlign - 1) / kConstAlign * kConstAlign;
    w.bytes.resize(off + padded_bytes(t), 0);
    if (t.numel() && t.data) std::memcpy(w.bytes.data() + off, t.data->data(), std::min(t.data->size(), t.bytes()));
    w.offset[id] = off;
  }
  return w;
}

EmittedWeights emit_weights(const CompiledModel& m, const std::string& model_file, size_t weights_bytes) {
  const Graph& g = m.graph;
  const WeightsOptions& o = m.weights_options;
  EmittedWeights e;
  const std::string header = fmt::format(
      "// Auto-generated by ferrite {} — do not edit.\n"
      "// Model: {}  |  constants: {}, {} bytes, in section {} ({}-byte aligned), --weights-format {}\n",
      kVersion, model_file, m.weights.size(), weights_bytes, o.section, o.align, o.format);
  if (o.format == "array") {
    std::string defs;
    for (TensorId id : m.weights) {
      const Tensor& t = g.t(id);
      const std::string sym = weight_symbol(g, id);
      const size_t n = static_cast<size_t>(std::max<int64_t>(t.numel(), 1));
      e.decls += fmt::format("alignas({}) extern const {} {}[{}];  // {} {} [{}]\n", o.align, dtype_c_type(t.dtype), sym,
                             n, comment_safe(t.name), dtype_name(t.dtype), shape_str(t.shape));
      defs += fmt::format("alignas({}) const {} {}[{}] __attribute__((section(\"{}\"))) = {{\n{}}};\n", o.align,
                          dtype_c_type(t.dtype), sym, n, o.section, t.numel() ? data_literal(t) : "0");
      e.refs[id] = "weights::" + sym;
    }
    e.file = fmt::format(fmt::runtime(embedded("files/model_weights.cpp.in")), fmt::arg("header", header),
                         fmt::arg("ns", m.name), fmt::arg("weight_decls", e.decls), fmt::arg("weight_defs", defs));
    e.section_bytes = pack_weights(m).bytes.size();  // the same layout when align is 16
    return e;
  }

  // incbin and text: one blob, typed pointers into it.
  const WeightsBlob blob = pack_weights(m);
  const std::string sym = weights_blob_symbol(m);
  std::string table;  // what is where, as comments
  for (TensorId id : m.weights) {
    const Tensor& t = g.t(id);
    const size_t off = blob.offset.at(id);
    table += fmt::format("//   const {} {}[{}];  offset {}, {} bytes: {} {} [{}]\n", dtype_c_type(t.dtype),
                         weight_symbol(g, id), std::max<int64_t>(t.numel(), 1), off, padded_bytes(t),
                         comment_safe(t.name), dtype_name(t.dtype), shape_str(t.shape));
    e.refs[id] = fmt::format("reinterpret_cast<const {}*>(weights::{} + {})", dtype_c_type(t.dtype), sym, off);
  }
  e.decls = fmt::format("// Every constant, {} bytes at 16-byte aligned offsets (defined in {}_weights.cpp).\n"
                        "extern \"C\" const unsigned char {}[];\n",
                        blob.bytes.size(), m.name, sym);
  if (o.format == "incbin") {
    const std::string bin = m.name + "_weights.bin";
    e.blob.assign(blob.bytes.begin(), blob.bytes.end());
    e.section_bytes = blob.bytes.size();
    std::string asm_text;
    auto line = [&](const std::string& s) { asm_text += "    \"" + s + "\\n\"\n"; };
    line(fmt::format("  .section {},\\\"a\\\",%progbits", o.section));
    line(fmt::format("  .balign {}", o.align));
    line(fmt::format("  .global {}", sym));
    line(fmt::format("  .type {}, %object", sym));
    line(sym + ":");
    line(fmt::format("  .incbin \\\"{}\\\"  /* {} bytes, FNV-1a 64 {:016x} */", bin, blob.bytes.size(), fnv1a64(blob.bytes)));
    line(fmt::format("  .size {}, {}", sym, blob.bytes.size()));
    // One global symbol per constant, which <name>.cpp declares with its type (the code that reads
    // it is then the same as with typed arrays; nm, map files and debuggers name each constant).
    e.decls.clear();
    for (TensorId id : m.weights) {
      const Tensor& t = g.t(id);
      const std::string s = fmt::format("ferrite_{}_{}", m.name, weight_symbol(g, id));
      e.decls += fmt::format("extern \"C\" alignas(16) const {} {}[{}];  // {} {} [{}]\n", dtype_c_type(t.dtype), s,
                             std::max<int64_t>(t.numel(), 1), comment_safe(t.name), dtype_name(t.dtype), shape_str(t.shape));
      e.refs[id] = "weights::" + s;
      line(fmt::format("  .global {}", s));
      line(fmt::format("  .set {}, {} + {}", s, sym, blob.offset.at(id)));
      line(fmt::format("  .type {}, %object", s));
      line(fmt::format("  .size {}, {}", s, padded_bytes(g.t(id))));
    }
    line("  .previous");
    e.file = header + fmt::format(
        "// The bytes are in {bin} ({n} bytes, FNV-1a 64 {h:016x}); the assembler's .incbin copies them\n"
        "// into the section, so the folder of {bin} must be on the include path (-I), as for {ns}.h.\n"
        "// Toolchains without GNU as syntax: generate with --weights-format text.\n"
        "#if defined(__has_include)\n"
        "#if !__has_include(<{bin}>)\n"
        "#error \"ferrite: {bin} (the model's constants) is not on the include path: compile {ns}_weights.cpp "
        "with -I<the folder of {bin}>\"\n"
        "#endif\n"
        "#endif\n"
        "// Constants (offsets into {sym}):\n{table}\n"
        "__asm__(\n{asm});\n",
        fmt::arg("bin", bin), fmt::arg("n", blob.bytes.size()), fmt::arg("h", fnv1a64(blob.bytes)),
        fmt::arg("ns", m.name), fmt::arg("sym", sym), fmt::arg("table", table), fmt::arg("asm", asm_text));
    return e;
  }
  // text: a string literal has one NUL byte more than its characters.
  e.section_bytes = blob.bytes.size() + 1;
  e.file = header + fmt::format(
      "// Constants (offsets into {sym}):\n{table}\n"
      "extern \"C\" alignas({align}) const unsigned char {sym}[] __attribute__((section(\"{section}\"))) =\n"
      "{lits};\n",
      fmt::arg("sym", sym), fmt::arg("table", table), fmt::arg("align", o.align), fmt::arg("section", o.section),
      fmt::arg("lits", string_literals(blob.bytes)));
  return e;
}

}  // namespace ferrite
