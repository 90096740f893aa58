// Helpers shared by the CLI tests (test_bad_input.cpp, test_hostile.cpp): running the real
// `ferrite` binary as a subprocess, temporary folders, file snapshots, and building ONNX models with
// the protobuf API.
#pragma once
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <onnx/onnx_pb.h>

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {  // each test file gets its own copy

// ---- process and file helpers ----

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "ferrite-cli-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    if (std::getenv("FERRITE_TEST_KEEP")) return;
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  fs::path operator/(const std::string& s) const { return path / s; }
};

struct Result {
  int code = -1;
  std::string out;  // stdout and stderr, interleaved
  double seconds = 0;
  double cpu_seconds = 0;  // user + system CPU time of ferrite and the children it waited for
};

// Limits for a run: a wall-clock timeout (SIGALRM, so a hang shows as exit code 128 + 14) and an
// address-space limit (RLIMIT_AS), both 0 = none.
struct Limits {
  unsigned timeout_s = 0;
  uint64_t address_space = 0;
};

// Runs FERRITE_BIN with `args` (no shell), capturing stdout+stderr and the exit code.
Result ferrite(const std::vector<std::string>& args, Limits limits = {}) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> argv_s = {FERRITE_BIN};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[1]);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    // (an ASan build reserves terabytes of shadow address space: scripts/sanitize.sh turns the limit off)
    if (limits.address_space && !std::getenv("FERRITE_TEST_NO_RLIMIT")) {
      struct rlimit rl = {limits.address_space, limits.address_space};
      setrlimit(RLIMIT_AS, &rl);
    }
    if (limits.timeout_s) alarm(limits.timeout_s);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  Result r;
  const auto t0 = std::chrono::steady_clock::now();
  char buf[4096];
  for (;;) {
    ssize_t k = read(fds[0], buf, sizeof buf);
    if (k > 0) r.out.append(buf, static_cast<size_t>(k));
    else if (k == 0 || errno != EINTR) break;
  }
  close(fds[0]);
  int status = 0;
  struct rusage ru {};
  while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                  static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  return r;
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(f.good());
}

std::string read_bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// Names of the entries of a directory (not recursive), sorted.
std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> r;
  for (const auto& e : fs::directory_iterator(dir)) r.insert(e.path().filename().string());
  return r;
}

// Every file under `dir` with its content, for "unchanged" checks.
std::vector<std::pair<std::string, std::string>> snapshot(const fs::path& dir) {
  std::vector<std::pair<std::string, std::string>> r;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    r.emplace_back(fs::relative(e.path(), dir).string(), e.is_regular_file() ? read_bytes(e.path()) : "<dir>");
  std::sort(r.begin(), r.end());
  return r;
}

// NumPy .npy v1.0, float32, C order.
void write_npy_f32(const fs::path& p, const std::vector<int64_t>& shape, const std::vector<float>& v) {
  std::string dims;
  for (size_t i = 0; i < shape.size(); ++i) dims += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
  if (!dims.empty() && dims.back() == ',' && shape.size() > 1) dims.pop_back();
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  while ((header.size() + 1 + 10) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  out += header;
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
  write_bytes(p, out);
}

// ---- model building ----

onnx::ModelProto new_model(const std::string& graph_name = "g") {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("ferrite-cli-tests");
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(13);
  m.mutable_graph()->set_name(graph_name);
  return m;
}

// A dim is a value (>= 0) or a symbolic name (dim_param).
struct Dim {
  int64_t value = -1;
  std::string param;
  Dim(int64_t v) : value(v) {}          // NOLINT(google-explicit-constructor)
  Dim(const char* p) : param(p) {}      // NOLINT(google-explicit-constructor)
};

void set_type(onnx::ValueInfoProto* vi, int elem, const std::vector<Dim>* dims) {
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem);
  if (!dims) return;
  auto* sh = tt->mutable_shape();
  for (const auto& d : *dims) {
    auto* dd = sh->add_dim();
    if (d.param.empty()) dd->set_dim_value(d.value);
    else dd->set_dim_param(d.param);
  }
}

void add_input(onnx::ModelProto& m, const std::string& name, const std::vector<Dim>& dims,
               int elem = onnx::TensorProto::FLOAT) {
  set_type(m.mutable_graph()->add_input(), elem, &dims);
  m.mutable_graph()->mutable_input()->rbegin()->set_name(name);
}

// The ONNX checker wants a shape on graph outputs; a Dim("?") leaves that dim unknown.
void add_output(onnx::ModelProto& m, const std::string& name, const std::vector<Dim>& dims,
                int elem = onnx::TensorProto::FLOAT) {
  auto* vi = m.mutable_graph()->add_output();
  set_type(vi, elem, &dims);
  vi->set_name(name);
  for (auto& d : *vi->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim())
    if (d.dim_param() == "?") d.clear_dim_param();
}

onnx::NodeProto* add_node(onnx::ModelProto& m, const std::string& op, const std::string& name,
                          const std::vector<std::string>& ins, const std::vector<std::string>& outs,
                          const std::string& domain = "") {
  auto* n = m.mutable_graph()->add_node();
  n->set_op_type(op);
  n->set_name(name);
  if (!domain.empty()) n->set_domain(domain);
  for (const auto& i : ins) n->add_input(i);
  for (const auto& o : outs) n->add_output(o);
  return n;
}

void add_ints_attr(onnx::NodeProto* n, const std::string& name, std::initializer_list<int64_t> v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (auto x : v) a->add_ints(x);
}

void add_f32_init(onnx::ModelProto& m, const std::string& name, const std::vector<int64_t>& dims,
                  const std::vector<float>& v) {
  auto* t = m.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (auto d : dims) t->add_dims(d);
  t->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
}

void save(const onnx::ModelProto& m, const fs::path& p) {
  std::string bytes;
  REQUIRE(m.SerializeToString(&bytes));
  write_bytes(p, bytes);
}

std::vector<float> ramp(size_t n, float scale = 0.01f) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<float>(static_cast<int>(i % 17) - 8) * scale;
  return v;
}

// Conv(8 filters, 3x3, pad 1) + Relu on a 1x3x16x16 input, with initializer weights.
onnx::ModelProto conv_relu_model() {
  auto m = new_model("conv_relu");
  add_input(m, "image", {1, 3, 16, 16});
  add_f32_init(m, "conv1.weight", {8, 3, 3, 3}, ramp(8 * 3 * 3 * 3));
  add_f32_init(m, "conv1.bias", {8}, ramp(8, 0.1f));
  auto* conv = add_node(m, "Conv", "conv1", {"image", "conv1.weight", "conv1.bias"}, {"conv1_out"});
  add_ints_attr(conv, "kernel_shape", {3, 3});
  add_ints_attr(conv, "pads", {1, 1, 1, 1});
  add_node(m, "Relu", "relu1", {"conv1_out"}, {"features"});
  add_output(m, "features", {1, 8, 16, 16});
  return m;
}

const char* const kGenerated[] = {".h", ".cpp", "_weights.cpp", "_weights.bin", "_report.json", "_report.txt", "_memory.html"};

// A failed compile must leave neither the output directory nor a temporary directory behind.
void require_nothing_written(const TempDir& t, const fs::path& out, const std::set<std::string>& before) {
  CHECK_FALSE(fs::exists(out));
  CHECK(listing(t.path) == before);
}

int count(const std::string& hay, const std::string& needle) {
  int n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

}  // namespace
