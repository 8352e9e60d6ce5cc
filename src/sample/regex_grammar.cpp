#include "sample/regex_grammar.h"

#include "slm/error.h"

namespace slm {

namespace {

constexpr int kMaxRepeat = 256;

class RegexCompiler {
 public:
  RegexCompiler(Grammar& g, const std::string& pattern, const StringCharRules& chars)
      : g_(g), p_(pattern), chars_(chars) {}

  int compile() {
    std::string body = p_;
    const bool anchored_start = !body.empty() && body[0] == '^';
    if (anchored_start) body.erase(0, 1);
    bool anchored_end = false;
    if (!body.empty() && body.back() == '$') {
      size_t backslashes = 0;
      for (size_t i = body.size() - 1; i-- > 0 && body[i] == '\\';) ++backslashes;
      if (backslashes % 2 == 0) {
        anchored_end = true;
        body.pop_back();
      }
    }
    p_ = body;
    const int inner = alternation();
    if (pos_ != p_.size()) fail("unexpected '" + std::string(1, p_[pos_]) + "'");
    GrammarSequence seq;
    seq.push_back(grammar_byte_range('"', '"'));
    if (!anchored_start) seq.push_back(grammar_ref(star(chars_.any_char)));
    seq.push_back(grammar_ref(inner));
    if (!anchored_end) seq.push_back(grammar_ref(star(chars_.any_char)));
    seq.push_back(grammar_byte_range('"', '"'));
    int r = g_.add_rule("pattern-string");
    g_.add_alternative(r, std::move(seq));
    return r;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const { throw Error("pattern '" + p_ + "': " + why); }
  bool at_end() const { return pos_ >= p_.size(); }

  int alternation() {
    int r = g_.add_rule("regex-alt");
    g_.add_alternative(r, sequence());
    while (!at_end() && p_[pos_] == '|') {
      ++pos_;
      g_.add_alternative(r, sequence());
    }
    return r;
  }

  GrammarSequence sequence() {
    GrammarSequence seq;
    while (!at_end() && p_[pos_] != '|' && p_[pos_] != ')') seq.push_back(grammar_ref(quantified(atom())));
    return seq;
  }

  int quantified(int atom_rule) {
    if (at_end()) return atom_rule;
    const char q = p_[pos_];
    int min = 1, max = 1;
    if (q == '?') min = 0, max = 1, ++pos_;
    else if (q == '*') min = 0, max = -1, ++pos_;
    else if (q == '+') min = 1, max = -1, ++pos_;
    else if (q == '{') {
      const size_t close = p_.find('}', pos_);
      if (close == std::string::npos) fail("unclosed {");
      const std::string spec = p_.substr(pos_ + 1, close - pos_ - 1);
      const size_t comma = spec.find(',');
      try {
        min = std::stoi(spec.substr(0, comma));
        max = comma == std::string::npos ? min : (comma + 1 == spec.size() ? -1 : std::stoi(spec.substr(comma + 1)));
      } catch (const std::exception&) {
        fail("bad repetition {" + spec + "}");
      }
      if (min < 0 || min > kMaxRepeat || max > kMaxRepeat || (max >= 0 && max < min)) fail("repetition {" + spec + "} out of range");
      pos_ = close + 1;
    } else {
      return atom_rule;
    }
    if (!at_end() && p_[pos_] == '?') ++pos_;  // lazy quantifiers match the same strings
    return repeat(atom_rule, min, max);
  }

  int star(int rule) {
    int r = g_.add_rule("regex-star");
    g_.add_alternative(r, {grammar_ref(rule), grammar_ref(r)});
    g_.add_alternative(r, {});
    return r;
  }

  int repeat(int rule, int min, int max) {
    int tail = max < 0 ? star(rule) : -1;
    const int last = max < 0 ? min : max;
    std::vector<int> after(last + 1);
    for (int k = last; k >= 0; --k) {
      int r = after[k] = g_.add_rule("regex-repeat");
      if (k == last) {
        if (tail >= 0) g_.add_alternative(r, {grammar_ref(tail)});
        else g_.add_alternative(r, {});
        continue;
      }
      g_.add_alternative(r, {grammar_ref(rule), grammar_ref(after[k + 1])});
      if (k >= min) g_.add_alternative(r, {});
    }
    return after[0];
  }

  // A set of ASCII characters (as the string's characters) -> JSON text alternatives.
  int ascii_set(const std::bitset<128>& set, bool with_multibyte) {
    int r = g_.add_rule("regex-class");
    std::bitset<256> plain;
    for (int c = 0x20; c < 0x7F; ++c)
      if (set.test(c) && c != '"' && c != '\\') plain.set(c);
    if (plain.any()) g_.add_alternative(r, {grammar_bytes(plain)});
    if (set.test('"')) g_.add_alternative(r, literal_sequence("\\\""));
    if (set.test('\\')) g_.add_alternative(r, literal_sequence("\\\\"));
    if (set.test('\n')) g_.add_alternative(r, literal_sequence("\\n"));
    if (set.test('\t')) g_.add_alternative(r, literal_sequence("\\t"));
    if (set.test('\r')) g_.add_alternative(r, literal_sequence("\\r"));
    if (with_multibyte) g_.add_alternative(r, {grammar_ref(chars_.multibyte)});
    if (g_.alternatives(r).empty()) fail("a character class that matches nothing");
    return r;
  }

  static std::bitset<128> class_escape(char e, bool& negated, bool& known) {
    std::bitset<128> s;
    known = true;
    negated = std::isupper(static_cast<unsigned char>(e)) != 0;
    switch (std::tolower(static_cast<unsigned char>(e))) {
      case 'd':
        for (int c = '0'; c <= '9'; ++c) s.set(c);
        break;
      case 'w':
        for (int c = 0; c < 128; ++c)
          if (std::isalnum(c) || c == '_') s.set(c);
        break;
      case 's':
        for (char c : std::string(" \t\n\r\f\v")) s.set(static_cast<unsigned char>(c));
        break;
      default:
        known = false;
        negated = false;
    }
    return s;
  }

  static char literal_escape(char e) {
    switch (e) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      default: return e;
    }
  }

