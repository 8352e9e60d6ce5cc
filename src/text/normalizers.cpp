#include "text/normalizers.h"

#include <vector>

#include "text/json_util.h"
#include "text/regex.h"
#include "text/unicode.h"

namespace slm {

namespace {

class UnicodeForm : public Normalizer {
 public:
  explicit UnicodeForm(std::string (*fn)(std::string_view)) : fn_(fn) {}
  void normalize(std::string& t) const override { t = fn_(t); }

 private:
  std::string (*fn_)(std::string_view);
};

class Lowercase : public Normalizer {
 public:
  void normalize(std::string& t) const override { t = unicode::lowercase(t); }
};

class Prepend : public Normalizer {
 public:
  explicit Prepend(std::string p) : prefix_(std::move(p)) {}
  // Hugging Face prepends only to non-empty text.
  void normalize(std::string& t) const override {
    if (!t.empty()) t.insert(0, prefix_);
  }

 private:
  std::string prefix_;
};

class ReplaceString : public Normalizer {
 public:
  ReplaceString(std::string from, std::string to) : from_(std::move(from)), to_(std::move(to)) {}
  void normalize(std::string& t) const override {
    if (from_.empty() || t.find(from_) == std::string::npos) return;
    std::string out;
    out.reserve(t.size() + t.size() / 4);
    size_t pos = 0;
    for (size_t hit; (hit = t.find(from_, pos)) != std::string::npos; pos = hit + from_.size()) {
      out.append(t, pos, hit - pos);
      out += to_;
    }
    out.append(t, pos, std::string::npos);
    t = std::move(out);
  }

 private:
  std::string from_, to_;
};

class ReplaceRegex : public Normalizer {
 public:
  ReplaceRegex(const std::string& pattern, std::string to, const std::string& ctx) : re_(pattern, ctx), to_(std::move(to)) {}
  void normalize(std::string& t) const override {
    std::vector<std::pair<size_t, size_t>> m;
    re_.find_all(t, m);
    if (m.empty()) return;
    std::string out;
    size_t pos = 0;
    for (auto [b, e] : m) {
      out.append(t, pos, b - pos);
      out += to_;
      pos = e;
    }
    out.append(t, pos, std::string::npos);
    t = std::move(out);
  }

 private:
  Regex re_;
  std::string to_;
};

class Strip : public Normalizer {
 public:
  Strip(bool left, bool right) : left_(left), right_(right) {}
  void normalize(std::string& t) const override {
    size_t b = 0, e = t.size();
    if (left_) {
      while (b < e) {
        size_t i = b;
        if (!unicode::is_white_space(unicode::decode_utf8(t, i))) break;
        b = i;
      }
    }
    if (right_) {
      while (e > b) {
        size_t s = e - 1;
        while (s > b && (static_cast<unsigned char>(t[s]) & 0xC0) == 0x80) --s;
        size_t i = s;
        if (!unicode::is_white_space(unicode::decode_utf8(t, i))) break;
        e = s;
      }
    }
    t = t.substr(b, e - b);
  }

 private:
  bool left_, right_;
};

class Sequence : public Normalizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<Normalizer>> parts) : parts_(std::move(parts)) {}
  void normalize(std::string& t) const override {
    for (const auto& p : parts_) p->normalize(t);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> parts_;
};

}  // namespace

std::unique_ptr<Normalizer> make_prepend_normalizer(std::string prefix) { return std::make_unique<Prepend>(std::move(prefix)); }
std::unique_ptr<Normalizer> make_replace_normalizer(std::string from, std::string to) {
  return std::make_unique<ReplaceString>(std::move(from), std::move(to));
}
std::unique_ptr<Normalizer> make_sequence_normalizer(std::vector<std::unique_ptr<Normalizer>> parts) {
  return std::make_unique<Sequence>(std::move(parts));
}

std::unique_ptr<Normalizer> make_normalizer(const nlohmann::json& j, const std::string& context) {
  namespace ju = json_util;
  std::string type = ju::type_of(j, context);
  std::string ctx = context + " (" + type + ")";
  if (type == "NFC") return std::make_unique<UnicodeForm>(&unicode::nfc);
  if (type == "NFKC") return std::make_unique<UnicodeForm>(&unicode::nfkc);
  if (type == "NFD") return std::make_unique<UnicodeForm>(&unicode::nfd);
  if (type == "NFKD") return std::make_unique<UnicodeForm>(&unicode::nfkd);
  if (type == "Lowercase") return std::make_unique<Lowercase>();
  if (type == "Prepend") return std::make_unique<Prepend>(ju::str(j, "prepend", ctx));
  if (type == "Strip") return std::make_unique<Strip>(ju::get_or(j, "strip_left", true), ju::get_or(j, "strip_right", true));
  if (type == "Replace") {
    auto p = ju::pattern(j, ctx);
    std::string content = ju::str(j, "content", ctx);
    if (p.is_regex) return std::make_unique<ReplaceRegex>(p.text, content, ctx);
    return std::make_unique<ReplaceString>(p.text, content);
  }
  if (type == "Sequence") {
    const auto& list = ju::field(j, "normalizers", ctx);
    if (!list.is_array()) throw Error(ctx + ": \"normalizers\" must be an array");
    std::vector<std::unique_ptr<Normalizer>> parts;
    for (size_t i = 0; i < list.size(); ++i)
      parts.push_back(make_normalizer(list[i], context + ".normalizers[" + std::to_string(i) + "]"));
    return std::make_unique<Sequence>(std::move(parts));
  }
  throw Error(context + ": unsupported normalizer type \"" + type + "\"");
}

}  // namespace slm
