// `slm template MODEL_OR_JINJA_FILE --input CASE.json`: renders one conversation with a
// chat template and prints exactly the rendered text.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "args.h"
#include "chat/model_template.h"
#include "command.h"
#include "slm/error.h"

namespace slm::cli {
namespace {

nlohmann::ordered_json read_case(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  try {
    return nlohmann::ordered_json::parse(ss.str());
  } catch (const nlohmann::ordered_json::exception& e) {
    throw Error(path + ": invalid JSON: " + e.what());
  }
}

// A case key that is present overrides the model's token; null means "not defined".
std::optional<std::string> token_override(const nlohmann::ordered_json& c, const char* key,
                                          std::optional<std::string> model_value) {
  if (!c.contains(key)) return model_value;
  if (c[key].is_null()) return std::nullopt;
  if (!c[key].is_string()) throw Error(std::string(key) + " must be a string or null");
  return c[key].get<std::string>();
}

int template_main(const std::vector<std::string>& argv) {
  Args args(argv);
  std::string input = args.option("--input");
  auto positional = args.positionals();
  if (positional.size() != 1 || input.empty())
    throw Error("usage: slm template MODEL_DIR_OR_JINJA_FILE --input CASE.json");

  nlohmann::ordered_json c = read_case(input);
  if (!c.contains("messages")) throw Error(input + ": missing \"messages\"");
  ChatTemplate tmpl = load_chat_template(positional[0]);
  // The model directory supplies defaults; the case may override either token.
  tmpl.set_special_tokens(token_override(c, "bos_token", tmpl.bos_token()),
                          token_override(c, "eos_token", tmpl.eos_token()));
  if (c.contains("now") && c["now"].is_string()) tmpl.set_clock(ChatTemplate::parse_iso_datetime(c["now"]));

  nlohmann::ordered_json tools = c.value("tools", nlohmann::ordered_json());
  nlohmann::ordered_json extra = c.value("extra", nlohmann::ordered_json::object());
  bool add_generation_prompt = c.value("add_generation_prompt", false);
  std::string text = tmpl.apply(c["messages"], tools, add_generation_prompt, extra);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

const CommandRegistration registration{"template", "render a conversation with a model's chat template",
                                       template_main};

}  // namespace
}  // namespace slm::cli