  int atom() {
    const char c = p_[pos_++];
    if (c == '(') {
      if (p_.compare(pos_, 2, "?:") == 0) pos_ += 2;
      else if (!at_end() && p_[pos_] == '?') fail("lookaround and named groups are not supported");
      const int inner = alternation();
      if (at_end() || p_[pos_] != ')') fail("unclosed (");
      ++pos_;
      return inner;
    }
    if (c == '.') return chars_.any_char;
    if (c == '[') return char_class();
    if (c == '*' || c == '+' || c == '?' || c == '{') fail("nothing to repeat");
    if (c == '^' || c == '$') fail("anchors are supported only at the ends");
    if (c == '\\') {
      if (at_end()) fail("trailing backslash");
      const char e = p_[pos_++];
      bool negated = false, known = false;
      auto set = class_escape(e, negated, known);
      if (known) return negated ? ascii_set(~set, true) : ascii_set(set, false);
      if (std::isalnum(static_cast<unsigned char>(e)) && e != 'n' && e != 't' && e != 'r') fail(std::string("escape \\") + e + " is not supported");
      return literal(literal_escape(e));
    }
    return literal(c);
  }

  int literal(char c) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x80) {
      std::bitset<128> s;
      s.set(u);
      return ascii_set(s, false);
    }
    int r = g_.add_rule("regex-byte");  // a byte of a UTF-8 literal in the pattern
    g_.add_alternative(r, {grammar_byte_range(u, u)});
    return r;
  }

  int char_class() {
    bool negated = false;
    if (!at_end() && p_[pos_] == '^') negated = true, ++pos_;
    std::bitset<128> set;
    bool first = true;
    while (!at_end() && (p_[pos_] != ']' || first)) {
      first = false;
      char c = p_[pos_++];
      if (c == '\\') {
        if (at_end()) fail("trailing backslash");
        const char e = p_[pos_++];
        bool neg = false, known = false;
        auto s = class_escape(e, neg, known);
        if (known) {
          if (neg) fail("negated escapes inside a class are not supported");
          set |= s;
          continue;
        }
        c = literal_escape(e);
      }
      if (static_cast<unsigned char>(c) >= 0x80) fail("non-ASCII characters in a class are not supported");
      if (pos_ + 1 < p_.size() && p_[pos_] == '-' && p_[pos_ + 1] != ']') {
        char hi = p_[pos_ + 1];
        pos_ += 2;
        if (hi == '\\') {
          if (at_end()) fail("trailing backslash");
          hi = literal_escape(p_[pos_++]);
        }
        if (static_cast<unsigned char>(hi) >= 0x80 || hi < c) fail("bad class range");
        for (int x = c; x <= hi; ++x) set.set(x);
      } else {
        set.set(static_cast<unsigned char>(c));
      }
    }
    if (at_end()) fail("unclosed [");
    ++pos_;
    return negated ? ascii_set(~set, true) : ascii_set(set, false);
  }

  Grammar& g_;
  std::string p_;
  StringCharRules chars_;
  size_t pos_ = 0;
};

}  // namespace

int add_pattern_string_rule(Grammar& g, const std::string& pattern, const StringCharRules& chars) {
  return RegexCompiler(g, pattern, chars).compile();
}

std::string format_pattern(const std::string& format) {
  static const std::string date = "[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])";
  static const std::string time = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])";
  if (format == "date") return "^" + date + "$";
  if (format == "time") return "^" + time + "$";
  if (format == "date-time") return "^" + date + "T" + time + "$";
  if (format == "uuid") return "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
  if (format == "ipv4") return "^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$";
  return "";
}

}  // namespace slm
