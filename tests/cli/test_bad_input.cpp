// Hostile and bad input for the `ferrite` command line. Every model is built here with the ONNX
// protobuf API, written into a fresh temporary directory, and given to the real binary (FERRITE_BIN)
// as a subprocess. Each failure case checks three things: the message names the culprit, the exit
// code (2 for usage and model errors, 1 for a failed check), and that nothing was written.
#include "cli_util.h"

// ---------------------------------------------------------------------------------------------

TEST_CASE("a truncated model file is rejected and nothing is written", "[bad-input]") {
  TempDir t;
  const auto m = conv_relu_model();
  std::string bytes;
  REQUIRE(m.SerializeToString(&bytes));
  REQUIRE(bytes.size() > 1000);

  // Control: the intact model compiles, so the failure below is due to the truncation.
  save(m, t / "full.onnx");
  auto ok = ferrite({"compile", (t / "full.onnx").string(), "-o", (t / "full_out").string()});
  INFO(ok.out);
  REQUIRE(ok.code == 0);
  for (const char* suffix : kGenerated) CHECK(fs::is_regular_file(t / "full_out" / (std::string("full") + suffix)));

  const fs::path model = t / "cut.onnx";
  write_bytes(model, bytes.substr(0, bytes.size() / 2));
  const auto before = listing(t.path);
  const fs::path out = t / "cut_out";
  auto r = ferrite({"compile", model.string(), "-o", out.string()});
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Contains(model.string()) && Contains("does not parse") && Contains("truncated"));
  CHECK_THAT(r.out, StartsWith("ferrite compile: error:"));
  require_nothing_written(t, out, before);

  // `report` and `run` reject it the same way.
  auto rep = ferrite({"report", model.string(), "--json"});
  CHECK(rep.code == 2);
  CHECK_THAT(rep.out, Contains(model.string()) && Contains("does not parse"));
  auto run = ferrite({"run", model.string(), "--output-dir", (t / "run_out").string()});
  CHECK(run.code == 2);
  CHECK_THAT(run.out, Contains(model.string()) && Contains("does not parse"));
  CHECK_FALSE(fs::exists(t / "run_out"));
}

TEST_CASE("non-ONNX, empty and missing model files are rejected", "[bad-input]") {
  TempDir t;
  const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0\x1f\xf3\xff" "a", 33);
  write_bytes(t / "picture.onnx", png);
  write_bytes(t / "notes.onnx", "This is not a model.\nJust some text, 42 lines of it.\n");
  write_bytes(t / "empty.onnx", "");
  fs::create_directory(t / "a_directory.onnx");

  for (const char* file : {"picture.onnx", "notes.onnx", "empty.onnx"}) {
    DYNAMIC_SECTION("file " << file) {
      const fs::path model = t / file;
      const auto before = listing(t.path);
      const fs::path out = t / "out";
      auto r = ferrite({"compile", model.string(), "-o", out.string()});
      INFO(r.out);
      CHECK(r.code == 2);
      CHECK_THAT(r.out, Contains(model.string()) && Contains("is not an ONNX model"));
      require_nothing_written(t, out, before);
    }
  }
  for (const auto& [file, why] : std::vector<std::pair<std::string, std::string>>{
           {"no_such_model.onnx", "no such file"}, {"a_directory.onnx", "not a regular file"}}) {
    DYNAMIC_SECTION("path " << file) {
      const fs::path model = t / file;
      const auto before = listing(t.path);
      const fs::path out = t / "out";
      auto r = ferrite({"compile", model.string(), "-o", out.string()});
      INFO(r.out);
      CHECK(r.code == 2);
      CHECK_THAT(r.out, Contains("cannot read model '" + model.string() + "': " + why));
      require_nothing_written(t, out, before);
    }
  }
}

