// Minimal, strict .npy reader/writer: numeric dtypes only, no pickles, no Fortran order.
#include "driver/npy.h"

#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

#include "frontend/onnx_import.h"

namespace ferrite {

static const char kMagic[] = "\x93NUMPY";

static DType dtype_from_descr(const std::string& d) {
  static const std::pair<const char*, DType> table[] = {
      {"<f4", DType::F32}, {"<f8", DType::F64}, {"<f2", DType::F16}, {"<i8", DType::I64}, {"<i4", DType::I32}, {"<i2", DType::I16},
      {"|i1", DType::I8},  {"|u1", DType::U8},  {"<u2", DType::U16}, {"<u4", DType::U32}, {"<u8", DType::U64},
      {"|b1", DType::Bool}};
  for (const auto& [s, t] : table)
    if (d == s) return t;
  return DType::Undefined;
}

static const char* descr_of(DType t) {
  switch (t) {
    case DType::F32: return "<f4";
    case DType::F64: return "<f8";
    case DType::F16: return "<f2";
    case DType::BF16: return "<u2";  // numpy has no bfloat16: its bits, as ONNX's test data hold them
    case DType::I64: return "<i8";
    case DType::I32: return "<i4";
    case DType::I16: return "<i2";
    case DType::I8: return "|i1";
    case DType::U8: return "|u1";
    case DType::U16: return "<u2";
    case DType::U32: return "<u4";
    case DType::U64: return "<u8";
    case DType::Bool: return "|b1";
    default: return "|u1";
  }
}

Expected<Tensor> read_npy(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return make_error("cannot open '{}'", path);
  f.seekg(0, std::ios::end);
  if (static_cast<uint64_t>(f.tellg()) > kMaxModelBytes)
    return make_error("'{}' is larger than the {} byte limit", path, kMaxModelBytes);
  f.seekg(0);
  std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return parse_npy(all, path);
}

Expected<Tensor> parse_npy(const std::string& all, const std::string& path) {
  if (all.size() < 10 || all.compare(0, 6, kMagic, 6) != 0) return make_error("'{}' is not a .npy file", path);
  const int major = static_cast<unsigned char>(all[6]);
  size_t hlen, hstart;
  if (major == 1) {
    hlen = static_cast<unsigned char>(all[8]) | (static_cast<size_t>(static_cast<unsigned char>(all[9])) << 8);
    hstart = 10;
  } else {
    if (all.size() < 12) return make_error("'{}': truncated .npy header", path);
    hlen = 0;
    for (int i = 0; i < 4; ++i) hlen |= static_cast<size_t>(static_cast<unsigned char>(all[8 + static_cast<size_t>(i)])) << (8 * i);
    hstart = 12;
  }
  if (hstart + hlen > all.size()) return make_error("'{}': truncated .npy header", path);
  const std::string h = all.substr(hstart, hlen);
  std::smatch md, mf, ms;
  if (!std::regex_search(h, md, std::regex("'descr':\\s*'([^']*)'")) ||
      !std::regex_search(h, mf, std::regex("'fortran_order':\\s*(True|False)")) ||
      !std::regex_search(h, ms, std::regex("'shape':\\s*\\(([^)]*)\\)")))
    return make_error("'{}': cannot parse the .npy header", path);
  if (mf[1] == "True") return make_error("'{}': Fortran-order arrays are not supported", path);
  Tensor t;
  t.name = path;
  t.dtype = dtype_from_descr(md[1]);
  if (t.dtype == DType::Undefined) return make_error("'{}': dtype {} is not supported", path, std::string(md[1]));
  std::stringstream ss(ms[1]);
  std::string tok;
  while (std::getline(ss, tok, ',')) {
    tok.erase(0, tok.find_first_not_of(" "));
    tok.erase(tok.find_last_not_of(" ") + 1);
    if (tok.empty()) continue;
    if (tok.size() > 18 || tok.find_first_not_of("0123456789") != std::string::npos)
      return make_error("'{}': bad dimension '{}' in the .npy header", path, tok.substr(0, 40));
    t.shape.push_back(std::stoll(tok));
  }
  FERRITE_TRY(check_tensor_size(t.shape, dtype_size(t.dtype), fmt::format("'{}'", path)));
  const size_t start = hstart + hlen;
  if (all.size() - start != t.bytes())
    return make_error("'{}': holds {} data bytes, shape {} needs {}", path, all.size() - start, shape_str(t.shape), t.bytes());
  t.data = std::vector<uint8_t>(all.begin() + static_cast<std::ptrdiff_t>(start), all.end());
  return t;
}

Status write_npy(const std::string& path, const Tensor& t) {
  std::string shape = "(";
  for (size_t i = 0; i < t.shape.size(); ++i) shape += std::to_string(t.shape[i]) + (t.shape.size() == 1 || i + 1 < t.shape.size() ? "," : "");
  shape += ")";
  std::string h = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", descr_of(t.dtype), shape);
  while ((10 + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::ofstream f(path, std::ios::binary);
  if (!f) return make_error("cannot write '{}'", path);
  f.write(kMagic, 6);
  const char ver[2] = {1, 0};
  f.write(ver, 2);
  const char len[2] = {static_cast<char>(h.size() & 0xff), static_cast<char>(h.size() >> 8)};
  f.write(len, 2);
  f << h;
  if (t.data) f.write(reinterpret_cast<const char*>(t.data->data()), static_cast<std::streamsize>(t.data->size()));
  if (!f) return make_error("cannot write '{}'", path);
  return Status::ok();
}

bool match_bf16_bits(Tensor& t, DType model) {
  if (model == DType::BF16 && t.dtype == DType::U16) t.dtype = DType::BF16;
  return t.dtype == model;
}

Expected<Tensor> read_tensor_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return make_error("cannot open '{}'", path);
  char magic[6] = {};
  f.read(magic, 6);
  if (f.gcount() == 0) return make_error("'{}' is empty: expected a .npy file or a serialized ONNX TensorProto", path);
  if (f.gcount() == 6 && std::memcmp(magic, kMagic, 6) == 0) return read_npy(path);
  return read_tensor_pb(path);
}

}  // namespace ferrite
