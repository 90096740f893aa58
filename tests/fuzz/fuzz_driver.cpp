// Deterministic mutation fuzzer for the normal (g++) build: `ctest -R fuzz` runs it with a short
// budget, scripts/fuzz.sh for longer. Mutant i is a pure function of (--seed, i): a seed input
// (round robin over the corpus) changed by structure-aware mutations of the ONNX protobuf (attribute
// values, dims, dtypes, op types, wiring, opsets, external-data references) and by byte mutations.
// Mutants run in a forked worker; a worker that dies by a signal is a crash, one that spends longer
// than --hang-seconds of CPU time on one input (with its sandbox worker), or ten times that on the
// wall clock, a hang. Both are saved to --crash-dir (replay with --replay) and
// make the exit code 1. So is an input whose sandbox worker (ONNX's code, frontend/sandbox.h) dies: the
// compiler contains that as a refusal, but ONNX crashed or a sanitizer stopped it. Exceptions that
// escape the compiler are counted and saved too.
//
//   ferrite_fuzz --target model --corpus DIR_OR_FILE... [--count N] [--seconds S] [--seed K] [--first I]
//                [--hang-seconds H] [--crash-dir DIR] [--memory-mib M] [--strict] [--progress-seconds P]
// --progress-seconds prints the running counts every P seconds (for long runs that may be stopped).
// --first I starts at mutant I (mutants I to N-1 run): to rerun part of a long run.
//   ferrite_fuzz --target model --replay FILE...
//   ferrite_fuzz --target model --corpus ... --seed K --dump I... [--crash-dir DIR]  (writes mutants I)
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include <onnx/onnx_pb.h>

#include "frontend/sandbox.h"

#include "fuzz_target.h"

namespace fs = std::filesystem;
using namespace ferrite::fuzz;