TEST_CASE("a graph with a cycle is rejected naming the nodes of the cycle", "[bad-input]") {
  TempDir t;
  auto m = new_model();
  add_input(m, "x", {1, 4});
  add_node(m, "Add", "loop_head", {"x", "loop_back"}, {"loop_in"});
  add_node(m, "Relu", "relu_ping", {"loop_in"}, {"ping"});
  add_node(m, "Relu", "relu_pong", {"ping"}, {"loop_back"});
  add_output(m, "ping", {1, 4});
  const fs::path model = t / "cycle.onnx";
  save(m, model);
  const auto before = listing(t.path);
  const fs::path out = t / "out";
  auto r = ferrite({"compile", model.string(), "-o", out.string()});
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Contains("cycle") && Contains("'loop_head'") && Contains("'relu_ping'") && Contains("'relu_pong'"));
  require_nothing_written(t, out, before);

  SECTION("two nodes producing the same tensor") {
    auto m3 = new_model();
    add_input(m3, "x", {1, 4});
    add_node(m3, "Relu", "relu_one", {"x"}, {"dup"});
    add_node(m3, "Sigmoid", "sigmoid_two", {"x"}, {"dup"});
    add_output(m3, "dup", {1, 4});
    save(m3, t / "dup.onnx");
    auto r3 = ferrite({"compile", (t / "dup.onnx").string(), "-o", out.string()});
    INFO(r3.out);
    CHECK(r3.code == 2);
    CHECK_THAT(r3.out, Contains("tensor 'dup' is produced by two nodes ('relu_one' and 'sigmoid_two')"));
    CHECK_FALSE(fs::exists(out));
  }
  SECTION("two Relu nodes feeding each other") {
    auto m2 = new_model();
    add_input(m2, "x", {1, 4});
    add_node(m2, "Relu", "relu_a", {"b_out"}, {"a_out"});
    add_node(m2, "Relu", "relu_b", {"a_out"}, {"b_out"});
    add_node(m2, "Add", "sum", {"x", "a_out"}, {"y"});
    add_output(m2, "y", {1, 4});
    save(m2, t / "cycle2.onnx");
    auto r2 = ferrite({"compile", (t / "cycle2.onnx").string(), "-o", out.string()});
    INFO(r2.out);
    CHECK(r2.code == 2);
    CHECK_THAT(r2.out, Contains("cycle") && Contains("Relu 'relu_a'") && Contains("Relu 'relu_b'"));
    CHECK_FALSE(fs::exists(out));
  }
}

TEST_CASE("a node input that nothing defines is reported by tensor name", "[bad-input]") {
  TempDir t;
  auto m = new_model();
  add_input(m, "x", {1, 4});
  add_node(m, "Relu", "relu0", {"x"}, {"h"});
  add_node(m, "Add", "add_bias", {"h", "bias_that_was_never_exported"}, {"y"});
  add_output(m, "y", {1, 4});
  const fs::path model = t / "missing_init.onnx";
  save(m, model);
  const auto before = listing(t.path);
  const fs::path out = t / "out";
  auto r = ferrite({"compile", model.string(), "-o", out.string()});
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Contains("input 'bias_that_was_never_exported' is not defined") && Contains("Add node 'add_bias'"));
  require_nothing_written(t, out, before);

  SECTION("a graph output that nothing produces") {
    auto m2 = new_model();
    add_input(m2, "x", {1, 4});
    add_node(m2, "Relu", "relu0", {"x"}, {"y"});
    add_output(m2, "y", {1, 4});
    add_output(m2, "ghost_output", {1, 4});
    save(m2, t / "ghost.onnx");
    auto r2 = ferrite({"compile", (t / "ghost.onnx").string(), "-o", out.string()});
    INFO(r2.out);
    CHECK(r2.code == 2);
    CHECK_THAT(r2.out, Contains("graph output 'ghost_output' is never produced"));
    CHECK_FALSE(fs::exists(out));
  }
}

