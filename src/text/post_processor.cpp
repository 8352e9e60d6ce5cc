#include "text/post_processor.h"

#include "text/json_util.h"

namespace slm {

namespace {

class Affix : public PostProcessor {
 public:
  Affix(std::vector<int32_t> pre, std::vector<int32_t> post) : pre_(std::move(pre)), post_(std::move(post)) {}
  void process(std::vector<int32_t>& ids) const override {
    ids.insert(ids.begin(), pre_.begin(), pre_.end());
    ids.insert(ids.end(), post_.begin(), post_.end());
  }
  std::vector<int32_t> prefix() const override { return pre_; }
  std::vector<int32_t> suffix() const override { return post_; }

 private:
  std::vector<int32_t> pre_, post_;
};

class SequenceProcessor : public PostProcessor {
 public:
  explicit SequenceProcessor(std::vector<std::unique_ptr<PostProcessor>> parts) : parts_(std::move(parts)) {}
  void process(std::vector<int32_t>& ids) const override {
    for (const auto& p : parts_) p->process(ids);
  }
  std::vector<int32_t> prefix() const override {
    std::vector<int32_t> r;
    for (auto it = parts_.rbegin(); it != parts_.rend(); ++it) {
      auto p = (*it)->prefix();
      r.insert(r.end(), p.begin(), p.end());
    }
    return r;
  }
  std::vector<int32_t> suffix() const override {
    std::vector<int32_t> r;
    for (const auto& p : parts_) {
      auto s = p->suffix();
      r.insert(r.end(), s.begin(), s.end());
    }
    return r;
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> parts_;
};

// TemplateProcessing "single": special tokens around the one "A" sequence.
std::unique_ptr<PostProcessor> template_processing(const nlohmann::json& j, const std::string& ctx) {
  namespace ju = json_util;
  const auto& single = ju::field(j, "single", ctx);
  if (!single.is_array()) throw Error(ctx + ": \"single\" must be an array of pieces");
  const auto& specials = j.contains("special_tokens") ? j["special_tokens"] : nlohmann::json::object();
  std::vector<int32_t> pre, post;
  bool seen_sequence = false;
  for (const auto& piece : single) {
    if (piece.contains("Sequence")) {
      if (seen_sequence) throw Error(ctx + ": more than one sequence in \"single\"");
      seen_sequence = true;
      continue;
    }
    if (!piece.contains("SpecialToken")) throw Error(ctx + ": unknown template piece " + piece.dump());
    std::string name = ju::str(piece["SpecialToken"], "id", ctx);
    if (!specials.contains(name)) throw Error(ctx + ": special token \"" + name + "\" missing from special_tokens");
    const auto& ids = ju::field(specials[name], "ids", ctx);
    for (const auto& id : ids) (seen_sequence ? post : pre).push_back(id.get<int32_t>());
  }
  if (!seen_sequence) throw Error(ctx + ": \"single\" has no sequence");
  return std::make_unique<Affix>(std::move(pre), std::move(post));
}

}  // namespace

std::unique_ptr<PostProcessor> make_affix_processor(std::vector<int32_t> prefix, std::vector<int32_t> suffix) {
  return std::make_unique<Affix>(std::move(prefix), std::move(suffix));
}

std::unique_ptr<PostProcessor> make_post_processor(const nlohmann::json& j, const std::string& context) {
  namespace ju = json_util;
  std::string type = ju::type_of(j, context);
  std::string ctx = context + " (" + type + ")";
  // ByteLevel only trims offsets, which slm does not expose.
  if (type == "ByteLevel") return std::make_unique<Affix>(std::vector<int32_t>{}, std::vector<int32_t>{});
  if (type == "TemplateProcessing") return template_processing(j, ctx);
  if (type == "RobertaProcessing" || type == "BertProcessing") {
    auto id_of = [&](const char* key) {
      const auto& v = ju::field(j, key, ctx);
      if (!v.is_array() || v.size() != 2) throw Error(ctx + ": \"" + key + "\" must be [token, id]");
      return v[1].get<int32_t>();
    };
    return std::make_unique<Affix>(std::vector<int32_t>{id_of("cls")}, std::vector<int32_t>{id_of("sep")});
  }
  if (type == "Sequence") {
    const auto& list = ju::field(j, "processors", ctx);
    std::vector<std::unique_ptr<PostProcessor>> parts;
    for (size_t i = 0; i < list.size(); ++i)
      parts.push_back(make_post_processor(list[i], context + ".processors[" + std::to_string(i) + "]"));
    return std::make_unique<SequenceProcessor>(std::move(parts));
  }
  throw Error(context + ": unsupported post_processor type \"" + type + "\"");
}

}  // namespace slm
