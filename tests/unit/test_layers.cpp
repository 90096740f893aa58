// Layering rules over the source tree's include graph (issue: "the memory stage as a pipeline of
// its own"): backends and reports get the compiled model from compiler/model/, never from the
// driver; no pass reaches a kernel header or names a kernel parameter struct; the driver holds no
// planning policy (the memory stage in passes/memory/ does); the memory stage's steps are listed
// in order. The include graph is followed transitively, so a rule cannot
// be dodged through an intermediate header.
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "passes/memory/memory_stage.h"

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = FERRITE_SOURCE_DIR;

std::string read(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The project headers `file` includes with "..." (resolved against the include directories).
std::vector<fs::path> includes_of(const fs::path& file) {
  static const std::regex inc(R"re(^\s*#\s*include\s+"([^"]+)")re");
  std::vector<fs::path> out;
  std::istringstream in(read(file));
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, inc)) continue;
    for (const fs::path dir : {kRoot / "compiler", kRoot, kRoot / "runtime_templates", file.parent_path()}) {
      const fs::path p = (dir / m[1].str()).lexically_normal();
      if (fs::exists(p)) {
        out.push_back(p);
        break;
      }
    }
  }
  return out;
}

// Every project file `file` reaches through includes (itself excluded).
std::set<fs::path> closure(const fs::path& file) {
  std::set<fs::path> seen;
  std::vector<fs::path> todo = includes_of(file);
  while (!todo.empty()) {
    fs::path p = todo.back();
    todo.pop_back();
    if (!seen.insert(p).second) continue;
    for (const fs::path& q : includes_of(p)) todo.push_back(q);
  }
  return seen;
}

std::vector<fs::path> sources_under(const fs::path& dir) {
  std::vector<fs::path> v;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && (e.path().extension() == ".h" || e.path().extension() == ".cpp")) v.push_back(e.path());
  std::sort(v.begin(), v.end());
  return v;
}

bool under(const fs::path& p, const fs::path& dir) {
  const std::string a = p.lexically_normal().string(), b = dir.lexically_normal().string() + "/";
  return a.compare(0, b.size(), b) == 0;
}

}  // namespace

TEST_CASE("backends reach nothing from the driver, transitively", "[layers]") {
  const auto files = sources_under(kRoot / "backends");
  REQUIRE(files.size() >= 4);
  for (const fs::path& f : files)
    for (const fs::path& inc : closure(f)) {
      INFO(f.string() << " reaches " << inc.string());
      CHECK_FALSE(under(inc, kRoot / "compiler" / "driver"));
    }
}

TEST_CASE("passes and the compiled model reach nothing from the driver or a backend", "[layers]") {
  auto files = sources_under(kRoot / "passes");
  for (const fs::path& f : sources_under(kRoot / "compiler" / "model")) files.push_back(f);
  REQUIRE(files.size() >= 10);
  for (const fs::path& f : files)
    for (const fs::path& inc : closure(f)) {
      INFO(f.string() << " reaches " << inc.string());
      CHECK_FALSE(under(inc, kRoot / "compiler" / "driver"));
      CHECK_FALSE(under(inc, kRoot / "backends"));
    }
}

// Kernel headers are the files under runtime_templates/<op>/ (and common/) that lowering compiles
// into the compiler through ops/kernels_host.h and the backend pastes into the generated code.
// Passes see kernel calls through ops/lower.h and ask lowering (ops/plan_lowering.h) for what needs
// parameters, so a kernel edit recompiles lowering, selection and the backend, never a pass.
TEST_CASE("no pass reaches a kernel header, transitively", "[layers]") {
  const auto files = sources_under(kRoot / "passes");
  REQUIRE(files.size() >= 20);
  REQUIRE(closure(kRoot / "compiler" / "ops" / "kernel_params.h").count(kRoot / "runtime_templates" / "conv_s8" / "conv_s8.h"));
  for (const fs::path& f : files)
    for (const fs::path& inc : closure(f)) {
      INFO(f.string() << " reaches " << inc.string());
      CHECK_FALSE(under(inc, kRoot / "runtime_templates"));
      CHECK(inc.filename() != "kernels_host.h");
      CHECK(inc.filename() != "kernel_params.h");
    }
}

// Planning passes decide; lowering (ops/plan_lowering.h) turns decisions into kernel parameters.
TEST_CASE("no pass names a kernel parameter struct", "[layers]") {
  for (const fs::path& f : sources_under(kRoot / "passes")) {
    INFO(f.string());
    CHECK(read(f).find("ferrite_rt::") == std::string::npos);
  }
}

TEST_CASE("the driver holds no planning policy", "[layers]") {
  // The memory stage's entry points and policy knobs only appear in passes/memory/.
  const std::string src = read(kRoot / "compiler" / "driver" / "compile.cpp");
  for (const char* word : {"plan_memory(", "patch_geometry(", "patch_cut_points(", "lower_patches(", "find_bottlenecks(",
                           "fuse_bottleneck(", "choose_schedule(", "max_patch_overhead", "sscanf"}) {
    INFO(word);
    CHECK(src.find(word) == std::string::npos);
  }
  CHECK(src.find("run_memory_stage(") != std::string::npos);
}

TEST_CASE("the memory stage's steps, in order", "[layers][memory]") {
  CHECK(ferrite::memory_stage_steps() == std::vector<std::string>{"schedule", "patches", "bottlenecks", "plain-plan"});
}

TEST_CASE("--patch and --fuse-bottlenecks parse into typed options", "[memory]") {
  using ferrite::PatchChoice;
  auto off = ferrite::parse_patch_choice("off");
  REQUIRE(off);
  CHECK(off->mode == PatchChoice::Mode::Off);
  auto aut = ferrite::parse_patch_choice("auto");
  REQUIRE(aut);
  CHECK(aut->mode == PatchChoice::Mode::Auto);
  auto g = ferrite::parse_patch_choice("4x3");
  REQUIRE(g);
  CHECK((g->mode == PatchChoice::Mode::Grid && g->rows == 4 && g->cols == 3 && g->split_after == -1));
  auto at = ferrite::parse_patch_choice("2X2@12");
  REQUIRE(at);
  CHECK((at->rows == 2 && at->cols == 2 && at->split_after == 12));
  for (const char* bad : {"", "4", "4x", "x4", "0x4", "4x0", "4x4@", "4x4@-1", "4x4junk", "4x4@3x", "4y4", "-2x2", "99999x2"}) {
    INFO(bad);
    CHECK_FALSE(ferrite::parse_patch_choice(bad));
  }
  CHECK(*ferrite::parse_fuse_bottlenecks("all") == ferrite::FuseBottlenecks::All);
  CHECK(*ferrite::parse_fuse_bottlenecks("off") == ferrite::FuseBottlenecks::Off);
  CHECK(*ferrite::parse_fuse_bottlenecks("auto") == ferrite::FuseBottlenecks::Auto);
  CHECK_FALSE(ferrite::parse_fuse_bottlenecks("some"));
}