TEST_CASE("all unsupported nodes are listed in one error", "[bad-input]") {
  TempDir t;
  auto m = new_model();
  auto* acme = m.add_opset_import();
  acme->set_domain("com.acme");
  acme->set_version(1);
  add_input(m, "x", {1, 1, 4, 4});
  add_node(m, "Relu", "relu_ok", {"x"}, {"r"});
  add_node(m, "Det", "determinant", {"r"}, {"up"});
  add_node(m, "FooBar", "acme_magic", {"up"}, {"y"}, "com.acme");
  add_output(m, "y", {1, 1, 8, 8});
  const fs::path model = t / "unsupported.onnx";
  save(m, model);
  const auto before = listing(t.path);
  const fs::path out = t / "out";
  auto r = ferrite({"compile", model.string(), "-o", out.string()});
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK(count(r.out, "error:") == 1);
  CHECK_THAT(r.out, Contains("2 unsupported nodes"));
  // Each entry: op type, domain and node name, on its own line.
  CHECK_THAT(r.out, Contains("Det (domain 'ai.onnx') node 'determinant'"));
  CHECK_THAT(r.out, Contains("FooBar (domain 'com.acme') node 'acme_magic'"));
  CHECK_THAT(r.out, !Contains("relu_ok"));
  require_nothing_written(t, out, before);

  // `ops --check` lists them too and exits 3.
  auto c = ferrite({"ops", "--check", model.string()});
  INFO(c.out);
  CHECK(c.code == 3);
  CHECK_THAT(c.out, Contains("FooBar") && Contains("com.acme") && Contains("UNSUPPORTED"));
}

TEST_CASE("a dynamic dim needs --input-shape, and compiles with it", "[bad-input]") {
  TempDir t;
  auto m = new_model();
  add_input(m, "pixels", {"batch", 3, 4, 4});
  add_node(m, "Relu", "relu", {"pixels"}, {"y"});
  add_output(m, "y", {"batch", 3, 4, 4});
  const fs::path model = t / "dyn.onnx";
  save(m, model);
  const auto before = listing(t.path);
  const fs::path out = t / "out";
  auto r = ferrite({"compile", model.string(), "-o", out.string()});
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Contains("input 'pixels'") && Contains("--input-shape pixels="));
  require_nothing_written(t, out, before);

  SECTION("with the override") {
    auto ok = ferrite({"compile", model.string(), "--input-shape", "pixels=1x3x4x4", "-o", out.string()});
    INFO(ok.out);
    CHECK(ok.code == 0);
    for (const char* suffix : kGenerated) CHECK(fs::is_regular_file(out / (std::string("dyn") + suffix)));
    CHECK_THAT(read_bytes(out / "dyn.h"), Contains("{1, 3, 4, 4, 0, 0}"));
  }
  SECTION("an override that contradicts a fixed dim") {
    auto bad = ferrite({"compile", model.string(), "--input-shape", "pixels=1x3x5x4", "-o", out.string()});
    INFO(bad.out);
    CHECK(bad.code == 2);
    CHECK_THAT(bad.out, Contains("pixels") && Contains("dim 2 is fixed to 4"));
    CHECK_FALSE(fs::exists(out));
  }
  SECTION("an override of the wrong rank") {
    auto bad = ferrite({"compile", model.string(), "--input-shape", "pixels=1x48", "-o", out.string()});
    INFO(bad.out);
    CHECK(bad.code == 2);
    CHECK_THAT(bad.out, Contains("pixels") && Contains("rank 4"));
    CHECK_FALSE(fs::exists(out));
  }
  SECTION("an override for an input that does not exist") {
    auto bad = ferrite({"compile", model.string(), "--input-shape", "pixelz=1x3x4x4", "-o", out.string()});
    INFO(bad.out);
    CHECK(bad.code == 2);
    CHECK_THAT(bad.out, Contains("no input named 'pixelz'"));
    CHECK_FALSE(fs::exists(out));
  }
}

