// Frontend tests on models built with ONNX's protobuf API: external-data initializers (and
// hostile locations), dynamic dims and overrides, Constant nodes, and opset conversion.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstring>
#include <stdexcept>
#include <unistd.h>
#include <filesystem>
#include <fstream>

#include <onnx/onnx_pb.h>

#include "frontend/onnx_import.h"
#include "frontend/sandbox.h"

using namespace ferrite;
namespace fs = std::filesystem;

namespace {
fs::path temp_dir(const char* tag) {
  fs::path d = fs::temp_directory_path() / fmt::format("ferrite-frontend-{}-{}", tag, ::getpid());
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// y = x + w, with x [1, 4] and w a [1, 4] float initializer.
onnx::ModelProto add_model(int opset = 13) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(opset);
  auto* g = m.mutable_graph();
  g->set_name("g");
  auto io = [](onnx::ValueInfoProto* v, const char* name, std::vector<int64_t> dims) {
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    for (auto d : dims) t->mutable_shape()->add_dim()->set_dim_value(d);
  };
  io(g->add_input(), "x", {1, 4});
  io(g->add_output(), "y", {1, 4});
  auto* n = g->add_node();
  n->set_op_type("Add");
  n->set_name("add");
  n->add_input("x");
  n->add_input("w");
  n->add_output("y");
  return m;
}

void save(const onnx::ModelProto& m, const fs::path& p) {
  std::ofstream f(p, std::ios::binary);
  m.SerializeToOstream(&f);
}

void external_w(onnx::ModelProto& m, const std::string& location, const std::string& offset = "") {
  auto* w = m.mutable_graph()->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(1);
  w->add_dims(4);
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* kv = w->add_external_data();
  kv->set_key("location");
  kv->set_value(location);
  if (!offset.empty()) {
    kv = w->add_external_data();
    kv->set_key("offset");
    kv->set_value(offset);
  }
}
}  // namespace

TEST_CASE("external-data initializers are read from beside the model", "[frontend]") {
  fs::path d = temp_dir("ext");
  const float w[4] = {1.5f, -2.f, 3.25f, 0.f};
  {
    std::ofstream f(d / "weights.bin", std::ios::binary);
    f.write("PAD!", 4);  // data starts at offset 4
    f.write(reinterpret_cast<const char*>(w), sizeof w);
  }
  onnx::ModelProto m = add_model();
  external_w(m, "weights.bin", "4");
  save(m, d / "model.onnx");
  auto g = import_onnx((d / "model.onnx").string(), {});
  REQUIRE(g);
  bool found = false;
  for (const auto& t : g->tensors)
    if (t.name == "w") {
      found = true;
      REQUIRE(t.is_constant());
      CHECK(t.as_f32() == std::vector<float>{1.5f, -2.f, 3.25f, 0.f});
    }
  CHECK(found);
  fs::remove_all(d);
}

TEST_CASE("external data may not escape the model's folder or be short", "[frontend]") {
  fs::path d = temp_dir("ext-bad");
  {
    std::ofstream f(d / "short.bin", std::ios::binary);
    f.write("12345678", 8);
  }
  for (const char* loc : {"../weights.bin", "/etc/passwd"}) {
    onnx::ModelProto m = add_model();
    external_w(m, loc);
    save(m, d / "model.onnx");
    auto g = import_onnx((d / "model.onnx").string(), {});
    REQUIRE_FALSE(g);
    CHECK_THAT(g.error().message, Catch::Contains("'w'") && Catch::Contains("inside the model's folder"));
  }
  onnx::ModelProto m = add_model();
  external_w(m, "short.bin");
  save(m, d / "model.onnx");
  auto g = import_onnx((d / "model.onnx").string(), {});
  REQUIRE_FALSE(g);
  CHECK_THAT(g.error().message, Catch::Contains("'w'") && Catch::Contains("8 bytes"));
  onnx::ModelProto m2 = add_model();
  external_w(m2, "short.bin", "12abc");
  save(m2, d / "model.onnx");
  auto g2 = import_onnx((d / "model.onnx").string(), {});
  REQUIRE_FALSE(g2);
  CHECK_THAT(g2.error().message, Catch::Contains("not a byte count"));
  fs::remove_all(d);
}

