#include "driver/dataset.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "driver/npy.h"
#include "frontend/onnx_import.h"

namespace fs = std::filesystem;

namespace ferrite {

namespace {

Expected<std::string> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return make_error("cannot open '{}'", path);
  f.seekg(0, std::ios::end);
  const auto size = static_cast<uint64_t>(f.tellg());
  if (size > kMaxModelBytes) return make_error("'{}' is larger than the {} byte limit", path, kMaxModelBytes);
  f.seekg(0);
  std::string all(static_cast<size_t>(size), '\0');
  f.read(all.data(), static_cast<std::streamsize>(size));
  if (!f) return make_error("cannot read '{}'", path);
  return all;
}

uint32_t le16(const std::string& b, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(b[at])) | static_cast<uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8;
}
uint32_t le32(const std::string& b, size_t at) { return le16(b, at) | le16(b, at + 2) << 16; }
uint32_t be32(const std::string& b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(b[at + i]);
  return v;
}

bool starts_with(const std::string& b, const char* magic, size_t n) { return b.size() >= n && std::memcmp(b.data(), magic, n) == 0; }
bool is_gzip(const std::string& b) { return starts_with(b, "\x1f\x8b", 2); }
bool is_zip(const std::string& b) { return starts_with(b, "PK\x03\x04", 4); }
bool is_npy(const std::string& b) { return starts_with(b, "\x93NUMPY", 6); }
bool is_idx(const std::string& b) {
  return b.size() >= 4 && b[0] == 0 && b[1] == 0 && (b[2] == 0x08 || b[2] == 0x0D) && b[3] >= 1 && b[3] <= 8;
}

// An IDX file (big-endian header: 0, 0, type, rank, then rank 32-bit dims): unsigned bytes (scaled)
// or float32 values.
Expected<Tensor> parse_idx(const std::string& b, const std::string& what, float scale) {
  const size_t rank = static_cast<unsigned char>(b[3]);
  if (b.size() < 4 + 4 * rank) return make_error("'{}': truncated IDX header", what);
  Shape s;
  for (size_t i = 0; i < rank; ++i) s.push_back(static_cast<int64_t>(be32(b, 4 + 4 * i)));
  const bool bytes = b[2] == 0x08;
  FERRITE_TRY(check_tensor_size(s, bytes ? 1 : 4, fmt::format("'{}'", what)));
  const size_t n = static_cast<size_t>(shape_numel(s)), start = 4 + 4 * rank;
  if (b.size() - start != n * (bytes ? 1 : 4))
    return make_error("'{}': IDX data holds {} bytes, shape {} needs {}", what, b.size() - start, shape_str(s), n * (bytes ? 1 : 4));
  Tensor t;
  t.name = what;
  t.dtype = DType::F32;
  t.shape = s;
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) {
    if (bytes) {
      v[i] = static_cast<float>(static_cast<unsigned char>(b[start + i])) * scale;
    } else {
      const uint32_t u = be32(b, start + 4 * i);
      std::memcpy(&v[i], &u, 4);
    }
  }
  t.data = std::vector<uint8_t>(n * 4);
  std::memcpy(t.data->data(), v.data(), n * 4);
  return t;
}

