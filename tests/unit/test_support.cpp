// Unit tests for name sanitizing, byte-size parsing and shape parsing.
#include <catch2/catch.hpp>

#include "driver/compile.h"
#include "support/sanitize.h"

using namespace ferrite;

TEST_CASE("identifiers from hostile names are valid C++", "[sanitize]") {
  CHECK(sanitize_identifier("conv1/weight:0") == "conv1_weight_0");
  CHECK(sanitize_identifier("int") == "int_");
  CHECK(sanitize_identifier("class") == "class_");
  CHECK(sanitize_identifier("__LINE__") == "LINE");
  CHECK(sanitize_identifier("9lives") == "n9lives");
  CHECK(sanitize_identifier("") == "x");
  CHECK(sanitize_identifier("*/ #define x \\") == "define_x");
  CHECK(sanitize_identifier("a__b") == "a_b");
  CHECK(sanitize_identifier(std::string(200, 'a')).size() == 48);
}

TEST_CASE("comment text cannot escape a line comment", "[sanitize]") {
  CHECK(comment_safe("a\\") == "a?");
  CHECK(comment_safe("line\nbreak") == "line?break");
}

TEST_CASE("string literals escape everything but plain characters", "[sanitize]") {
  CHECK(c_string_literal("ab") == "\"ab\"");
  CHECK(c_string_literal("a\"b") == "\"a\\042b\"");
  CHECK(c_string_literal("\n") == "\"\\012\"");
  CHECK(c_string_literal("?\?=") == "\"\\077\\077\\075\"");
}

TEST_CASE("file names are safe", "[sanitize]") {
  CHECK(sanitize_filename("../etc/passwd") == "_._etc_passwd");
  CHECK(sanitize_filename(".hidden") == "_hidden");
  CHECK(sanitize_filename("") == "output");
}

TEST_CASE("byte sizes", "[cli]") {
  CHECK(*parse_bytes("65536") == 65536);
  CHECK(*parse_bytes("64KiB") == 65536);
  CHECK(*parse_bytes("1MiB") == 1048576);
  CHECK(*parse_bytes("64KB") == 64000);
  CHECK(!parse_bytes("64 parsecs"));
  CHECK(!parse_bytes("KiB"));
}

TEST_CASE("shapes", "[cli]") {
  CHECK(*parse_shape("1x3x96x96") == Shape{1, 3, 96, 96});
  CHECK(*parse_shape("1,10") == Shape{1, 10});
  CHECK(!parse_shape("1xx3"));
  CHECK(!parse_shape("-1x3"));
}
