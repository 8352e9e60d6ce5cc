#include "text/hf_vocab_export.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "slm/error.h"
#include "text/tokenizer.h"

namespace slm {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

enum TokenType : int32_t { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6 };

json read_json(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": cannot open file");
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return json::parse(ss.str());
  } catch (const json::exception& e) {
    throw Error(path.string() + ": invalid JSON: " + e.what());
  }
}

// The pre-tokenizer regexes of the tokenizers llama.cpp names, as tokenizer.json spells them.
// llama.cpp identifies pre-tokenizers by hashing an encoding; slm has the regex itself.
const std::string kContractions = "(?i:'s|'t|'re|'ve|'m|'ll|'d)";
const std::string kLlama3 = kContractions +
                            "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const std::string kQwen2 = kContractions +
                           "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const std::string kQwen35 =
    kContractions +
    "|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const std::string kGpt4o =
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
    "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
    "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const std::vector<std::string> kDeepseekV3 = {
    "\\p{N}{1,3}", "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+",
    "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|"
    "\\s*[\r\n]+|\\s+(?!\\S)|\\s+"};

struct PreTokenizerShape {
  std::vector<std::string> regexes;  // Split patterns in order
  bool byte_level = false;           // a ByteLevel step
  bool byte_level_regex = false;     // ... that splits with GPT-2's own regex
  bool digits = false;               // Digits(individual_digits)
  std::vector<std::string> other;    // anything else, for the error message
};

void collect_pre(const json& p, PreTokenizerShape& s) {
  if (p.is_null()) return;
  const std::string type = p.value("type", std::string());
  if (type == "Sequence") {
    for (const auto& child : p.value("pretokenizers", json::array())) collect_pre(child, s);
  } else if (type == "Split" && p.contains("pattern") && p["pattern"].contains("Regex")) {
    s.regexes.push_back(p["pattern"]["Regex"].get<std::string>());
  } else if (type == "ByteLevel") {
    s.byte_level = true;
    s.byte_level_regex = p.value("use_regex", true);
  } else if (type == "Digits" && p.value("individual_digits", false)) {
    s.digits = true;
  } else {
    s.other.push_back(type);
  }
}

// tokenizer.ggml.pre for a byte-level BPE tokenizer; "" when slm does not know the regex.
std::string pre_name(const PreTokenizerShape& s, bool adds_bos) {
  if (!s.other.empty()) return "";
  if (s.regexes.size() == 1 && !s.byte_level_regex && !s.digits) {
    const std::string& r = s.regexes[0];
    if (r == kLlama3) return "llama-bpe";
    // Same regex; the converter's hash tells them apart by the BOS the DeepSeek distills add.
    if (r == kQwen2) return adds_bos ? "deepseek-r1-qwen" : "qwen2";
    if (r == kQwen35) return "qwen35";
    if (r == kGpt4o) return "gpt-4o";
  }
  if (s.regexes == kDeepseekV3 && !s.byte_level_regex && !s.digits) return "deepseek-v3";
  if (s.regexes.empty() && s.byte_level_regex) return s.digits ? "smollm" : "gpt-2";
  return "";
}

std::string describe(const PreTokenizerShape& s) {
  std::string d;
  for (const auto& r : s.regexes) d += (d.empty() ? "Split(" : ", Split(") + json(r).dump() + ")";
  if (s.digits) d += (d.empty() ? "" : ", ") + std::string("Digits");
  if (s.byte_level) d += (d.empty() ? "" : ", ") + std::string(s.byte_level_regex ? "ByteLevel(use_regex)" : "ByteLevel");
  for (const auto& o : s.other) d += (d.empty() ? "" : ", ") + o;
  return d.empty() ? "none" : d;
}

// "content" of a special-token entry in tokenizer_config.json (a string or an AddedToken object).
std::optional<std::string> token_content(const json& tc, const std::string& key) {
  auto it = tc.find(key);
  if (it == tc.end()) return std::nullopt;
  if (it->is_string() && !it->get<std::string>().empty()) return it->get<std::string>();
  if (it->is_object() && it->contains("content") && (*it)["content"].is_string())
    return (*it)["content"].get<std::string>();
  return std::nullopt;
}