// The members of a ZIP archive (.npz): name -> bytes, from the central directory.
Expected<std::vector<std::pair<std::string, std::string>>> read_zip(const std::string& b, const std::string& what) {
  if (b.size() < 22) return make_error("'{}': truncated ZIP archive", what);
  size_t eocd = std::string::npos;
  for (size_t i = b.size() - 22 + 1; i-- > 0 && b.size() - i <= 22 + 65535;)
    if (le32(b, i) == 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd == std::string::npos) return make_error("'{}': no ZIP end-of-directory record", what);
  const uint32_t count = le16(b, eocd + 10), cd_size = le32(b, eocd + 12), cd_off = le32(b, eocd + 16);
  if (count == 0xffff || cd_off == 0xffffffffu) return make_error("'{}': ZIP64 archives are not supported", what);
  if (static_cast<uint64_t>(cd_off) + cd_size > eocd) return make_error("'{}': ZIP directory out of range", what);
  std::vector<std::pair<std::string, std::string>> out;
  size_t at = cd_off;
  for (uint32_t k = 0; k < count; ++k) {
    if (at + 46 > eocd || le32(b, at) != 0x02014b50) return make_error("'{}': bad ZIP directory entry {}", what, k);
    const uint32_t method = le16(b, at + 10), csize = le32(b, at + 20), usize = le32(b, at + 24);
    const uint32_t nlen = le16(b, at + 28), elen = le16(b, at + 30), clen = le16(b, at + 32), loff = le32(b, at + 42);
    if (at + 46 + nlen > eocd) return make_error("'{}': bad ZIP directory entry {}", what, k);
    const std::string name = b.substr(at + 46, nlen);
    at += 46 + static_cast<size_t>(nlen) + elen + clen;
    if (csize == 0xffffffffu || usize == 0xffffffffu || loff == 0xffffffffu)
      return make_error("'{}': member '{}' needs ZIP64, which is not supported", what, name);
    if (static_cast<uint64_t>(loff) + 30 > b.size() || le32(b, loff) != 0x04034b50)
      return make_error("'{}': member '{}' has no local header", what, name);
    const size_t data = loff + 30 + static_cast<size_t>(le16(b, loff + 26)) + le16(b, loff + 28);
    if (data > b.size() || b.size() - data < csize) return make_error("'{}': member '{}' is truncated", what, name);
    const std::string raw = b.substr(data, csize);
    if (method == 0) {
      if (csize != usize) return make_error("'{}': member '{}' has inconsistent sizes", what, name);
      out.emplace_back(name, raw);
    } else if (method == 8) {
      auto inflated = inflate_bytes(raw, false, kMaxModelBytes);
      if (!inflated) return make_error("'{}': member '{}': {}", what, name, inflated.error().message);
      if (inflated->size() != usize) return make_error("'{}': member '{}' inflates to {} bytes, not {}", what, name, inflated->size(), usize);
      out.emplace_back(name, std::move(*inflated));
    } else {
      return make_error("'{}': member '{}' uses ZIP compression method {} (only stored and deflate are read)", what, name, method);
    }
  }
  return out;
}

// One array of one file, as float32 samples of an input.
Status add_samples(const Tensor& t, const DatasetInput& model_in, const std::string& what, std::vector<std::vector<float>>& out,
                   bool nhwc) {
  nhwc = nhwc && model_in.shape.size() == 4;
  DatasetInput in = model_in;  // the shape the data has
  if (nhwc) in.shape = {model_in.shape[0], model_in.shape[2], model_in.shape[3], model_in.shape[1]};
  const int64_t per = shape_numel(in.shape);
  if (per <= 0) return make_error("input '{}' has no static shape (give --input-shape)", in.name);
  int64_t n = 0;
  if (t.numel() == per) {
    n = 1;
  } else if (!t.shape.empty() && t.shape[0] > 0 && t.numel() % t.shape[0] == 0 && t.numel() / t.shape[0] == per) {
    n = t.shape[0];
  } else {
    Shape one(in.shape.begin() + (in.shape.empty() ? 0 : 1), in.shape.end());
    return make_error("'{}' has shape {}; input '{}' takes {} (one sample) or N x {} (N samples)", what,
                      shape_str(t.shape), in.name, shape_str(in.shape), shape_str(one));
  }
  if (t.dtype != DType::F32 && t.dtype != DType::F64)
    return make_error("'{}' holds {} values; input '{}' takes float32 (as the model reads it)", what, dtype_name(t.dtype), in.name);
  for (int64_t k = 0; k < n; ++k) {
    std::vector<float> v(static_cast<size_t>(per));
    for (int64_t i = 0; i < per; ++i) {
      const size_t at = static_cast<size_t>(k * per + i);
      if (t.dtype == DType::F32) {
        std::memcpy(&v[static_cast<size_t>(i)], t.data->data() + 4 * at, 4);
      } else {
        double d;
        std::memcpy(&d, t.data->data() + 8 * at, 8);
        v[static_cast<size_t>(i)] = static_cast<float>(d);
      }
      if (!std::isfinite(v[static_cast<size_t>(i)]))
        return make_error("'{}': sample {} holds a non-finite value ({}) at element {}", what, k, v[static_cast<size_t>(i)], i);
    }
    if (nhwc) {  // (1, H, W, C) -> (1, C, H, W)
      const auto H = static_cast<size_t>(in.shape[1]), W = static_cast<size_t>(in.shape[2]), C = static_cast<size_t>(in.shape[3]);
      std::vector<float> t2(v.size());
      for (size_t h = 0; h < H; ++h)
        for (size_t w = 0; w < W; ++w)
          for (size_t c = 0; c < C; ++c) t2[(c * H + h) * W + w] = v[(h * W + w) * C + c];
      v = std::move(t2);
    }
    out.push_back(std::move(v));
  }
  return Status::ok();
}

