// slm tokenize MODEL TEXT  /  slm detokenize MODEL IDS
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <nlohmann/json.hpp>

#include "args.h"
#include "command.h"
#include "slm/error.h"
#include "text/load_tokenizer.h"

namespace slm::cli {

namespace {

std::string read_raw(const std::string& path) {
  if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open file");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void print_ids_json(const std::vector<int32_t>& ids) {
  std::string out = "{\"ids\": [";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + std::to_string(ids[i]);
  out += "]}\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
}

int tokenize_main(const std::vector<std::string>& argv) {
  Args args(argv);
  bool json = args.flag("--json");
  bool no_special = args.flag("--no-special");
  bool has_file = args.has("--file");
  std::string file = args.option("--file");
  auto pos = args.positionals();
  if (pos.empty()) throw Error("usage: slm tokenize MODEL (TEXT | --file F|-) [--json] [--no-special]");
  if (has_file ? pos.size() != 1 : pos.size() != 2)
    throw Error("tokenize: give the text either as one argument or with --file, not both");
  auto tok = load_tokenizer(pos[0]);
  std::string text = has_file ? read_raw(file) : pos[1];
  auto ids = tok->encode(text, !no_special);
  if (json) {
    print_ids_json(ids);
    return 0;
  }
  // One token per line: id, then the vocabulary piece as a JSON string (pieces may hold controls).
  std::string out;
  for (int32_t id : ids) out += std::to_string(id) + "\t" + nlohmann::json(tok->token_piece(id)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

std::vector<int32_t> parse_ids(const std::string& list) {
  std::vector<int32_t> ids;
  std::string cur;
  auto flush = [&]() {
    if (cur.empty()) return;
    try {
      size_t used = 0;
      long long v = std::stoll(cur, &used);
      if (used != cur.size() || v < 0 || v > INT32_MAX) throw std::invalid_argument(cur);
      ids.push_back(static_cast<int32_t>(v));
    } catch (const std::exception&) {
      throw Error("detokenize: not a token id: '" + cur + "'");
    }
    cur.clear();
  };
  for (char c : list) {
    if (c == ',' || c == ' ' || c == '\n' || c == '\t') flush();
    else cur += c;
  }
  flush();
  return ids;
}

int detokenize_main(const std::vector<std::string>& argv) {
  Args args(argv);
  bool skip = args.flag("--skip-special");
  auto pos = args.positionals();
  if (pos.size() < 2) throw Error("usage: slm detokenize MODEL ID[,ID...] [--skip-special]");
  auto tok = load_tokenizer(pos[0]);
  std::string list;
  for (size_t i = 1; i < pos.size(); ++i) list += pos[i] + ",";
  auto ids = parse_ids(list);
  for (int32_t id : ids)
    if (static_cast<size_t>(id) >= tok->vocab_size())
      throw Error("detokenize: id " + std::to_string(id) + " is out of range (vocabulary size " +
                  std::to_string(tok->vocab_size()) + ")");
  std::string text = tok->decode(ids, skip) + "\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

CommandRegistration tokenize_reg{"tokenize", "text -> token ids and pieces (MODEL TEXT | --file F)", tokenize_main};
CommandRegistration detokenize_reg{"detokenize", "token ids -> text (MODEL 1,2,3)", detokenize_main};

}  // namespace

}  // namespace slm::cli
