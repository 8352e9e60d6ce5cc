// Tokenizer::from_hf_dir / from_json_files: builds the pipeline from tokenizer.json
// (+ tokenizer_config.json).
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "slm/error.h"
#include "text/bpe_model.h"
#include "text/json_util.h"
#include "text/pipeline_tokenizer.h"

namespace slm {

namespace {

namespace ju = json_util;
using nlohmann::json;

json read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open file");
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return json::parse(ss.str());
  } catch (const json::exception& e) {
    throw Error(path + ": invalid JSON: " + e.what());
  }
}

std::unique_ptr<Model> make_model(const json& m, const std::string& ctx) {
  if (!m.is_object()) throw Error(ctx + ": \"model\" must be an object");
  std::string type = m.contains("type") ? ju::str(m, "type", ctx) : (m.contains("merges") ? "BPE" : "");
  if (type != "BPE") throw Error(ctx + ": unsupported model type \"" + type + "\"");
  std::string mctx = ctx + " (BPE)";
  if (!ju::get_or<json>(m, "dropout", json()).is_null() && ju::get_or(m, "dropout", 0.0) != 0.0)
    throw Error(mctx + ": BPE dropout is not supported");
  const json& vocab = ju::field(m, "vocab", mctx);
  if (!vocab.is_object()) throw Error(mctx + ": \"vocab\" must be an object");
  std::vector<std::string_view> pieces;  // views of the JSON's keys, by id; gaps stay empty
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    const std::string& piece = it.key();  // the object's own key: the view stays valid
    const json& idj = it.value();
    if (!idj.is_number_integer() || idj.get<int64_t>() < 0 || idj.get<int64_t>() > (1 << 26))
      throw Error(mctx + ": bad id for token \"" + piece + "\"");
    size_t id = idj.get<size_t>();
    if (id >= pieces.size()) pieces.resize(id + 1);
    pieces[id] = piece;
  }
  std::vector<BpeModel::MergePieces> merges;  // views of the JSON's strings
  if (m.contains("merges")) {
    const json& mj = m["merges"];
    if (!mj.is_array()) throw Error(mctx + ": \"merges\" must be an array");
    merges.reserve(mj.size());
    for (size_t i = 0; i < mj.size(); ++i) {
      const json& e = mj[i];
      if (e.is_string()) {
        const std::string& s = e.get_ref<const std::string&>();
        size_t sp = s.find(' ');
        if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
          throw Error(mctx + ": merge " + std::to_string(i) + " \"" + s + "\" is not \"left right\"");
        const std::string_view v = s;
        merges.emplace_back(v.substr(0, sp), v.substr(sp + 1));
      } else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
        merges.emplace_back(e[0].get_ref<const std::string&>(), e[1].get_ref<const std::string&>());
      } else {
        throw Error(mctx + ": merge " + std::to_string(i) + " must be \"a b\" or [\"a\", \"b\"]");
      }
    }
  }
  BpeOptions opt;
  if (m.contains("unk_token") && m["unk_token"].is_string()) opt.unk_token = m["unk_token"].get<std::string>();
  opt.continuing_subword_prefix = ju::get_or<std::string>(m, "continuing_subword_prefix", "");
  opt.end_of_word_suffix = ju::get_or<std::string>(m, "end_of_word_suffix", "");
  opt.fuse_unk = ju::get_or(m, "fuse_unk", false);
  opt.byte_fallback = ju::get_or(m, "byte_fallback", false);
  opt.ignore_merges = ju::get_or(m, "ignore_merges", false);
  return std::make_unique<BpeModel>(PieceTable::from(pieces), merges, std::move(opt), mctx);
}

// bos_token / eos_token in tokenizer_config.json: a string or {"content": ...}.
std::optional<std::string> config_token(const json& cfg, const char* key) {
  if (!cfg.contains(key)) return std::nullopt;
  const json& v = cfg[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
  return std::nullopt;
}

}  // namespace