bool is_byte_piece(const std::string& t) {
  return t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>' && std::isxdigit(static_cast<unsigned char>(t[3])) &&
         std::isxdigit(static_cast<unsigned char>(t[4]));
}

// The converter marks some added tokens control although tokenizer.json calls them non-special.
bool looks_special(const std::string& t) {
  auto wrapped = [&](const std::string& open, const std::string& close) {
    return t.size() >= open.size() + close.size() && t.starts_with(open) && t.ends_with(close);
  };
  return t == "<pad>" || t == "<mask>" || t == "<2mass>" || t == "[@BOS@]" || wrapped("<|", "|>") ||
         wrapped("<\xEF\xBD\x9C", "\xEF\xBD\x9C>") || wrapped("<unused", ">");
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  return s;
}

}  // namespace

GgufVocab gguf_vocab_from_hf_dir(const std::string& dir_str, int64_t model_vocab_size) {
  const fs::path dir(dir_str);
  const fs::path tj_path = dir / "tokenizer.json", tc_path = dir / "tokenizer_config.json";
  const std::string where = tj_path.string();
  if (!fs::exists(tj_path)) throw Error(where + ": no such file (the tokenizer to write into the GGUF)");
  const json tj = read_json(tj_path);
  const json tc = fs::exists(tc_path) ? read_json(tc_path) : json();
  const json config = fs::exists(dir / "config.json") ? read_json(dir / "config.json") : json::object();
  // The tokenizer slm itself would run: validates the file and says whether BOS is added.
  const auto hf = Tokenizer::from_hf_dir(dir_str);

  if (!tj.is_object() || !tj.contains("model") || !tj["model"].is_object())
    throw Error(where + ": missing \"model\"");
  const json& model = tj["model"];
  const std::string model_type = model.value("type", std::string("BPE"));
  if (model_type != "BPE")
    throw Error(where + ": model type \"" + model_type + "\" cannot be written as a GGUF vocabulary (only BPE)");
  const bool spm = model.value("byte_fallback", false);

  // Tokens by id: the model vocabulary, then added tokens; holes and the rows past the
  // tokenizer up to the embedding size are "[PADn]" as the converter writes them.
  std::map<int64_t, std::string> by_id;
  for (const auto& [piece, id] : model.at("vocab").items()) by_id[id.get<int64_t>()] = piece;
  struct Added {
    std::string content;
    bool special;
  };
  std::map<int64_t, Added> added;
  for (const auto& a : tj.value("added_tokens", json::array())) {
    const int64_t id = a.at("id").get<int64_t>();
    added[id] = {a.at("content").get<std::string>(), a.value("special", false)};
    by_id[id] = added[id].content;
  }
  const int64_t tokenizer_size = by_id.empty() ? 0 : by_id.rbegin()->first + 1;
  const int64_t n = model_vocab_size > 0 ? model_vocab_size : tokenizer_size;
  if (tokenizer_size > n)
    throw Error(where + ": token id " + std::to_string(tokenizer_size - 1) + " (\"" + by_id.rbegin()->second +
                "\") is beyond the model's vocab_size " + std::to_string(n));

  GgufVocab v;
  std::vector<std::string> tokens(n);
  v.token_types.assign(n, kNormal);
  for (int64_t i = 0; i < n; ++i) {
    auto it = by_id.find(i);
    if (it == by_id.end()) {
      tokens[i] = "[PAD" + std::to_string(i) + "]";
      v.token_types[i] = kUnused;
      continue;
    }
    tokens[i] = it->second;
    if (auto a = added.find(i); a != added.end()) {
      if (a->second.special || looks_special(a->second.content)) {
        v.token_types[i] = kControl;
      } else {
        // llama.cpp matches user-defined tokens in raw text, where spaces are spaces.
        tokens[i] = replace_all(tokens[i], "\xE2\x96\x81", " ");
        v.token_types[i] = kUserDefined;
      }
    } else if (spm && is_byte_piece(it->second)) {
      v.token_types[i] = kByte;
    }
  }
  v.tokens = PieceTable::from(tokens);

  std::vector<std::string> merges;
  for (const auto& m : model.value("merges", json::array())) {
    if (m.is_string()) {
      merges.push_back(m.get<std::string>());
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      // The pair form may hold spaces; GGUF separates the halves by a space, so they become U+0120.
      merges.push_back(replace_all(m[0].get<std::string>(), " ", "\xC4\xA0") + " " +
                       replace_all(m[1].get<std::string>(), " ", "\xC4\xA0"));
    } else {
      throw Error(where + ": model.merges entries must be \"a b\" strings or [a, b] pairs");
    }
  }

  PreTokenizerShape pre;
  collect_pre(tj.value("pre_tokenizer", json()), pre);
  if (spm) {
    // llama.cpp's SentencePiece tokenizer merges by score: the better the merge rank, the higher.
    v.model = "llama";
    v.pre = "default";
    std::unordered_map<std::string, size_t> index;
    for (size_t i = 0; i < v.tokens.size(); ++i)
      if (v.token_types[i] == kNormal) index.emplace(v.tokens[i], i);
    v.scores.assign(n, 0.0f);
    std::vector<bool> scored(n, false);
    for (size_t r = 0; r < merges.size(); ++r) {
      const size_t sp = merges[r].find(' ', 1);
      if (sp == std::string::npos) continue;
      auto it = index.find(merges[r].substr(0, sp) + merges[r].substr(sp + 1));
      if (it != index.end() && !scored[it->second]) {
        v.scores[it->second] = -static_cast<float>(r);
        scored[it->second] = true;
      }
    }
    // Pieces no merge produces come after all merges, in id order (as SentencePiece lists them).
    float next = -static_cast<float>(merges.size());
    for (size_t i = 0; i < v.tokens.size(); ++i)
      if (v.token_types[i] == kNormal && !scored[i]) v.scores[i] = next--;
    const std::string unk = model.value("unk_token", json()).is_string() ? model["unk_token"].get<std::string>() : "";
    for (size_t i = 0; i < v.tokens.size(); ++i)
      if (!unk.empty() && v.tokens[i] == unk) {
        v.token_types[i] = kUnknown;
        v.unk_id = static_cast<int32_t>(i);
      }
    // A leading "▁" comes from a Prepend normalizer or a Metaspace pre-tokenizer.
    const std::string norm = tj.value("normalizer", json()).dump(), pre_json = tj.value("pre_tokenizer", json()).dump();
    const bool prepend = norm.find("\"Prepend\"") != std::string::npos ||
                         (pre_json.find("\"Metaspace\"") != std::string::npos &&
                          pre_json.find("\"prepend_scheme\":\"never\"") == std::string::npos &&
                          pre_json.find("\"add_prefix_space\":false") == std::string::npos);
    v.add_space_prefix = prepend;
  } else {
    if (!pre.byte_level)
      throw Error(where + ": a BPE tokenizer without byte_fallback needs a ByteLevel pre-tokenizer (found " +
                  describe(pre) + ")");
    v.model = "gpt2";
    v.pre = pre_name(pre, hf->adds_bos());
    if (v.pre.empty())
      throw Error(where + ": pre_tokenizer " + describe(pre) +
                  " is not one llama.cpp knows by name (llama-bpe, qwen2, qwen35, gpt-4o, deepseek-v3, smollm, gpt-2)");
    v.merges = PieceTable::from(merges);
  }

  // Special ids as the converter's SpecialVocab finds them.
  std::map<std::string, int32_t> ids;
  std::optional<bool> add_eos;
  auto set_id = [&](const std::string& type, std::optional<int64_t> id) {
    if (id && *id >= 0 && *id < n && !ids.count(type)) ids[type] = static_cast<int32_t>(*id);
  };
  auto id_of_content = [&](const std::string& content) -> std::optional<int64_t> {
    for (const auto& [id, a] : added)
      if (a.content == content) return id;
    return std::nullopt;
  };
  const bool has_tc = tc.is_object();
  std::optional<std::string> bos_text = has_tc ? token_content(tc, "bos_token") : std::nullopt;
  std::optional<std::string> eos_text = has_tc ? token_content(tc, "eos_token") : std::nullopt;
  if (!bos_text && has_tc) bos_text = token_content(tc, "cls_token");
  if (!eos_text && has_tc) eos_text = token_content(tc, "sep_token");
  if (const json post = tj.value("post_processor", json()); post.is_object()) {
    const json list = post.contains("processors") ? post["processors"] : json::array({post});
    for (const auto& p : list) {
      if (p.value("type", std::string()) != "TemplateProcessing") continue;
      const json single = p.value("single", json::array());
      if (single.size() < 2) continue;
      const json last = single.back().value("SpecialToken", json::object());
      if (last.contains("id")) {
        const std::string id = last["id"].get<std::string>();
        if (!eos_text || *eos_text != id) eos_text = id;
        add_eos = true;
      }
    }
  }
  if (has_tc) {
    if (tc.contains("add_eos_token") && tc["add_eos_token"].is_boolean()) add_eos = tc["add_eos_token"].get<bool>();
    for (const auto& [type, text] : std::vector<std::pair<std::string, std::optional<std::string>>>{
             {"bos", bos_text}, {"eos", eos_text}, {"unk", token_content(tc, "unk_token")},
             {"pad", token_content(tc, "pad_token")}})
      if (text) set_id(type, id_of_content(*text));
  }
  const json& cfg_text = config.contains("text_config") && config["text_config"].is_object() ? config["text_config"] : config;
  for (const std::string type : {"bos", "eos", "unk", "pad"}) {
    const std::string key = type + "_token_id";
    const json* value = config.contains(key) && !config[key].is_null() ? &config[key]
                        : cfg_text.contains(key)                      ? &cfg_text[key]
                                                                      : nullptr;
    if (value && value->is_number_integer()) set_id(type, value->get<int64_t>());
  }
  auto get = [&](const char* type) -> std::optional<int32_t> {
    auto it = ids.find(type);
    return it == ids.end() ? std::nullopt : std::optional<int32_t>(it->second);
  };
  v.bos_id = get("bos");
  v.eos_id = get("eos");
  if (!v.unk_id) v.unk_id = get("unk");
  v.pad_id = get("pad");
  // Whether BOS is added is what the tokenizer slm runs does, written explicitly so llama.cpp's
  // per-pre-tokenizer default (BOS for llama-bpe) cannot differ from it.
  v.add_bos = hf->adds_bos();
  if (*v.add_bos && !v.bos_id) v.bos_id = hf->bos_id();
  v.add_eos = add_eos;
  return v;
}