Expected<Tensor> parse_array(const std::string& bytes, const std::string& what, float idx_scale) {
  if (bytes.empty()) return make_error("'{}' is empty", what);
  if (is_npy(bytes)) return parse_npy(bytes, what);
  if (is_idx(bytes)) return parse_idx(bytes, what, idx_scale);
  if (is_gzip(bytes)) {
    auto raw = inflate_bytes(bytes, true, kMaxModelBytes);
    if (!raw) return make_error("'{}': {}", what, raw.error().message);
    if (!is_idx(*raw)) return make_error("'{}' is gzip'ed but holds no IDX file", what);
    return parse_idx(*raw, what, idx_scale);
  }
  return make_error("'{}' is not a .npy, IDX or gzip'ed IDX file", what);
}

std::vector<std::string> array_files(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && (e.path().extension() == ".npy" || e.path().extension() == ".pb")) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

Expected<std::string> inflate_bytes(const std::string& in, bool gzip, size_t max_bytes) {
  z_stream z{};
  if (inflateInit2(&z, gzip ? 16 + MAX_WBITS : -MAX_WBITS) != Z_OK) return make_error("zlib cannot start");
  std::string out;
  char buf[1 << 16];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&z);
      return make_error("corrupt compressed data (zlib: {})", z.msg ? z.msg : "error");
    }
    out.append(buf, sizeof buf - z.avail_out);
    if (out.size() > max_bytes) {
      inflateEnd(&z);
      return make_error("decompresses to more than {} bytes", max_bytes);
    }
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
      inflateEnd(&z);
      return make_error("truncated compressed data");
    }
  }
  inflateEnd(&z);
  return out;
}