std::unique_ptr<Tokenizer> Tokenizer::from_json_files(const std::string& tokenizer_json,
                                                      const std::string& tokenizer_config_json) {
  json j = read_json(tokenizer_json);
  const std::string& ctx = tokenizer_json;
  if (!j.is_object()) throw Error(ctx + ": expected a JSON object");
  if (!j.contains("model") || j["model"].is_null()) throw Error(ctx + ": missing \"model\"");
  json cfg = tokenizer_config_json.empty() ? json::object() : read_json(tokenizer_config_json);
  if (!cfg.is_object()) throw Error(tokenizer_config_json + ": expected a JSON object");

  // Truncation would silently shorten long inputs and fixed padding lengthen short ones.
  // Padding to the longest sequence of a batch does nothing for a single sequence.
  if (j.contains("truncation") && !j["truncation"].is_null())
    throw Error(ctx + ": \"truncation\" is not supported (set it to null)");
  if (j.contains("padding") && !j["padding"].is_null()) {
    const json& strategy = j["padding"].contains("strategy") ? j["padding"]["strategy"] : json();
    if (!(strategy.is_string() && strategy.get<std::string>() == "BatchLongest"))
      throw Error(ctx + ": \"padding\" with a fixed length is not supported");
  }

  TokenizerParts parts;
  parts.model = make_model(j["model"], ctx + ": model");
  if (j.contains("normalizer") && !j["normalizer"].is_null())
    parts.normalizer = make_normalizer(j["normalizer"], ctx + ": normalizer");
  if (j.contains("pre_tokenizer") && !j["pre_tokenizer"].is_null())
    parts.pre_tokenizer = make_pre_tokenizer(j["pre_tokenizer"], ctx + ": pre_tokenizer");
  if (j.contains("decoder") && !j["decoder"].is_null()) parts.decoder = make_decoder(j["decoder"], ctx + ": decoder");

  if (j.contains("added_tokens")) {
    const json& at = j["added_tokens"];
    if (!at.is_array()) throw Error(ctx + ": \"added_tokens\" must be an array");
    for (size_t i = 0; i < at.size(); ++i) {
      std::string actx = ctx + ": added_tokens[" + std::to_string(i) + "]";
      AddedToken t;
      t.content = ju::str(at[i], "content", actx);
      const json& idj = ju::field(at[i], "id", actx);
      if (!idj.is_number_integer() || idj.get<int64_t>() < 0) throw Error(actx + ": bad \"id\"");
      t.id = idj.get<int32_t>();
      t.special = ju::get_or(at[i], "special", false);
      t.lstrip = ju::get_or(at[i], "lstrip", false);
      t.rstrip = ju::get_or(at[i], "rstrip", false);
      t.single_word = ju::get_or(at[i], "single_word", false);
      t.normalized = ju::get_or(at[i], "normalized", !t.special);
      parts.added_tokens.push_back(std::move(t));
    }
  }

  auto lookup = [&](const std::string& s) -> std::optional<int32_t> {
    for (const auto& t : parts.added_tokens)
      if (t.content == s) return t.id;
    int32_t id = parts.model->token_id(s);
    return id >= 0 ? std::optional<int32_t>(id) : std::nullopt;
  };
  if (auto b = config_token(cfg, "bos_token")) parts.bos_id = lookup(*b);
  if (auto e = config_token(cfg, "eos_token")) parts.eos_id = lookup(*e);

  if (j.contains("post_processor") && !j["post_processor"].is_null()) {
    parts.post_processor = make_post_processor(j["post_processor"], ctx + ": post_processor");
    if (!parts.bos_id) {
      auto pre = parts.post_processor->prefix();
      if (!pre.empty()) parts.bos_id = pre.front();
    }
  } else {
    // No post-processor in tokenizer.json: BOS/EOS come from tokenizer_config.json's flags.
    std::vector<int32_t> pre, post;
    if (ju::get_or(cfg, "add_bos_token", false)) {
      if (!parts.bos_id) throw Error(tokenizer_config_json + ": add_bos_token is set but bos_token is unknown");
      pre.push_back(*parts.bos_id);
    }
    if (ju::get_or(cfg, "add_eos_token", false)) {
      if (!parts.eos_id) throw Error(tokenizer_config_json + ": add_eos_token is set but eos_token is unknown");
      post.push_back(*parts.eos_id);
    }
    if (!pre.empty() || !post.empty()) parts.post_processor = make_affix_processor(std::move(pre), std::move(post));
  }
  return std::make_unique<PipelineTokenizer>(std::move(parts));
}

std::unique_ptr<Tokenizer> Tokenizer::from_hf_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  fs::path tj = fs::path(dir) / "tokenizer.json";
  if (!fs::exists(tj)) throw Error(dir + ": no tokenizer.json in this directory");
  fs::path cfg = fs::path(dir) / "tokenizer_config.json";
  return from_json_files(tj.string(), fs::exists(cfg) ? cfg.string() : std::string());
}

}  // namespace slm