// Strips string literals, character literals and comments from C++ source text, leaving the code.
static std::string code_only(const std::string& s) {
  std::string r;
  size_t i = 0;
  while (i < s.size()) {
    if (s.compare(i, 2, "//") == 0) {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (s.compare(i, 2, "/*") == 0) {
      size_t e = s.find("*/", i + 2);
      i = e == std::string::npos ? s.size() : e + 2;
      r += ' ';
    } else if (s[i] == '"' || s[i] == '\'') {
      const char q = s[i++];
      while (i < s.size() && s[i] != q && s[i] != '\n') i += s[i] == '\\' ? 2 : 1;
      ++i;
      r += "\"\"";
    } else {
      r += s[i++];
    }
  }
  return r;
}

TEST_CASE("names full of C++ metacharacters, keywords and bad bytes compile, build and run", "[bad-input]") {
  TempDir t;
  const std::string in_name = "int";
  const std::string out_name = "*/ #define x \\ \"quoted\" \n newline";
  const std::string out2_name = std::string("r\xff\xfe\xc3(sum) ?\?/");  // invalid UTF-8 and a trigraph
  const std::string mid_name = "a.b-c d";
  auto m = new_model("graph /* name */ \"#include <evil>\"\n\\");
  add_input(m, in_name, {1, 4});
  add_f32_init(m, "__LINE__", {1, 4}, {1.f, -2.f, 3.f, -4.f});
  add_node(m, "Add", "class", {in_name, "__LINE__"}, {mid_name});
  add_node(m, "Relu", std::string("relu\xc0\x80 */ // \\ ?\?/"), {mid_name}, {out_name});
  add_node(m, "Tanh", "#pragma once\n#error boom", {mid_name}, {"../../escape"});
  add_node(m, "Sigmoid", "namespace", {mid_name}, {out2_name});
  // Mul + Tanh fuse: the Tanh's name ends the Mul's comment line, where "??/" would be a trigraph.
  add_node(m, "Mul", "operator", {in_name, "__LINE__"}, {"mul/out"});
  add_node(m, "Tanh", "tanh ?\?/", {"mul/out"}, {"t$out"});
  add_output(m, out_name, {1, 4});
  add_output(m, out2_name, {1, 4});
  add_output(m, "../../escape", {1, 4});
  add_output(m, mid_name, {1, 4});
  add_output(m, "t$out", {1, 4});
  const fs::path model = t / "class.onnx";
  save(m, model);

  // compile
  const fs::path out = t / "gen_out";
  auto c = ferrite({"compile", model.string(), "-o", out.string()});
  INFO(c.out);
  REQUIRE(c.code == 0);
  for (const auto& f : listing(out)) CHECK_THAT(f, !StartsWith("."));
  REQUIRE(fs::is_regular_file(out / "class_.h"));

  // run: build the generated code with -Wall -Werror and execute it
  const fs::path input = t / "input.npy";
  write_npy_f32(input, {1, 4}, {0.5f, 0.5f, -10.f, 10.f});
  const fs::path run_dir = t / "run";
  auto r = ferrite({"run", model.string(), "--input", in_name + "=" + input.string(), "--output-dir", run_dir.string()});
  INFO(r.out);
  REQUIRE(r.code == 0);
  REQUIRE(fs::is_regular_file(run_dir / "outputs.json"));
  const auto index = nlohmann::json::parse(read_bytes(run_dir / "outputs.json"));
  REQUIRE(index.is_object());
  CHECK(index.size() == 5);
  REQUIRE(index.contains(out_name));
  REQUIRE(index.contains(mid_name));
  REQUIRE(index.contains("../../escape"));
  std::set<std::string> files;
  for (const auto& [key, entry] : index.items()) {
    INFO("output " << key);
    const std::string file = entry.at("file").get<std::string>();
    files.insert(file);
    CHECK(file.find('/') == std::string::npos);
    CHECK(file.find('\\') == std::string::npos);
    CHECK_THAT(file, !StartsWith("."));
    CHECK(fs::is_regular_file(run_dir / file));
    CHECK(fs::equivalent(fs::path(run_dir / file).parent_path(), run_dir));
  }
  CHECK(files.size() == 5);  // distinct files
  // The invalid UTF-8 key was replaced when dumped; the entry is still there.
  bool replaced = false;
  for (const auto& [key, entry] : index.items()) replaced = replaced || key.find("\xef\xbf\xbd") != std::string::npos;
  CHECK(replaced);
  for (const auto& f : listing(run_dir)) CHECK_THAT(f, !StartsWith("."));
  CHECK_FALSE(fs::exists(t / "escape.npy"));
  CHECK_FALSE(fs::exists(t.path.parent_path() / "escape.npy"));

  // Values: out = relu(x + w) with x = [0.5, 0.5, -10, 10], w = [1, -2, 3, -4] -> [1.5, 0, 0, 6]
  const std::string y = read_bytes(run_dir / index.at(out_name).at("file").get<std::string>());
  REQUIRE(y.size() >= 16);
  float v[4];
  std::memcpy(v, y.data() + y.size() - 16, 16);
  CHECK(v[0] == Approx(1.5f));
  CHECK(v[1] == 0.f);
  CHECK(v[2] == 0.f);
  CHECK(v[3] == Approx(6.f));

  // The generated sources: the names may only appear escaped in string literals or defused in
  // comments; none of their metacharacters reach the code.
  std::vector<fs::path> sources;
  for (const auto& e : fs::directory_iterator(run_dir / "build" / "gen")) {
    const auto ext = e.path().extension().string();
    if (ext == ".h" || ext == ".cpp") sources.push_back(e.path());
  }
  REQUIRE(sources.size() == 3);
  for (const auto& p : sources) {
    INFO(p.string());
    const std::string text = read_bytes(p);
    CHECK(text == read_bytes(out / p.filename()));  // `run` generates what `compile` does
    // Ferrite's own diagnostics (`#error "ferrite: ...`, e.g. the incbin stub's include-path check)
    // are not made from names: take them out before looking for injected directives.
    std::string own = text;
    for (size_t p; (p = own.find("#error \"ferrite: ")) != std::string::npos;) own.erase(p, 7);
    const std::string code = code_only(own);
    CHECK_THAT(code, !Contains("#define x") && !Contains("*/ #define") && !Contains("#include <evil>") &&
                          !Contains("__LINE__") && !Contains("quoted") && !Contains("#error"));
    CHECK(text.find('\xff') == std::string::npos);
    CHECK(text.find('\xc0') == std::string::npos);
    CHECK(text.find("?\?/") == std::string::npos);
    // No line of text (comments included) may start a preprocessor directive made from a name.
    size_t pos = 0;
    while (pos < own.size()) {
      size_t e = own.find('\n', pos);
      if (e == std::string::npos) e = own.size();
      const std::string line = own.substr(pos, std::min(e, own.size()) - pos);
      CHECK_THAT(line, !StartsWith("#define x") && !StartsWith(" newline") && !StartsWith("#error"));
      if (!line.empty()) CHECK(line.back() != '\\');  // no line continuations out of comments
      pos = e + 1;
    }
  }
}

TEST_CASE("non-constant operands: Clip bounds are fine, a Reshape shape must be constant", "[bad-input]") {
  TempDir t;
  SECTION("Clip that cannot fuse stays a separate node and compiles") {
    // The Conv output is also a graph output, so the Clip cannot fuse into the Conv; a second Clip
    // reads a graph input directly and has no producer at all.
    auto m = new_model();
    add_input(m, "x", {1, 2, 4, 4});
    add_f32_init(m, "w", {2, 2, 1, 1}, {1.f, 0.5f, -0.5f, 1.f});
    add_f32_init(m, "lo", {}, {-0.25f});
    add_f32_init(m, "hi", {}, {0.25f});
    add_node(m, "Conv", "conv", {"x", "w"}, {"c"});
    add_node(m, "Clip", "clamp", {"c", "lo", "hi"}, {"y"});
    add_node(m, "Clip", "clamp_input", {"x", "", "hi"}, {"z"});
    add_output(m, "c", {1, 2, 4, 4});
    add_output(m, "y", {1, 2, 4, 4});
    add_output(m, "z", {1, 2, 4, 4});
    const fs::path model = t / "clip.onnx";
    save(m, model);
    const fs::path out = t / "out";
    auto r = ferrite({"compile", model.string(), "-o", out.string()});
    INFO(r.out);
    REQUIRE(r.code == 0);
    CHECK(fs::is_regular_file(out / "clip.cpp"));
    const auto j = nlohmann::json::parse(read_bytes(out / "clip_report.json"));
    std::vector<std::string> layers;
    for (const auto& L : j.at("layers")) {
      layers.push_back(L.at("op").get<std::string>() + ":" + L.at("name").get<std::string>());
      CHECK_FALSE(L.contains("fused_activation"));
    }
    CHECK_THAT(layers, Catch::Matchers::UnorderedEquals(
                           std::vector<std::string>{"Conv:conv", "Clip:clamp", "Clip:clamp_input"}));
  }
  SECTION("Clip with min as a graph input computes its bounds at run time") {
    auto m = new_model();
    add_input(m, "x", {1, 2, 4, 4});
    add_input(m, "clip_min", {});
    add_f32_init(m, "w", {2, 2, 1, 1}, {1.f, 0.5f, -0.5f, 1.f});
    add_node(m, "Conv", "conv", {"x", "w"}, {"c"});
    add_node(m, "Clip", "clamp", {"c", "clip_min"}, {"y"});
    add_output(m, "y", {1, 2, 4, 4});
    const fs::path model = t / "clip_dyn.onnx";
    save(m, model);
    const fs::path out = t / "out";
    auto r = ferrite({"compile", model.string(), "-o", out.string()});
    INFO(r.out);
    CHECK(r.code == 0);
    CHECK(fs::exists(out / "clip_dyn.cpp"));
    std::ifstream src(out / "clip_dyn.cpp");
    std::string text((std::istreambuf_iterator<char>(src)), std::istreambuf_iterator<char>());
    CHECK_THAT(text, Contains("clip_min_f32_runtime"));
  }
  SECTION("Reshape with its shape as a graph input") {
    auto m = new_model();
    add_input(m, "x", {1, 6});
    add_input(m, "target_shape", {2}, onnx::TensorProto::INT64);
    add_node(m, "Reshape", "flatten_it", {"x", "target_shape"}, {"y"});
    add_output(m, "y", {"?", "?"});
    const fs::path model = t / "reshape.onnx";
    save(m, model);
    const auto before = listing(t.path);
    const fs::path out = t / "out";
    auto r = ferrite({"compile", model.string(), "-o", out.string()});
    INFO(r.out);
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("Reshape 'flatten_it'") && Contains("target_shape") && Contains("constant") &&
                          Contains("--freeze-input"));
    require_nothing_written(t, out, before);

    // ...and the suggestion works.
    std::string npy = "\x93NUMPY";
    npy += '\x01';
    npy += '\x00';
    std::string header = "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }";
    while ((header.size() + 11) % 64 != 0) header += ' ';
    header += '\n';
    npy += static_cast<char>(header.size());
    npy += '\x00';
    npy += header;
    const int64_t dims[2] = {3, 2};
    npy.append(reinterpret_cast<const char*>(dims), sizeof dims);
    write_bytes(t / "shape.npy", npy);
    auto ok = ferrite({"compile", model.string(), "--freeze-input", "target_shape=" + (t / "shape.npy").string(), "-o",
                       out.string()});
    INFO(ok.out);
    CHECK(ok.code == 0);
    CHECK_THAT(read_bytes(out / "reshape.h"), Contains("{3, 2, 0, 0, 0, 0}"));
  }
}

