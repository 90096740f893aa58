// `ferrite run --build-cache DIR` (docs/cli.md): the harness's objects are compiled once per compiler,
// flags and harness text, reused by later runs, and a damaged cache never fails a run.
#include "cli_util.h"

namespace {

// The object files in the cache, relative path -> contents.
std::vector<std::pair<std::string, std::string>> objects(const fs::path& cache) {
  std::vector<std::pair<std::string, std::string>> r;
  if (!fs::exists(cache)) return r;
  for (const auto& e : fs::recursive_directory_iterator(cache))
    if (e.is_regular_file()) r.emplace_back(fs::relative(e.path(), cache).string(), read_bytes(e.path()));
  std::sort(r.begin(), r.end());
  return r;
}

std::vector<std::string> run_args(const TempDir& t, const std::string& out, const std::string& target) {
  return {"run", (t / "net.onnx").string(), "--input", "image=" + (t / "x.npy").string(), "--output-dir",
          (t / out).string(), "--target", target, "--quiet"};
}

}  // namespace

TEST_CASE("--build-cache builds the harness once, reuses it, and survives a damaged cache", "[run][cache]") {
  TempDir t;
  save(conv_relu_model(), t / "net.onnx");
  write_npy_f32(t / "x.npy", {1, 3, 16, 16}, ramp(3 * 16 * 16));
  const fs::path cache = t / "cache";
  for (const std::string target : {"host", "qemu-cortex-m4"}) {
    DYNAMIC_SECTION(target) {
      // Without a cache (an explicit empty value overrides $FERRITE_BUILD_CACHE): the reference output.
      auto plain_args = run_args(t, "plain", target);
      plain_args.insert(plain_args.end(), {"--build-cache", ""});
      auto plain = ferrite(plain_args);
      INFO(plain.out);
      REQUIRE(plain.code == 0);
      CHECK_THAT(read_bytes(t / "plain" / "build" / "build.log"), !Contains("build cache"));

      auto args = run_args(t, "first", target);
      args.insert(args.end(), {"--build-cache", cache.string()});
      auto first = ferrite(args);
      INFO(first.out);
      REQUIRE(first.code == 0);
      const auto built = objects(cache);
      // one folder (one key) with the harness's objects: io_host on the host, startup + semihosting I/O on QEMU
      REQUIRE(built.size() == (target == "host" ? 1u : 2u));
      for (const auto& [name, bytes] : built) {
        CHECK(fs::path(name).extension() == ".o");
        CHECK(!bytes.empty());
      }
      CHECK(read_bytes(t / "first" / "features.npy") == read_bytes(t / "plain" / "features.npy"));
      CHECK_THAT(read_bytes(t / "first" / "build" / "build.log"), Contains("harness objects from the build cache"));

      // A second run reuses them: same objects, no new ones, same output.
      args = run_args(t, "second", target);
      args.insert(args.end(), {"--build-cache", cache.string()});
      auto second = ferrite(args);
      INFO(second.out);
      REQUIRE(second.code == 0);
      CHECK(objects(cache) == built);
      CHECK(read_bytes(t / "second" / "features.npy") == read_bytes(t / "plain" / "features.npy"));

      // Other flags are another key: the existing objects stay, new ones are added beside them.
      args = run_args(t, "flags", target);
      args.insert(args.end(), {"--build-cache", cache.string(), "--cxx-flag=-DFERRITE_CACHE_TEST=1"});
      auto flags = ferrite(args);
      INFO(flags.out);
      REQUIRE(flags.code == 0);
      CHECK(objects(cache).size() == 2 * built.size());

      // A damaged object (truncated to nothing): the run still builds, from source, and the bad object is
      // dropped; the next run puts a good one back.
      write_bytes(cache / built.front().first, "");
      args = run_args(t, "damaged", target);
      args.insert(args.end(), {"--build-cache", cache.string()});
      auto damaged = ferrite(args);
      INFO(damaged.out);
      REQUIRE(damaged.code == 0);
      CHECK(read_bytes(t / "damaged" / "features.npy") == read_bytes(t / "plain" / "features.npy"));
      CHECK_THAT(read_bytes(t / "damaged" / "build" / "build.log"), Contains("building from source"));
      args = run_args(t, "healed", target);
      args.insert(args.end(), {"--build-cache", cache.string()});
      REQUIRE(ferrite(args).code == 0);
      const auto healed = objects(cache);
      CHECK(healed.size() == 2 * built.size());
      for (const auto& [name, bytes] : healed) CHECK(!bytes.empty());

      // A cache path that cannot be a folder: the run builds as without a cache.
      write_bytes(t / "not_a_dir", "x");
      args = run_args(t, "file", target);
      args.insert(args.end(), {"--build-cache", (t / "not_a_dir").string()});
      auto file = ferrite(args);
      INFO(file.out);
      REQUIRE(file.code == 0);
      CHECK_THAT(read_bytes(t / "file" / "build" / "build.log"), !Contains("build cache"));
      fs::remove_all(cache);
    }
  }
}
