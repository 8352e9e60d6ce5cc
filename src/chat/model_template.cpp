#include "chat/model_template.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "slm/error.h"

namespace slm {
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

nlohmann::json read_json(const fs::path& path) {
  try {
    return nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw Error(path.string() + ": invalid JSON: " + e.what());
  }
}

// Special tokens appear as plain strings or as AddedToken objects {"content": ...}.
std::optional<std::string> token_text(const nlohmann::json& config, const char* key) {
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object() && it->contains("content") && (*it)["content"].is_string())
    return (*it)["content"].get<std::string>();
  return std::nullopt;
}

std::optional<std::string> template_from_config(const nlohmann::json& value, const fs::path& where) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    for (const auto& entry : value)
      if (entry.is_object() && entry.value("name", "") == "default" && entry.contains("template"))
        return entry["template"].get<std::string>();
    throw Error(where.string() + ": chat_template list has no \"default\" entry");
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> find_chat_template_source(const std::string& model_dir) {
  fs::path dir(model_dir);
  fs::path config_path = dir / "tokenizer_config.json";
  std::optional<std::string> source;
  if (fs::exists(dir / "chat_template.jinja")) {
    source = read_file(dir / "chat_template.jinja");
  } else if (fs::exists(dir / "chat_template.json")) {
    nlohmann::json j = read_json(dir / "chat_template.json");
    if (j.contains("chat_template")) source = template_from_config(j["chat_template"], dir / "chat_template.json");
  }
  if (!source && fs::exists(config_path)) {
    nlohmann::json config = read_json(config_path);
    if (config.contains("chat_template")) source = template_from_config(config["chat_template"], config_path);
  }
  return source;
}

ChatTemplate load_model_chat_template(const std::string& model_dir) {
  fs::path dir(model_dir);
  fs::path config_path = dir / "tokenizer_config.json";
  nlohmann::json config = fs::exists(config_path) ? read_json(config_path) : nlohmann::json::object();
  std::optional<std::string> source = find_chat_template_source(model_dir);
  if (!source) throw Error(model_dir + ": no chat template (chat_template.jinja or tokenizer_config.json)");

  ChatTemplate t;
  try {
    t = ChatTemplate::from_string(*source);
  } catch (const Error& e) {
    throw Error(model_dir + ": chat template: " + e.what());
  }
  t.set_special_tokens(token_text(config, "bos_token"), token_text(config, "eos_token"));
  return t;
}

ChatTemplate load_chat_template(const std::string& jinja_file_or_model_dir) {
  if (fs::is_directory(jinja_file_or_model_dir)) return load_model_chat_template(jinja_file_or_model_dir);
  std::string source = read_file(jinja_file_or_model_dir);
  try {
    return ChatTemplate::from_string(source);
  } catch (const Error& e) {
    throw Error(jinja_file_or_model_dir + ": " + e.what());
  }
}

}  // namespace slm