TEST_CASE("the output directory: unrelated files survive, failures change nothing", "[bad-input]") {
  TempDir t;
  save(conv_relu_model(), t / "net.onnx");
  const fs::path out = t / "existing";
  fs::create_directories(out / "sub");
  write_bytes(out / "README.txt", "mine, not ferrite's\n");
  write_bytes(out / "sub" / "keep.bin", std::string("\0\1\2", 3));

  auto r = ferrite({"compile", (t / "net.onnx").string(), "-o", out.string()});
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(read_bytes(out / "README.txt") == "mine, not ferrite's\n");
  CHECK(read_bytes(out / "sub" / "keep.bin") == std::string("\0\1\2", 3));
  for (const char* suffix : kGenerated) CHECK(fs::is_regular_file(out / (std::string("net") + suffix)));
  CHECK(listing(out).size() == 2 + std::size(kGenerated));
  CHECK(listing(t.path) == std::set<std::string>{"net.onnx", "existing"});  // no temporary left over

  // Failing compiles into the same directory: contents byte-for-byte unchanged.
  const auto snap = snapshot(out);
  auto m = new_model();
  add_input(m, "x", {1, 4});
  add_node(m, "Relu", "r", {"x", "nope"}, {"y"});
  add_node(m, "Wat", "unknown_op", {"y"}, {"z"});
  add_output(m, "z", {1, 4});
  save(m, t / "net_bad.onnx");
  write_bytes(t / "net_cut.onnx", read_bytes(t / "net.onnx").substr(0, 300));
  for (const char* bad : {"net_bad.onnx", "net_cut.onnx"}) {
    for (const char* name : {"net", "other"}) {
      auto f = ferrite({"compile", (t / bad).string(), "--name", name, "-o", out.string()});
      INFO(bad << " " << name << ": " << f.out);
      CHECK(f.code == 2);
      CHECK(snapshot(out) == snap);
    }
  }
  auto f = ferrite({"compile", (t / "net.onnx").string(), "--sram-budget", "1KiB", "-o", out.string()});
  CHECK(f.code == 1);
  CHECK(snapshot(out) == snap);
  CHECK(listing(t.path) == std::set<std::string>{"net.onnx", "net_bad.onnx", "net_cut.onnx", "existing"});
}