TEST_CASE("dynamic dims need an override, which then fixes every shape", "[frontend]") {
  fs::path d = temp_dir("dyn");
  onnx::ModelProto m = add_model();
  auto* dim = m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0);
  dim->set_dim_param("batch");
  auto* w = m.mutable_graph()->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(4);
  for (int i = 0; i < 4; ++i) w->add_float_data(static_cast<float>(i));
  m.mutable_graph()->mutable_output(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_param("batch");
  save(m, d / "model.onnx");
  auto g = import_onnx((d / "model.onnx").string(), {});
  REQUIRE_FALSE(g);
  CHECK_THAT(g.error().message, Catch::Contains("input 'x'") && Catch::Contains("--input-shape x="));
  ImportOptions o;
  o.input_shapes["x"] = {3, 4};
  auto g2 = import_onnx((d / "model.onnx").string(), o);
  REQUIRE(g2);
  CHECK(g2->t(g2->outputs[0]).shape == Shape{3, 4});
  o.input_shapes["x"] = {3, 5};  // contradicts the fixed dim
  auto g3 = import_onnx((d / "model.onnx").string(), o);
  REQUIRE_FALSE(g3);
  CHECK_THAT(g3.error().message, Catch::Contains("fixed to 4"));
  fs::remove_all(d);
}

TEST_CASE("old opsets are converted to the canonical opset", "[frontend]") {
  fs::path d = temp_dir("opset");
  onnx::ModelProto m = add_model(7);
  auto* w = m.mutable_graph()->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(4);
  for (int i = 0; i < 4; ++i) w->add_float_data(1.f);
  save(m, d / "model.onnx");
  auto g = import_onnx((d / "model.onnx").string(), {});
  REQUIRE(g);
  CHECK(g->opset == kCanonicalOpset);
  CHECK(g->nodes.size() == 1);
  fs::remove_all(d);
}

namespace {
// A sandbox job for the tests below: echoes, throws, crashes or names the process it runs in.
std::string test_job(std::string_view r) {
  if (r == "throw") throw std::runtime_error("thrown");
  if (r == "crash") std::raise(SIGSEGV);
  if (r == "pid") return std::to_string(::getpid());
  return "<" + std::string(r) + ">";
}
Expected<std::string> sandboxed(const std::string& r) {
  return run_sandboxed(&test_job, [&] { return r; }, [&] { return test_job(r); });
}
}  // namespace

TEST_CASE("the persistent sandbox worker runs many jobs in one child and is replaced when it crashes", "[frontend][sandbox]") {
  const auto before = sandbox_worker_stats();
  {
    SandboxWorkerScope scope;
    auto a = sandboxed("pid");
    REQUIRE(a);
    CHECK(*a != std::to_string(::getpid()));
    auto b = sandboxed("pid");
    REQUIRE(b);
    CHECK(*b == *a);  // the same worker
    auto c = sandboxed("x");
    REQUIRE(c);
    CHECK(*c == "<x>");
    auto e = sandboxed("throw");
    REQUIRE(!e);
    CHECK(e.error().message == "thrown");
    auto s = sandboxed("crash");
    REQUIRE(!s);
    CHECK(s.error().message == "it crashed (Segmentation fault)");
    auto p = sandboxed("pid");
    REQUIRE(p);
    CHECK(*p != *a);  // a new worker
    CHECK(*p != std::to_string(::getpid()));
  }
  CHECK(sandbox_worker_stats().started == before.started + 2);
  CHECK(sandbox_worker_stats().jobs == before.jobs + 6);
  // the fuzzers count each death of the worker as a finding: one, by SIGSEGV (a thrown job is no death)
  CHECK(sandbox_worker_stats().died == before.died + 1);
  CHECK(sandbox_worker_stats().last_death_signal == SIGSEGV);
  // Without a scope: a child per call, no worker jobs; crashes contained the same way.
  auto one = sandboxed("pid");
  REQUIRE(one);
  CHECK(*one != std::to_string(::getpid()));
  auto crash = sandboxed("crash");
  REQUIRE(!crash);
  CHECK(crash.error().message == "it crashed (Segmentation fault)");
  CHECK(sandbox_worker_stats().jobs == before.jobs + 6);
}

TEST_CASE("a model imports the same with the persistent sandbox worker as with a child per call", "[frontend][sandbox]") {
  fs::path d = temp_dir("worker");
  onnx::ModelProto m = add_model(7);  // version conversion and shape inference, both sandboxed
  auto* w = m.mutable_graph()->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(4);
  for (int i = 0; i < 4; ++i) w->add_float_data(1.f);
  save(m, d / "model.onnx");
  auto one_shot = import_onnx((d / "model.onnx").string(), {});
  REQUIRE(one_shot);
  const auto before = sandbox_worker_stats();
  SandboxWorkerScope scope;
  for (int k = 0; k < 3; ++k) {
    auto g = import_onnx((d / "model.onnx").string(), {});
    REQUIRE(g);
    CHECK(g->opset == kCanonicalOpset);
    REQUIRE(g->nodes.size() == one_shot->nodes.size());
    CHECK(g->nodes[0].op == one_shot->nodes[0].op);
    CHECK(g->tensors.size() == one_shot->tensors.size());
  }
  CHECK(sandbox_worker_stats().started == before.started + 1);
  CHECK(sandbox_worker_stats().jobs >= before.jobs + 6);  // per import: the converter, inference
  fs::remove_all(d);
}