Expected<Dataset> read_dataset(const std::string& path, const std::vector<DatasetInput>& inputs, const DatasetOptions& o) {
  if (inputs.empty()) return make_error("the model has no inputs to feed");
  std::error_code ec;
  std::vector<std::vector<std::vector<float>>> per_input(inputs.size());  // [input][sample]
  if (fs::is_directory(path, ec)) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      const std::string dir = inputs.size() == 1 ? path : (fs::path(path) / inputs[i].name).string();
      if (inputs.size() > 1 && !fs::is_directory(dir, ec))
        return make_error("'{}': the model has {} inputs, so the folder needs one sub-folder per input; '{}' is missing",
                          path, inputs.size(), inputs[i].name);
      const auto files = array_files(dir);
      if (files.empty()) return make_error("'{}' holds no .npy or .pb files", dir);
      for (const std::string& f : files) {
        auto t = read_tensor_file(f);
        if (!t) return t.error();
        FERRITE_TRY(add_samples(*t, inputs[i], f, per_input[i], o.nhwc));
        if (o.limit && per_input[i].size() >= o.limit) break;
      }
    }
  } else {
    auto bytes = slurp(path);
    if (!bytes) return bytes.error();
    if (is_zip(*bytes)) {
      auto members = read_zip(*bytes, path);
      if (!members) return members.error();
      if (members->empty()) return make_error("'{}' holds no arrays", path);
      for (size_t i = 0; i < inputs.size(); ++i) {
        const std::pair<std::string, std::string>* m = nullptr;
        for (const auto& mem : *members)
          if (mem.first == inputs[i].name + ".npy" || mem.first == inputs[i].name) m = &mem;
        if (!m && inputs.size() == 1 && members->size() == 1) m = &members->front();
        if (!m) {
          std::string names;
          for (const auto& mem : *members) names += (names.empty() ? "" : ", ") + mem.first;
          return make_error("'{}' has no array named after input '{}' (it holds: {})", path, inputs[i].name, names);
        }
        auto t = parse_array(m->second, path + ":" + m->first, o.idx_scale);
        if (!t) return t.error();
        FERRITE_TRY(add_samples(*t, inputs[i], path + ":" + m->first, per_input[i], o.nhwc));
      }
    } else {
      if (inputs.size() != 1)
        return make_error("'{}': a model with {} inputs takes a folder (one sub-folder per input) or an .npz archive", path, inputs.size());
      Expected<Tensor> t = is_npy(*bytes) || is_idx(*bytes) || is_gzip(*bytes) ? parse_array(*bytes, path, o.idx_scale)
                                                                                 : read_tensor_file(path);
      if (!t) return t.error();
      FERRITE_TRY(add_samples(*t, inputs[0], path, per_input[0], o.nhwc));
    }
  }
  size_t n = per_input[0].size();
  for (size_t i = 1; i < inputs.size(); ++i)
    if (per_input[i].size() != n)
      return make_error("'{}': input '{}' has {} samples, input '{}' has {}", path, inputs[0].name, n, inputs[i].name,
                        per_input[i].size());
  if (n == 0) return make_error("'{}' holds no samples", path);
  if (o.limit) n = std::min(n, o.limit);
  Dataset d;
  d.samples.resize(n);
  for (size_t k = 0; k < n; ++k)
    for (size_t i = 0; i < inputs.size(); ++i) d.samples[k].push_back(std::move(per_input[i][k]));
  d.description = fmt::format("{} sample{} from '{}'", n, n == 1 ? "" : "s", path);
  return d;
}

Expected<std::vector<int64_t>> read_labels(const std::string& path) {
  auto bytes = slurp(path);
  if (!bytes) return bytes.error();
  std::string b = std::move(*bytes);
  if (is_gzip(b)) {
    auto raw = inflate_bytes(b, true, kMaxModelBytes);
    if (!raw) return make_error("'{}': {}", path, raw.error().message);
    b = std::move(*raw);
  }
  std::vector<int64_t> out;
  if (b.size() >= 8 && b[0] == 0 && b[1] == 0 && b[2] == 0x08 && b[3] == 1) {
    const size_t n = be32(b, 4);
    if (b.size() - 8 != n) return make_error("'{}': IDX label file holds {} bytes for {} labels", path, b.size() - 8, n);
    for (size_t i = 0; i < n; ++i) out.push_back(static_cast<unsigned char>(b[8 + i]));
    return out;
  }
  if (!is_npy(b)) return make_error("'{}' is not a label file (a 1-D integer .npy or an IDX label file)", path);
  auto t = parse_npy(b, path);
  if (!t) return t.error();
  if (t->shape.size() != 1) return make_error("'{}': labels must be 1-D, got shape {}", path, shape_str(t->shape));
  if (t->dtype == DType::F32 || t->dtype == DType::F64) return make_error("'{}': labels must be integers, got {}", path, dtype_name(t->dtype));
  return t->as_i64();
}

}  // namespace ferrite
