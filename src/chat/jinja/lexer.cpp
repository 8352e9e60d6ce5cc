#include "chat/jinja/lexer.h"

#include <cctype>
#include <cstring>

#include "chat/jinja/utf8.h"
#include "slm/error.h"

namespace slm::jinja {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

[[noreturn]] void fail(int line, const std::string& msg) {
  throw Error("template line " + std::to_string(line) + ": " + msg);
}

// Jinja normalises every newline sequence to "\n" and drops one trailing newline.
std::string normalize_newlines(const std::string& src, bool keep_trailing_newline) {
  std::string out;
  out.reserve(src.size());
  for (size_t i = 0; i < src.size(); ++i) {
    if (src[i] == '\r') {
      out += '\n';
      if (i + 1 < src.size() && src[i + 1] == '\n') ++i;
    } else {
      out += src[i];
    }
  }
  if (!keep_trailing_newline && !out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

class Lexer {
 public:
  Lexer(std::string src, const LexerOptions& opt) : src_(std::move(src)), opt_(opt) {}

  std::vector<Token> run() {
    while (pos_ < src_.size()) {
      size_t tag = find_tag_start(pos_);
      std::string text = src_.substr(pos_, tag == std::string::npos ? std::string::npos : tag - pos_);
      size_t text_start = pos_;
      text = apply_leading_control(text, text_start);
      bool line_starting = text_start == 0 || src_[text_start - 1] == '\n';
      if (tag == std::string::npos) {
        emit_text(text, line_);
        break;
      }
      char kind = src_[tag + 1];
      char sign = tag + 2 < src_.size() ? src_[tag + 2] : '\0';
      if (sign == '-') {
        size_t end = text.size();
        while (end > 0 && is_space(text[end - 1])) --end;
        text.resize(end);
      } else if (sign != '+' && opt_.lstrip_blocks && kind != '{') {
        size_t l_pos = text.rfind('\n');
        l_pos = l_pos == std::string::npos ? 0 : l_pos + 1;
        if (l_pos > 0 || line_starting) {
          bool all_space = l_pos < text.size();
          for (size_t i = l_pos; i < text.size(); ++i)
            if (!is_space(text[i])) all_space = false;
          if (all_space) text.resize(l_pos);
        }
      }
      int text_line = line_;
      advance_lines(pos_, tag);
      emit_text(text, text_line);
      pos_ = tag + 2 + ((sign == '-' || sign == '+') ? 1 : 0);
      if (kind == '#') lex_comment();
      else if (kind == '%' && lex_raw_block()) continue;
      else lex_tag(kind == '{');
    }
    tokens_.push_back({Token::Type::Eof, "", line_});
    return std::move(tokens_);
  }

 private:
  size_t find_tag_start(size_t from) const {
    while (true) {
      size_t p = src_.find('{', from);
      if (p == std::string::npos || p + 1 >= src_.size()) return std::string::npos;
      char n = src_[p + 1];
      if (n == '{' || n == '%' || n == '#') return p;
      from = p + 1;
    }
  }

  // Whitespace removal requested by the end of the previous tag.
  std::string apply_leading_control(const std::string& text, size_t& text_start) {
    size_t skip = 0;
    if (strip_next_) {
      while (skip < text.size() && is_space(text[skip])) ++skip;
    } else if (trim_newline_next_ && !text.empty() && text[0] == '\n') {
      skip = 1;
    }
    strip_next_ = trim_newline_next_ = false;
    advance_lines(pos_, pos_ + skip);
    pos_ += skip;
    text_start += skip;
    return text.substr(skip);
  }

  void advance_lines(size_t from, size_t to) {
    for (size_t i = from; i < to && i < src_.size(); ++i)
      if (src_[i] == '\n') ++line_;
  }

  void emit_text(const std::string& text, int line) {
    if (!text.empty()) tokens_.push_back({Token::Type::Text, text, line});
  }

  void lex_comment() {
    size_t end = src_.find("#}", pos_);
    if (end == std::string::npos) fail(line_, "missing end of comment tag");
    bool minus = end > pos_ && src_[end - 1] == '-';
    bool plus = end > pos_ && src_[end - 1] == '+';
    advance_lines(pos_, end + 2);
    pos_ = end + 2;
    set_trailing_control(minus, plus);
  }

  void set_trailing_control(bool minus, bool plus) {
    if (minus) strip_next_ = true;
    else if (!plus && opt_.trim_blocks) trim_newline_next_ = true;
  }

  size_t skip_spaces(size_t p) const {
    while (p < src_.size() && is_space(src_[p])) ++p;
    return p;
  }

  // `{% raw %}...{% endraw %}`: the body is text, never parsed.
  bool lex_raw_block() {
    size_t p = skip_spaces(pos_);
    if (src_.compare(p, 3, "raw") != 0) return false;
    p = skip_spaces(p + 3);
    bool minus = false;
    if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) minus = src_[p++] == '-';
    if (src_.compare(p, 2, "%}") != 0) return false;
    size_t body_start = p + 2;
    if (minus) body_start = skip_spaces(body_start);
    else if (opt_.trim_blocks && body_start < src_.size() && src_[body_start] == '\n') ++body_start;
    size_t search = body_start;
    while (true) {
      size_t open = src_.find("{%", search);
      if (open == std::string::npos) fail(line_, "missing end of raw directive");
      size_t q = open + 2;
      bool strip_before = q < src_.size() && src_[q] == '-';
      if (q < src_.size() && (src_[q] == '-' || src_[q] == '+')) ++q;
      q = skip_spaces(q);
      if (src_.compare(q, 6, "endraw") == 0) {
        q = skip_spaces(q + 6);
        bool strip_after = false, plus_after = false;
        if (q < src_.size() && (src_[q] == '-' || src_[q] == '+')) {
          strip_after = src_[q] == '-';
          plus_after = src_[q] == '+';
          ++q;
        }
        if (src_.compare(q, 2, "%}") == 0) {
          std::string body = src_.substr(body_start, open - body_start);
          if (strip_before) {
            while (!body.empty() && is_space(body.back())) body.pop_back();
          }
          emit_text(body, line_);
          advance_lines(pos_, q + 2);
          pos_ = q + 2;
          set_trailing_control(strip_after, plus_after);
          return true;
        }
      }
      search = open + 2;
    }
  }

  void lex_tag(bool is_variable) {
    int start_line = line_;
    tokens_.push_back({is_variable ? Token::Type::VarBegin : Token::Type::BlockBegin, "", line_});
    int depth = 0;  // brackets open inside the tag: a `}}` there closes a dict literal
    while (true) {
      size_t p = pos_;
      while (p < src_.size() && is_space(src_[p])) {
        if (src_[p] == '\n') ++line_;
        ++p;
      }
      pos_ = p;
      if (p >= src_.size()) fail(start_line, std::string("unexpected end of template, expected '") +
                                                 (is_variable ? "}}" : "%}") + "'");
      if (depth == 0 && close_tag(is_variable)) return;
      char c = src_[p];
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t e = p;
        while (e < src_.size() && (std::isalnum(static_cast<unsigned char>(src_[e])) || src_[e] == '_')) ++e;
        tokens_.push_back({Token::Type::Name, src_.substr(p, e - p), line_});
        pos_ = e;
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        lex_number();
      } else if (c == '\'' || c == '"') {
        lex_string();
      } else {
        static const char* ops[] = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<",
                                    ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", ";"};
        const char* found = nullptr;
        for (const char* op : ops)
          if (src_.compare(p, std::strlen(op), op) == 0) {
            found = op;
            break;
          }
        if (!found) fail(line_, std::string("unexpected char '") + c + "'");
        std::string op = found;
        if (op == "(" || op == "[" || op == "{") ++depth;
        if (op == ")" || op == "]" || op == "}") --depth;
        tokens_.push_back({Token::Type::Op, op, line_});
        pos_ = p + op.size();
      }
    }
  }

  bool close_tag(bool is_variable) {
    const char* end = is_variable ? "}}" : "%}";
    size_t p = pos_;
    char sign = '\0';
    if (src_[p] == '-' || src_[p] == '+') sign = src_[p++];
    if (src_.compare(p, 2, end) != 0) return false;
    if (sign == '+' && is_variable) return false;
    tokens_.push_back({is_variable ? Token::Type::VarEnd : Token::Type::BlockEnd, "", line_});
    pos_ = p + 2;
    if (is_variable) strip_next_ = sign == '-';
    else set_trailing_control(sign == '-', sign == '+');
    return true;
  }

  void lex_number() {
    size_t p = pos_, e = pos_;
    auto digits = [&] {
      while (e < src_.size() && (std::isdigit(static_cast<unsigned char>(src_[e])) || src_[e] == '_')) ++e;
    };
    digits();
    bool is_float = false;
    if (e + 1 < src_.size() && src_[e] == '.' && std::isdigit(static_cast<unsigned char>(src_[e + 1]))) {
      is_float = true;
      ++e;
      digits();
    }
    if (e < src_.size() && (src_[e] == 'e' || src_[e] == 'E')) {
      size_t q = e + 1;
      if (q < src_.size() && (src_[q] == '+' || src_[q] == '-')) ++q;
      if (q < src_.size() && std::isdigit(static_cast<unsigned char>(src_[q]))) {
        is_float = true;
        e = q;
        digits();
      }
    }
    std::string spelled;
    for (size_t i = p; i < e; ++i)
      if (src_[i] != '_') spelled += src_[i];
    tokens_.push_back({is_float ? Token::Type::Float : Token::Type::Int, spelled, line_});
    pos_ = e;
  }

  // Python string literal escapes.
  void lex_string() {
    char quote = src_[pos_];
    int start_line = line_;
    std::string out;
    size_t p = pos_ + 1;
    while (true) {
      if (p >= src_.size()) fail(start_line, "unterminated string literal");
      char c = src_[p];
      if (c == quote) break;
      if (c == '\n') ++line_;
      if (c != '\\') {
        out += c;
        ++p;
        continue;
      }
      if (p + 1 >= src_.size()) fail(start_line, "unterminated string literal");
      char e = src_[p + 1];
      p += 2;
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'v': out += '\v'; break;
        case '0': out += '\0'; break;
        case '\n': ++line_; break;  // line continuation
        case 'x':
        case 'u':
        case 'U': {
          size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          if (p + n > src_.size()) fail(line_, "truncated \\" + std::string(1, e) + " escape");
          char32_t cp = 0;
          for (size_t k = 0; k < n; ++k) {
            char h = src_[p + k];
            if (!std::isxdigit(static_cast<unsigned char>(h))) fail(line_, "bad \\" + std::string(1, e) + " escape");
            cp = cp * 16 + static_cast<char32_t>(std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (h | 0x20) - 'a' + 10);
          }
          if (cp > 0x10FFFF) fail(line_, "\\U escape out of range");
          utf8::append(out, cp);
          p += n;
          break;
        }
        default:  // unknown escapes stay verbatim, as in Python
          out += '\\';
          out += e;
      }
    }
    tokens_.push_back({Token::Type::String, out, start_line});
    pos_ = p + 1;
  }

  std::string src_;
  LexerOptions opt_;
  size_t pos_ = 0;
  int line_ = 1;
  bool strip_next_ = false;
  bool trim_newline_next_ = false;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> tokenize(const std::string& source, const LexerOptions& options) {
  return Lexer(normalize_newlines(source, options.keep_trailing_newline), options).run();
}

}  // namespace slm::jinja