namespace {

struct Rng {
  uint64_t s;
  uint64_t next() {  // splitmix64
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return n ? static_cast<size_t>(next() % n) : 0; }
  bool chance(int percent) { return below(100) < static_cast<size_t>(percent); }
};

constexpr int64_t kInteresting[] = {0, 1, -1, 2, 3, 4, 7, 16, 127, -128, 255, 256, 1 << 15, 1 << 16,
                                    (int64_t{1} << 31) - 1, int64_t{1} << 31, -(int64_t{1} << 31), int64_t{1} << 32,
                                    int64_t{1} << 62, std::numeric_limits<int64_t>::max(),
                                    std::numeric_limits<int64_t>::min()};
int64_t interesting(Rng& r) {
  if (r.chance(30)) return static_cast<int64_t>(r.below(9)) - 1;  // small values, often legal
  return kInteresting[r.below(std::size(kInteresting))];
}

const char* const kOps[] = {"Conv", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Clip", "Sigmoid", "Softmax",
                            "MaxPool", "AveragePool", "GlobalAveragePool", "BatchNormalization", "Reshape", "Flatten",
                            "Squeeze", "Unsqueeze", "Transpose", "Concat", "Pad", "Slice", "ReduceMean", "Identity",
                            "QuantizeLinear", "DequantizeLinear", "QLinearConv", "QLinearMatMul", "ConvInteger",
                            "MatMulInteger", "Shape", "Gather", "Cast", "ConstantOfShape", "Range", "Expand", "Where",
                            "HardSwish", "LeakyRelu", "PRelu", "Tanh", "Constant"};
const char* const kAttrs[] = {"axis", "axes", "group", "strides", "pads", "dilations", "kernel_shape", "perm", "transA",
                              "transB", "to", "keepdims", "ceil_mode", "auto_pad", "alpha", "epsilon", "value"};
const int kDtypes[] = {1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 0, 8, 16, 99};

std::string& random_name(onnx::GraphProto& g, Rng& r) {
  static std::string empty;
  const int nodes = g.node_size();
  if (!nodes) return empty;
  auto& n = *g.mutable_node(static_cast<int>(r.below(static_cast<size_t>(nodes))));
  if (n.input_size() && r.chance(70)) return *n.mutable_input(static_cast<int>(r.below(static_cast<size_t>(n.input_size()))));
  if (n.output_size()) return *n.mutable_output(static_cast<int>(r.below(static_cast<size_t>(n.output_size()))));
  return empty;
}

void mutate_dims(google::protobuf::RepeatedField<int64_t>* dims, Rng& r) {
  if (dims->empty() || r.chance(15)) {
    dims->Add(interesting(r));
    return;
  }
  const int i = static_cast<int>(r.below(static_cast<size_t>(dims->size())));
  if (r.chance(15)) {
    dims->erase(dims->begin() + i);
    return;
  }
  dims->Set(i, interesting(r));
}

void mutate_shape(onnx::TypeProto* t, Rng& r) {
  auto* sh = t->mutable_tensor_type()->mutable_shape();
  if (r.chance(10)) t->mutable_tensor_type()->set_elem_type(kDtypes[r.below(std::size(kDtypes))]);
  if (sh->dim_size() == 0 || r.chance(10)) {
    sh->add_dim()->set_dim_value(interesting(r));
    return;
  }
  auto* d = sh->mutable_dim(static_cast<int>(r.below(static_cast<size_t>(sh->dim_size()))));
  if (r.chance(20)) d->set_dim_param("n");
  else d->set_dim_value(interesting(r));
}

void mutate_attribute(onnx::NodeProto& n, Rng& r) {
  if (n.attribute_size() == 0 || r.chance(20)) {
    auto* a = n.add_attribute();
    a->set_name(kAttrs[r.below(std::size(kAttrs))]);
    if (r.chance(50)) {
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(interesting(r));
    } else {
      a->set_type(onnx::AttributeProto::INTS);
      for (size_t k = 0, e = 1 + r.below(4); k < e; ++k) a->add_ints(interesting(r));
    }
    return;
  }
  auto* a = n.mutable_attribute(static_cast<int>(r.below(static_cast<size_t>(n.attribute_size()))));
  switch (r.below(6)) {
    case 0: a->set_i(interesting(r)); break;
    case 1:
      if (a->ints_size()) a->set_ints(static_cast<int>(r.below(static_cast<size_t>(a->ints_size()))), interesting(r));
      else a->add_ints(interesting(r));
      break;
    case 2: a->set_f(r.chance(50) ? 0.f : r.chance(50) ? -1e30f : std::numeric_limits<float>::quiet_NaN()); break;
    case 3: a->set_type(static_cast<onnx::AttributeProto::AttributeType>(r.below(12))); break;
    case 4: a->set_s(r.chance(50) ? "SAME_UPPER" : std::string("\0x", 2)); break;
    default:
      if (a->has_t()) mutate_dims(a->mutable_t()->mutable_dims(), r);
      else a->add_ints(interesting(r));
  }
}

void mutate_initializer(onnx::TensorProto& t, Rng& r) {
  switch (r.below(6)) {
    case 0: mutate_dims(t.mutable_dims(), r); break;
    case 1: t.set_data_type(kDtypes[r.below(std::size(kDtypes))]); break;
    case 2: {
      std::string raw = t.raw_data();
      if (raw.empty() || r.chance(50)) raw.resize(r.below(raw.size() + 17));
      else raw[r.below(raw.size())] = static_cast<char>(r.next());
      t.set_raw_data(raw);
      break;
    }
    case 3: {  // external data with odd references
      t.set_data_location(onnx::TensorProto::EXTERNAL);
      t.clear_external_data();
      const char* locs[] = {"weights.bin", "../weights.bin", "/etc/hostname", "a\x01" "b", "", "model.onnx", "."};
      auto* e = t.add_external_data();
      e->set_key("location");
      e->set_value(locs[r.below(std::size(locs))]);
      if (r.chance(50)) {
        auto* o = t.add_external_data();
        o->set_key(r.chance(50) ? "offset" : "length");
        o->set_value(r.chance(50) ? std::to_string(interesting(r)) : "12x");
      }
      break;
    }
    case 4:  // typed field instead of raw data
      t.clear_raw_data();
      for (size_t k = 0, e = r.below(5); k < e; ++k) t.add_float_data(static_cast<float>(interesting(r)));
      for (size_t k = 0, e = r.below(5); k < e; ++k) t.add_int64_data(interesting(r));
      break;
    default: {  // scale-like values: 0, negative, NaN, huge
      std::string raw = t.raw_data();
      if (raw.size() >= 4) {
        const float v[] = {0.f, -1.f, 1e38f, std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()};
        std::memcpy(raw.data() + 4 * r.below(raw.size() / 4), &v[r.below(std::size(v))], 4);
        t.set_raw_data(raw);
      }
    }
  }
}

// Structure-aware mutations of a parsed model.
void mutate_model(onnx::ModelProto& m, Rng& r) {
  auto* g = m.mutable_graph();
  for (size_t step = 0, steps = 1 + r.below(3); step < steps; ++step) {
    const int nodes = g->node_size();
    auto* node = nodes ? g->mutable_node(static_cast<int>(r.below(static_cast<size_t>(nodes)))) : nullptr;
    switch (r.below(12)) {
      case 0:
      case 1:
      case 2:
        if (node) mutate_attribute(*node, r);
        break;
      case 3:
        if (g->initializer_size())
          mutate_initializer(*g->mutable_initializer(static_cast<int>(r.below(static_cast<size_t>(g->initializer_size())))), r);
        break;
      case 4:
        if (g->input_size()) mutate_shape(g->mutable_input(static_cast<int>(r.below(static_cast<size_t>(g->input_size()))))->mutable_type(), r);
        break;
      case 5:
        if (g->output_size()) mutate_shape(g->mutable_output(static_cast<int>(r.below(static_cast<size_t>(g->output_size()))))->mutable_type(), r);
        else if (g->value_info_size()) mutate_shape(g->mutable_value_info(0)->mutable_type(), r);
        break;
      case 6:
        if (node) node->set_op_type(kOps[r.below(std::size(kOps))]);
        break;
      case 7: {  // rewire: an input takes another tensor's name (or none)
        std::string& a = random_name(*g, r);
        std::string b = random_name(*g, r);
        a = r.chance(15) ? std::string() : b;
        break;
      }
      case 8:
        if (node && r.chance(50)) *g->add_node() = *node;  // a duplicate producer
        else if (nodes) g->mutable_node()->DeleteSubrange(static_cast<int>(r.below(static_cast<size_t>(nodes))), 1);
        break;
      case 9:
        if (m.opset_import_size()) m.mutable_opset_import(0)->set_version(static_cast<int64_t>(r.below(22)));
        break;
      case 10:  // graph outputs: add one naming an existing tensor, or drop one
        if (r.chance(50) && nodes && node->output_size()) {
          auto* o = g->add_output();
          o->set_name(node->output(0));
          o->mutable_type()->mutable_tensor_type()->set_elem_type(1);
        } else if (g->output_size()) {
          g->mutable_output()->DeleteSubrange(static_cast<int>(r.below(static_cast<size_t>(g->output_size()))), 1);
        }
        break;
      default:
        if (node && node->input_size()) {  // an extra or a missing input
          if (r.chance(50)) node->add_input(random_name(*g, r));
          else node->mutable_input()->RemoveLast();
        }
    }
  }
}

void mutate_bytes(std::string& s, Rng& r) {
  for (size_t step = 0, steps = 1 + r.below(4); step < steps; ++step) {
    if (s.empty()) {
      s.push_back(static_cast<char>(r.next()));
      continue;
    }
    const size_t at = r.below(s.size());
    switch (r.below(6)) {
      case 0: s[at] = static_cast<char>(s[at] ^ (1u << r.below(8))); break;
      case 1: s[at] = static_cast<char>(kInteresting[r.below(std::size(kInteresting))]); break;
      case 2: s.erase(at, 1 + r.below(std::min<size_t>(16, s.size() - at))); break;
      case 3: s.insert(at, s.substr(r.below(s.size()), 1 + r.below(16))); break;
      case 4: s.resize(at); break;
      default: {  // a varint-sized field length bumped
        s[at] = static_cast<char>(0x80 | r.next());
      }
    }
  }
}

std::string make_mutant(Target target, const std::vector<std::string>& corpus, uint64_t seed, uint64_t i) {
  Rng r{seed * 0x100000001b3ull ^ (i + 1) * 0x9e3779b97f4a7c15ull};
  r.next();
  std::string s = corpus[i % corpus.size()];
  if (target == Target::Model && r.chance(80)) {
    onnx::ModelProto m;
    if (m.ParseFromString(s)) {
      mutate_model(m, r);
      std::string out;
      if (m.SerializeToString(&out)) s = std::move(out);
      if (r.chance(15)) mutate_bytes(s, r);
      return s;
    }
  }
  if (target == Target::TensorPb && r.chance(70)) {
    onnx::TensorProto t;
    if (t.ParseFromString(s)) {
      mutate_initializer(t, r);
      std::string out;
      if (t.SerializeToString(&out)) return out;
    }
  }
  mutate_bytes(s, r);
  return s;
}

std::string read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

struct Shared {
  std::atomic<uint64_t> current, done;
  std::atomic<int64_t> started_ms;
  // The worker's and its sandbox worker's CPU time when the current input started, and that sandbox
  // worker (or -1): a pair the watcher must read together, so the worker publishes them under a
  // sequence number (odd while it writes). Read apart, a new start with the previous input's sandbox
  // worker (replaced every kWorkerJobs jobs) counted that worker's whole life as this input's time.
  std::atomic<uint64_t> cpu_seq;
  std::atomic<int64_t> started_cpu_ms;
  std::atomic<int> sandbox_pid;
  std::atomic<uint64_t> outcomes[3];
  std::atomic<uint64_t> slow;  // inputs that took more than 5 s
  std::atomic<int64_t> slowest_ms;
  std::atomic<uint64_t> slowest;      // the mutant that took longest (wall clock)
  std::atomic<int64_t> slowest_cpu_ms;
  std::atomic<uint64_t> slowest_cpu;  // ... and the one that took most CPU time
  std::atomic<uint64_t> slow_cpu;     // inputs that took more than 5 s of CPU time
  std::atomic<uint32_t> n_exceptions;
  uint64_t exceptions[64];
  // Inputs whose sandbox worker died (ONNX's code crashed or a sanitizer aborted it there: the
  // compiler contained it as a refusal, but it is a finding all the same), with the signal.
  std::atomic<uint32_t> n_sandbox_deaths;
  uint64_t sandbox_deaths[64];
  int sandbox_death_signals[64];
};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// CPU time of this process and of its persistent sandbox worker (frontend/sandbox.h), in ms: on a
// loaded machine (or at nice 19) the wall clock measures the other processes too.
struct CpuClock {
  int worker = -1;
  int64_t worker_ms = 0;
};
int64_t cpu_ms(clockid_t c) {
  timespec ts{};
  if (clock_gettime(c, &ts) != 0) return 0;
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}
CpuClock cpu_clock() {
  CpuClock c;
  c.worker = ferrite::sandbox_worker_stats().pid;
  clockid_t w;
  if (c.worker > 0 && clock_getcpuclockid(c.worker, &w) == 0) c.worker_ms = cpu_ms(w);
  return c;
}
// CPU ms spent between `before` and now, here and in the sandbox worker (a worker replaced in
// between counts from its start; a dead one's last job is lost).
int64_t cpu_since(int64_t self_before, const CpuClock& before) {
  const CpuClock now = cpu_clock();
  const int64_t worker = now.worker == before.worker ? now.worker_ms - before.worker_ms : now.worker_ms;
  return cpu_ms(CLOCK_PROCESS_CPUTIME_ID) - self_before + worker;
}

int usage() {
  std::fprintf(stderr,
               "usage: ferrite_fuzz --target model|npy|pb|tflite --corpus PATH... [--count N] [--seconds S] [--seed K]\n"
               "                    [--first I] [--hang-seconds H] [--crash-dir DIR] [--memory-mib M] [--strict]\n"
               "                    [--progress-seconds P]\n"
               "       ferrite_fuzz --target model|npy|pb|tflite --replay FILE...\n"
               "       ferrite_fuzz --target model|npy|pb|tflite --corpus PATH... --seed K --dump I... [--crash-dir DIR]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Target target = Target::Model;
  std::vector<std::string> corpus_paths, replay, dump;
  uint64_t count = 1000, seed = 1, first = 0;
  double seconds = 0, hang_seconds = 10, progress_seconds = 0;
  uint64_t memory_mib = 4096;
  std::string crash_dir = "fuzz-crashes";
  bool strict = false;
  std::vector<std::string>* list = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto val = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--target") {
      const std::string t = val();
      target = t == "npy" ? Target::Npy : t == "pb" ? Target::TensorPb : t == "tflite" ? Target::Tflite : Target::Model;
      list = nullptr;
    } else if (a == "--corpus") list = &corpus_paths;
    else if (a == "--replay") list = &replay;
    else if (a == "--dump") list = &dump;
    else if (a == "--count") count = std::stoull(val());
    else if (a == "--first") first = std::stoull(val());
    else if (a == "--seconds") seconds = std::stod(val());
    else if (a == "--seed") seed = std::stoull(val());
    else if (a == "--hang-seconds") hang_seconds = std::stod(val());
    else if (a == "--progress-seconds") progress_seconds = std::stod(val());
    else if (a == "--crash-dir") crash_dir = val();
    else if (a == "--memory-mib") memory_mib = std::stoull(val());
    else if (a == "--strict") strict = true;
    else if (list && a.rfind("--", 0) != 0) list->push_back(a);
    else return usage();
  }
  if (!replay.empty()) {
    int bad = 0, dead = 0;
    for (const auto& f : replay) {
      const std::string bytes = read_all(f);
      std::string what;
      const auto t0 = now_ms();
      const uint64_t died_before = ferrite::sandbox_worker_stats().died;
      const Outcome o = run_one(target, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &what);
      const bool died = ferrite::sandbox_worker_stats().died != died_before;
      std::printf("%s: %s after %.2f s%s%s\n", f.c_str(),
                  died ? "SANDBOX WORKER DIED"
                  : o == Outcome::Compiled ? "compiled" : o == Outcome::Refused ? "refused" : "EXCEPTION",
                  static_cast<double>(now_ms() - t0) / 1000.0, what.empty() ? "" : ": ", what.substr(0, 300).c_str());
      bad += o == Outcome::Exception;
      dead += died;
    }
    return dead || (bad && strict) ? 1 : 0;
  }
  const char* ext = target == Target::Model ? ".onnx" : target == Target::Npy ? ".npy" : target == Target::Tflite ? ".tflite" : ".pb";
  std::vector<std::string> corpus;
  std::vector<fs::path> files;
  for (const auto& p : corpus_paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (const auto& e : fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec))
        if (e.is_regular_file(ec) && e.path().extension() == ext && e.file_size(ec) <= (1u << 20)) files.push_back(e.path());
    } else if (fs::is_regular_file(p, ec)) {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) corpus.push_back(read_all(f));
  if (corpus.empty()) {
    std::fprintf(stderr, "ferrite_fuzz: no %s seed files in the corpus\n", ext);
    return 2;
  }

  auto* sh = static_cast<Shared*>(mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  if (sh == MAP_FAILED) return 2;
  new (sh) Shared{};
  const int64_t t_start = now_ms();
  const int64_t deadline = seconds > 0 ? t_start + static_cast<int64_t>(seconds * 1000) : std::numeric_limits<int64_t>::max();
  std::vector<std::pair<uint64_t, std::string>> crashes;  // mutant, what
  auto save = [&](uint64_t i, const std::string& kind) {
    fs::create_directories(crash_dir);
    const fs::path p = fs::path(crash_dir) / (kind + "-seed" + std::to_string(seed) + "-" + std::to_string(i) + ext);
    const std::string bytes = make_mutant(target, corpus, seed, i);
    std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return p.string();
  };
  if (!dump.empty()) {  // write mutants (e.g. the slowest of a run's summary) to look at them
    for (const auto& d : dump) std::printf("%s\n", save(std::stoull(d), "mutant").c_str());
    return 0;
  }
  uint64_t next = first;
  int64_t next_progress = progress_seconds > 0 ? t_start + static_cast<int64_t>(progress_seconds * 1000) : std::numeric_limits<int64_t>::max();
  auto summary = [&](const char* head) {
    const uint64_t ran = sh->outcomes[0] + sh->outcomes[1] + sh->outcomes[2] + crashes.size();
    const size_t found = crashes.size() + sh->n_sandbox_deaths.load();
    std::printf("%s: target %s, %zu seeds, seed %llu: %llu mutants in %.1f s: %llu compiled, %llu refused, "
                "%llu exceptions, %zu crashes or hangs, %llu slower than 5 s (%llu of CPU time); slowest mutant %llu "
                "(%.2f s), most CPU mutant %llu (%.2f s)\n",
                head, ext + 1, corpus.size(), static_cast<unsigned long long>(seed), static_cast<unsigned long long>(ran),
                static_cast<double>(now_ms() - t_start) / 1000.0, static_cast<unsigned long long>(sh->outcomes[0].load()),
                static_cast<unsigned long long>(sh->outcomes[1].load()), static_cast<unsigned long long>(sh->outcomes[2].load()),
                found, static_cast<unsigned long long>(sh->slow.load()), static_cast<unsigned long long>(sh->slow_cpu.load()),
                static_cast<unsigned long long>(sh->slowest.load()), static_cast<double>(sh->slowest_ms.load()) / 1000.0,
                static_cast<unsigned long long>(sh->slowest_cpu.load()), static_cast<double>(sh->slowest_cpu_ms.load()) / 1000.0);
    std::fflush(stdout);
  };
  while (next < count && now_ms() < deadline) {
    sh->done = next;
    sh->current = next;
    sh->started_ms = now_ms();
    ++sh->cpu_seq;
    sh->started_cpu_ms = 0;
    sh->sandbox_pid = -1;
    ++sh->cpu_seq;
    const pid_t pid = fork();
    if (pid < 0) return 2;
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // the worker (and its sandbox worker) die with the driver
      if (memory_mib) {  // 0 = no limit (ASan builds reserve terabytes of shadow address space)
        struct rlimit rl = {memory_mib << 20, memory_mib << 20};
        setrlimit(RLIMIT_AS, &rl);
      }
      const int devnull = open("/dev/null", O_WRONLY);
      if (devnull >= 0) dup2(devnull, 2);  // ONNX prints warnings
      for (uint64_t i = next; i < count && now_ms() < deadline; ++i) {
        const std::string m = make_mutant(target, corpus, seed, i);
        sh->current = i;
        sh->started_ms = now_ms();
        const int64_t self_before = cpu_ms(CLOCK_PROCESS_CPUTIME_ID);
        const CpuClock before = cpu_clock();
        ++sh->cpu_seq;
        sh->sandbox_pid = before.worker;
        sh->started_cpu_ms = self_before + before.worker_ms;
        ++sh->cpu_seq;
        const uint64_t died_before = ferrite::sandbox_worker_stats().died;
        const Outcome o = run_one(target, reinterpret_cast<const uint8_t*>(m.data()), m.size());
        if (const auto st = ferrite::sandbox_worker_stats(); st.died != died_before) {
          const uint32_t k = sh->n_sandbox_deaths++;
          if (k < 64) {
            sh->sandbox_deaths[k] = i;
            sh->sandbox_death_signals[k] = st.last_death_signal;
          }
        }
        const int64_t took = now_ms() - sh->started_ms;
        const int64_t cpu = cpu_since(self_before, before);
        if (cpu > 5000) ++sh->slow_cpu;
        if (cpu > sh->slowest_cpu_ms) {
          sh->slowest_cpu_ms = cpu;
          sh->slowest_cpu = i;
        }
        if (took > 5000) ++sh->slow;
        if (took > sh->slowest_ms) {
          sh->slowest_ms = took;
          sh->slowest = i;
        }
        ++sh->outcomes[static_cast<int>(o)];
        if (o == Outcome::Exception) {
          const uint32_t k = sh->n_exceptions++;
          if (k < 64) sh->exceptions[k] = i;
        }
        sh->done = i + 1;
      }
      _exit(0);
    }
    for (;;) {
      int status = 0;
      const pid_t w = waitpid(pid, &status, WNOHANG);
      if (w == pid) {
        if (WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0)) {
          const uint64_t i = sh->current;
          const std::string sig = WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "exit " + std::to_string(WEXITSTATUS(status));
          crashes.emplace_back(i, sig + ", saved as " + save(i, "crash"));
          next = i + 1;
        } else {
          next = sh->done;
        }
        break;
      }
      // A hang: more than --hang-seconds of CPU time on one input (the worker's and its sandbox
      // worker's), or ten times that on the wall clock (a stall).
      // The pair (start, sandbox worker) is used only if the worker did not change it while we read.
      int64_t cpu_used = -1;
      const uint64_t seq = sh->cpu_seq;
      if (seq % 2 == 0) {
        const int sandbox = sh->sandbox_pid;
        const int64_t start = sh->started_cpu_ms;
        int64_t cpu_now = 0;
        clockid_t c;
        if (clock_getcpuclockid(pid, &c) == 0) cpu_now += cpu_ms(c);
        if (sandbox > 0 && clock_getcpuclockid(sandbox, &c) == 0) cpu_now += cpu_ms(c);
        if (sh->cpu_seq == seq && start > 0) cpu_used = cpu_now - start;
      }
      const int64_t wall_used = now_ms() - sh->started_ms;
      const bool cpu_hang = cpu_used > static_cast<int64_t>(hang_seconds * 1000);
      if (cpu_hang || wall_used > static_cast<int64_t>(hang_seconds * 10000)) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        const uint64_t i = sh->current;
        char took[96];
        std::snprintf(took, sizeof took, "%.2f s of CPU time, %.2f s in all", static_cast<double>(cpu_used) / 1000.0,
                      static_cast<double>(wall_used) / 1000.0);
        crashes.emplace_back(i, "hang (" + std::string(took) + "; limits " + std::to_string(static_cast<int>(hang_seconds)) +
                                    " s of CPU time, ten times that in all), saved as " + save(i, "hang"));
        next = i + 1;
        break;
      }
      if (now_ms() >= next_progress) {
        summary("progress");
        next_progress += static_cast<int64_t>(progress_seconds * 1000);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  summary("ferrite_fuzz");
  for (uint32_t k = 0; k < std::min<uint32_t>(sh->n_sandbox_deaths, 64); ++k) {  // (counted by the summary already)
    const int sig = sh->sandbox_death_signals[k];
    crashes.emplace_back(sh->sandbox_deaths[k], std::string("its sandbox worker died (") + (sig ? strsignal(sig) : "exit") +
                                                    ": ONNX's code crashed or a sanitizer stopped it), saved as " +
                                                    save(sh->sandbox_deaths[k], "sandbox-crash"));
  }
  std::vector<std::string> exc;
  for (uint32_t k = 0; k < std::min<uint32_t>(sh->n_exceptions, 64); ++k) exc.push_back(save(sh->exceptions[k], "exception"));
  for (const auto& [i, what] : crashes) std::printf("  mutant %llu: %s\n", static_cast<unsigned long long>(i), what.c_str());
  for (const auto& p : exc) std::printf("  exception escaped: %s (replay with --replay)\n", p.c_str());
  const bool failed = !crashes.empty() || sh->n_sandbox_deaths > 0 || (strict && sh->n_exceptions > 0);
  return failed ? 1 : 0;
}
