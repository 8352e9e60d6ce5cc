#pragma once
// Turns a chat reply's text, as it streams in, into OpenAI deltas: reasoning (inside
// <think>...</think>), content, and tool calls. Marker text that might be incomplete is held
// back; once a tool call opener appears the rest is held and parsed at the end, falling back to
// content when the parser cannot read it. Pushing everything then finishing gives exactly what
// the non-streaming reply holds.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chat/reasoning.h"
#include "chat/tool_calls/tool_call.h"

namespace slm::serve {

struct ChatDelta {
  std::string reasoning;
  std::string content;
  std::vector<ToolCall> tool_calls;
  bool empty() const { return reasoning.empty() && content.empty() && tool_calls.empty(); }
};

struct ChatOutputOptions {
  bool reasoning = false;             // the model may think in <think> blocks
  bool starts_in_reasoning = false;   // the prompt opened the block
  std::optional<ToolCallFormat> tools;  // tool calls are parsed when set
  bool force_tool_call = false;       // the whole reply is a (grammar-forced) call
};

class ChatOutputParser {
 public:
  explicit ChatOutputParser(ChatOutputOptions options);
  ChatDelta push(std::string_view text);
  ChatDelta finish();

 private:
  enum class Phase { kStart, kReasoning, kContent, kToolCall };
  void run(ChatDelta& out, bool final);
  void emit_reasoning(ChatDelta& out, std::string_view text, bool final);
  void emit_content(ChatDelta& out, std::string_view text);

  ChatOutputOptions options_;
  ReasoningMarkers markers_;
  std::vector<std::string> openers_;
  Phase phase_;
  std::string pending_;         // text not yet classified
  std::string reasoning_ws_;    // trailing whitespace of reasoning, emitted once more follows
  bool reasoning_started_ = false;
  bool content_started_ = false;
  std::string tool_text_;       // from the first opener on
};

}  // namespace slm::serve
