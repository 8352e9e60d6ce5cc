// GGUF metadata: arrays are kept as views of the file's bytes and decoded on request. They read
// back as written, copy into another file unchanged, and corrupt ones are still rejected on open.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "formats/gguf.h"
#include "formats/gguf_writer.h"
#include "slm/error.h"
#include "test_support.h"

namespace slm {
namespace {

namespace fs = std::filesystem;

class GgufMetadata : public testing::Test {
 protected:
  void SetUp() override { dir_ = test::temp_dir("gguf-meta"); }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write_bytes(const std::vector<uint8_t>& bytes, const std::string& name = "m.gguf") {
    const std::string p = dir_ + "/" + name;
    std::ofstream(p, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return p;
  }
  // The message of the error opening `path` throws ("" when it opens).
  static std::string open_error(const std::string& path) {
    try {
      GgufFile f(path);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }

  std::string dir_;
};

const std::vector<std::string> kStrings = {"a", "", "hello world", std::string(40, 'x'), "\xE2\x96\x81the"};

GgufWriter sample_writer() {
  GgufWriter w;
  w.set_string("general.architecture", "qwen3");
  w.set_u32("n", 7);
  w.set_string_array("strings", kStrings);
  w.set_f32_array("floats", {1.5f, -2.25f, 0.0f});
  w.set_i32_array("ints", {3, -4, 2147483647});
  w.set_bool_array("bools", {true, false, true});
  w.set_string_array("empty", {});
  return w;
}

// Little-endian field appenders for files the writer cannot produce (nested or corrupt arrays).
template <typename T>
void put(std::vector<uint8_t>& out, T v) {
  const auto* p = reinterpret_cast<const uint8_t*>(&v);
  out.insert(out.end(), p, p + sizeof(T));
}
void put_string(std::vector<uint8_t>& out, const std::string& s) {
  put<uint64_t>(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}
// A GGUF v3 header with no tensors and one metadata entry `key` whose type and value are `value`.
std::vector<uint8_t> one_key_file(const std::string& key, const std::vector<uint8_t>& value) {
  std::vector<uint8_t> out;
  put<uint32_t>(out, 0x46554747);
  put<uint32_t>(out, 3);
  put<uint64_t>(out, 0);
  put<uint64_t>(out, 1);
  put_string(out, key);
  out.insert(out.end(), value.begin(), value.end());
  return out;
}
std::vector<uint8_t> array_header(GgufType elem, uint64_t count) {
  std::vector<uint8_t> v;
  put<uint32_t>(v, static_cast<uint32_t>(GgufType::ARRAY));
  put<uint32_t>(v, static_cast<uint32_t>(elem));
  put<uint64_t>(v, count);
  return v;
}

TEST_F(GgufMetadata, ArraysReadBackAsWritten) {
  GgufFile f(write_bytes(sample_writer().serialize()));
  EXPECT_EQ(f.get_string_array("strings"), kStrings);
  const auto views = f.get_string_views("strings");
  ASSERT_EQ(views.size(), kStrings.size());
  for (size_t i = 0; i < views.size(); ++i) EXPECT_EQ(views[i], kStrings[i]) << i;
  EXPECT_EQ(f.get_float_array("floats"), (std::vector<double>{1.5, -2.25, 0.0}));
  EXPECT_EQ(f.get_int_array("ints"), (std::vector<int64_t>{3, -4, 2147483647}));
  EXPECT_EQ(f.get_float_array("ints"), (std::vector<double>{3, -4, 2147483647}));  // integers are numbers too
  EXPECT_EQ(f.get_int_array("bools"), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_TRUE(f.get_string_array("empty").empty());
  EXPECT_EQ(f.get_int("n"), 7);

  const GgufValue& a = *f.find("ints");
  EXPECT_EQ(a.type, GgufType::ARRAY);
  EXPECT_EQ(a.array.elem_type(), GgufType::I32);
  ASSERT_EQ(a.array.size(), 3u);
  EXPECT_EQ(a.array.bytes().size(), 12u);  // a view of the encoded elements, nothing decoded
  const auto values = a.array.values();
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values[1].type, GgufType::I32);
  EXPECT_EQ(values[1].i, -4);
  EXPECT_EQ(f.find("floats")->array.values()[1].f, -2.25);
  EXPECT_EQ(f.find("strings")->array.values()[2].s, "hello world");
}

TEST_F(GgufMetadata, MistypedArrayAccessNamesFileAndKey) {
  const std::string path = write_bytes(sample_writer().serialize());
  GgufFile f(path);
  const auto message = [&](auto&& call) -> std::string {
    try {
      call();
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(message([&] { f.get_int_array("floats"); }), path + ": metadata floats: expected an array of integers");
  EXPECT_EQ(message([&] { f.get_float_array("strings"); }), path + ": metadata strings: expected an array of numbers");
  EXPECT_EQ(message([&] { f.get_string_array("ints"); }), path + ": metadata ints: expected an array of strings");
  EXPECT_EQ(message([&] { f.get_string_views("n"); }), path + ": metadata n: expected an array");
  EXPECT_EQ(message([&] { f.get_int_array("absent"); }), path + ": missing metadata absent");
}

TEST_F(GgufMetadata, CopiedValuesKeepTheirBytes) {
  const std::string first = write_bytes(sample_writer().serialize(), "first.gguf");
  GgufFile in(first);
  GgufWriter w;
  for (const auto& [key, value] : in.metadata()) w.set_value(key, value);
  GgufFile out(write_bytes(w.serialize(), "second.gguf"));
  ASSERT_EQ(out.metadata().size(), in.metadata().size());
  for (const auto& [key, value] : in.metadata()) {
    const GgufValue* v = out.find(key);
    ASSERT_TRUE(v) << key;
    EXPECT_EQ(v->type, value.type) << key;
    EXPECT_EQ(v->i, value.i) << key;
    EXPECT_EQ(v->s, value.s) << key;
    EXPECT_EQ(v->array.elem_type(), value.array.elem_type()) << key;
    EXPECT_EQ(v->array.size(), value.array.size()) << key;
    const auto a = v->array.bytes(), b = value.array.bytes();
    EXPECT_TRUE(a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin())) << key;
  }
  EXPECT_EQ(out.get_string_array("strings"), kStrings);
}

TEST_F(GgufMetadata, NestedArraysAreViewsToo) {
  // [[1, 2], [3]] as arrays of u16, then copied through the writer.
  std::vector<uint8_t> value = array_header(GgufType::ARRAY, 2);
  put<uint32_t>(value, static_cast<uint32_t>(GgufType::U16));
  put<uint64_t>(value, 2);
  put<uint16_t>(value, 1);
  put<uint16_t>(value, 2);
  put<uint32_t>(value, static_cast<uint32_t>(GgufType::U16));
  put<uint64_t>(value, 1);
  put<uint16_t>(value, 3);
  GgufFile f(write_bytes(one_key_file("nested", value)));
  const auto outer = f.find("nested")->array.values();
  ASSERT_EQ(outer.size(), 2u);
  ASSERT_EQ(outer[0].type, GgufType::ARRAY);
  EXPECT_EQ(outer[0].array.ints(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(outer[1].array.ints(), (std::vector<int64_t>{3}));
  EXPECT_THROW(f.get_int_array("nested"), Error);  // not an array of integers

  GgufWriter w;
  w.set_value("nested", *f.find("nested"));
  GgufFile copy(write_bytes(w.serialize(), "copy.gguf"));
  EXPECT_EQ(copy.find("nested")->array.values()[1].array.ints(), (std::vector<int64_t>{3}));
}

TEST_F(GgufMetadata, CorruptArraysAreRejectedOnOpen) {
  {  // a length larger than the file
    std::vector<uint8_t> value = array_header(GgufType::STRING, 1ull << 40);
    const std::string path = write_bytes(one_key_file("tokens", value));
    EXPECT_NE(open_error(path).find(path + ": metadata tokens: array length 1099511627776 exceeds"), std::string::npos)
        << open_error(path);
  }
  {  // fixed-size elements that run past the end
    std::vector<uint8_t> value = array_header(GgufType::F32, 10);
    put<float>(value, 1.0f);
    put<float>(value, 2.0f);
    put<float>(value, 3.0f);
    const std::string path = write_bytes(one_key_file("scores", value));
    EXPECT_NE(open_error(path).find(path + ": metadata scores: array of 10 elements runs past the end of the file"),
              std::string::npos)
        << open_error(path);
  }
  {  // a string element whose length runs past the end
    std::vector<uint8_t> value = array_header(GgufType::STRING, 2);
    put_string(value, "ok");
    put<uint64_t>(value, 1000);
    value.insert(value.end(), 5, 'z');
    const std::string path = write_bytes(one_key_file("merges", value));
    EXPECT_NE(open_error(path).find(path + ": truncated GGUF file while reading string"), std::string::npos)
        << open_error(path);
  }
  {  // a bool element that is neither 0 nor 1
    std::vector<uint8_t> value = array_header(GgufType::BOOL, 2);
    put<uint8_t>(value, 1);
    put<uint8_t>(value, 7);
    const std::string path = write_bytes(one_key_file("flags", value));
    EXPECT_NE(open_error(path).find(path + ": metadata flags: invalid bool value 7"), std::string::npos)
        << open_error(path);
  }
  {  // an unknown element type
    std::vector<uint8_t> value = array_header(static_cast<GgufType>(99), 0);
    const std::string path = write_bytes(one_key_file("odd", value));
    EXPECT_NE(open_error(path).find(path + ": metadata odd: unknown array element type 99"), std::string::npos)
        << open_error(path);
  }
  {  // arrays nested deeper than the reader allows
    std::vector<uint8_t> value;
    put<uint32_t>(value, static_cast<uint32_t>(GgufType::ARRAY));
    for (int d = 0; d < 6; ++d) {
      put<uint32_t>(value, static_cast<uint32_t>(GgufType::ARRAY));
      put<uint64_t>(value, 1);
    }
    const std::string path = write_bytes(one_key_file("deep", value));
    EXPECT_NE(open_error(path).find(path + ": metadata deep: arrays nested too deep"), std::string::npos)
        << open_error(path);
  }
}

}  // namespace
}  // namespace slm