TEST_CASE("usage errors exit 2 with a message", "[bad-input][usage]") {
  TempDir t;
  save(conv_relu_model(), t / "net.onnx");
  const std::string model = (t / "net.onnx").string();
  const std::string out = (t / "out").string();
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> expect;
  };
  const std::vector<Case> cases = {
      {{}, {"subcommand"}},
      {{"frobnicate", model}, {"subcommand"}},
      {{"compile", model}, {"--output"}},
      {{"compile", "-o", out}, {"model"}},
      {{"report"}, {"model"}},
      {{"run", model}, {"--output-dir"}},
      {{"compile", model, "-o", out, "--sram-budget", "lots"}, {"bad byte size 'lots'"}},
      {{"compile", model, "-o", out, "--sram-budget", "64XB"}, {"64XB", "unknown unit 'XB'"}},
      {{"compile", model, "-o", out, "--sram-budget", "-5"}, {"-5"}},
      {{"compile", model, "-o", out, "--input-shape", "image"}, {"NAME=VALUE", "'image'"}},
      {{"compile", model, "-o", out, "--input-shape", "=1x3x16x16"}, {"NAME=VALUE"}},
      {{"compile", model, "-o", out, "--input-shape", "image=1x3xfoox16"}, {"bad shape '1x3xfoox16'"}},
      {{"compile", model, "-o", out, "--input-shape", "image=1x3x16x"}, {"bad shape '1x3x16x'"}},
      {{"compile", model, "-o", out, "--input-shape", "image=-1x3x16x16"}, {"bad shape"}},
      {{"compile", model, "-o", out, "--target", "z80"}, {"unknown target 'z80'"}},
      {{"compile", model, "-o", out, "--freeze-input", "image=" + (t / "nope.npy").string()}, {"--freeze-input image"}},
      {{"compile", model, "-o", out, "--bogus-flag"}, {"--bogus-flag"}},
      {{"compile", model, "-o", out, "--schedule", "fastest"}, {"--schedule", "fastest"}},
  };
  for (const auto& c : cases) {
    std::string cmd;
    for (const auto& a : c.args) cmd += a + " ";
    auto r = ferrite(c.args);
    INFO("ferrite " << cmd << "\n" << r.out);
    CHECK(r.code == 2);
    for (const auto& e : c.expect) CHECK_THAT(r.out, Contains(e));
    CHECK_FALSE(fs::exists(out));
  }
  CHECK(listing(t.path) == std::set<std::string>{"net.onnx"});
}

TEST_CASE("an arena over the SRAM budget fails the check and names the peak layer", "[bad-input]") {
  TempDir t;
  save(conv_relu_model(), t / "net.onnx");
  const fs::path out = t / "out";
  const auto before = listing(t.path);

  auto rep = ferrite({"report", (t / "net.onnx").string(), "--json"});
  INFO(rep.out);
  REQUIRE(rep.code == 0);
  const auto j = nlohmann::json::parse(rep.out);
  const uint64_t arena = j.at("arena_bytes").get<uint64_t>();
  REQUIRE(arena > 1024);

  auto r = ferrite({"compile", (t / "net.onnx").string(), "--sram-budget", std::to_string(arena - 1), "-o",
                    out.string()});
  INFO(r.out);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Contains("SRAM budget exceeded") && Contains("Conv 'conv1'") &&
                        Contains(std::to_string(arena) + " bytes") && Contains("1 bytes over"));
  require_nothing_written(t, out, before);

  auto ok = ferrite({"compile", (t / "net.onnx").string(), "--sram-budget", std::to_string(arena), "-o", out.string()});
  INFO(ok.out);
  CHECK(ok.code == 0);
  CHECK(fs::is_regular_file(out / "net.cpp"));
}