std::string vocab_export_mismatch(const Tokenizer& hf, const GgufVocab& vocab) {
  const auto gguf = Tokenizer::from_gguf_vocab(vocab);
  // Precomposed text only: llama.cpp does not apply tokenizer.json's NFC normalizer.
  std::vector<std::string> probes = {
      "Hello world! It's 2024-06-01, isn't it? I'M SURE YOU'RE RIGHT, we'll see.",
      "  leading, double  spaces   and trailing  \n\nnew lines\r\n\ttabs \n",
      "cr\u00eape na\u00efve caf\u00e9 \u2014 \u4f60\u597d\u4e16\u754c \u3053\u3093\u306b\u3061\u306f "
      "\U0001F642\U0001F44D\U0001F3FD \u0928\u092e\u0938\u094d\u0924\u0947",
      "numbers 1 12 123 1234 12345 3.14159 1,000,000",
      "code: def f(x):\n    return x**2  # comment\n/* c */ a->b && c || d/e",
      ""};
  std::string specials;
  for (size_t i = 0; i < vocab.tokens.size(); ++i)
    if (vocab.token_types[i] == kControl || vocab.token_types[i] == kUserDefined)
      specials.append(vocab.tokens[i]).append(" x");
  probes.push_back(specials);
  for (const auto& text : probes) {
    const auto want = hf.encode(text, true), got = gguf->encode(text, true);
    if (want != got)
      return "encoding " + json(text).dump() + " gives " + std::to_string(got.size()) + " ids instead of " +
             std::to_string(want.size()) + (want.size() == got.size() ? " (different ids)" : "");
    if (hf.decode(want, false) != gguf->decode(want, false)) return "decoding the ids of " + json(text).dump() + " differs";
  }
  return "";
}

}  // namespace slm
