#include "serve/chat_output_parser.h"

#include <algorithm>

namespace slm::serve {

namespace {

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// Length of the longest suffix of `text` that is a proper prefix of `marker`.
size_t partial_suffix(std::string_view text, std::string_view marker) {
  for (size_t n = std::min(marker.size() - 1, text.size()); n > 0; --n)
    if (text.substr(text.size() - n) == marker.substr(0, n)) return n;
  return 0;
}

}  // namespace

ChatOutputParser::ChatOutputParser(ChatOutputOptions options) : options_(std::move(options)) {
  if (options_.tools) openers_ = tool_call_openers(*options_.tools);
  if (options_.force_tool_call) phase_ = Phase::kToolCall;
  else if (options_.reasoning && options_.starts_in_reasoning) phase_ = Phase::kReasoning;
  else if (options_.reasoning) phase_ = Phase::kStart;
  else phase_ = Phase::kContent;
}

ChatDelta ChatOutputParser::push(std::string_view text) {
  pending_ += text;
  ChatDelta out;
  run(out, false);
  return out;
}

ChatDelta ChatOutputParser::finish() {
  ChatDelta out;
  run(out, true);
  if (phase_ == Phase::kToolCall) {
    auto parsed = options_.tools ? parse_tool_calls(*options_.tools, tool_text_) : std::nullopt;
    if (parsed) {
      emit_content(out, parsed->content);
      out.tool_calls = parsed->calls;
    } else {
      emit_content(out, tool_text_);
    }
    tool_text_.clear();
  }
  return out;
}

void ChatOutputParser::run(ChatDelta& out, bool final) {
  while (true) {
    switch (phase_) {
      case Phase::kStart: {
        // Does the reply open with <think> (after optional whitespace)?
        const size_t lead = pending_.find_first_not_of(" \t\r\n");
        if (lead == std::string::npos) {
          if (final) pending_.clear();
          return;
        }
        std::string_view rest = std::string_view(pending_).substr(lead);
        if (rest.rfind(markers_.open, 0) == 0) {
          pending_.erase(0, lead + markers_.open.size());
          phase_ = Phase::kReasoning;
          continue;
        }
        if (!final && markers_.open.rfind(rest, 0) == 0) return;  // maybe a partial marker
        pending_.erase(0, lead);
        phase_ = Phase::kContent;
        continue;
      }
      case Phase::kReasoning: {
        const size_t close = pending_.find(markers_.close);
        if (close != std::string::npos) {
          emit_reasoning(out, std::string_view(pending_).substr(0, close), true);
          pending_.erase(0, close + markers_.close.size());
          phase_ = Phase::kContent;
          continue;
        }
        const size_t hold = final ? 0 : partial_suffix(pending_, markers_.close);
        emit_reasoning(out, std::string_view(pending_).substr(0, pending_.size() - hold), final);
        pending_.erase(0, pending_.size() - hold);
        return;
      }
      case Phase::kContent: {
        size_t open = std::string::npos;
        for (const auto& o : openers_) open = std::min(open, pending_.find(o));
        if (open != std::string::npos) {
          emit_content(out, std::string_view(pending_).substr(0, open));
          tool_text_ = pending_.substr(open);
          pending_.clear();
          phase_ = Phase::kToolCall;
          continue;
        }
        if (options_.reasoning) {
          // An empty think block inside the answer is residue: drop it, holding an open marker
          // back until its close arrives.
          size_t p = 0;
          while ((p = pending_.find(markers_.open, p)) != std::string::npos) {
            const size_t ws_end = pending_.find_first_not_of(" \t\r\n", p + markers_.open.size());
            const bool closes_here = ws_end != std::string::npos && pending_.compare(ws_end, markers_.close.size(), markers_.close) == 0;
            if (closes_here) {
              pending_.erase(p, ws_end + markers_.close.size() - p);
              continue;
            }
            const bool may_close = ws_end == std::string::npos || markers_.close.rfind(std::string_view(pending_).substr(ws_end), 0) == 0;
            if (may_close && !final) {
              emit_content(out, std::string_view(pending_).substr(0, p));
              pending_.erase(0, p);
              return;
            }
            ++p;
          }
        }
        size_t hold = 0;
        if (!final)
          for (const auto& o : openers_) hold = std::max(hold, partial_suffix(pending_, o));
        if (!final && options_.reasoning) hold = std::max(hold, partial_suffix(pending_, markers_.open));
        std::string text = pending_.substr(0, pending_.size() - hold);
        pending_.erase(0, pending_.size() - hold);
        emit_content(out, text);
        return;
      }
      case Phase::kToolCall:
        tool_text_ += pending_;
        pending_.clear();
        return;
    }
  }
}

void ChatOutputParser::emit_reasoning(ChatDelta& out, std::string_view text, bool final) {
  // Reasoning is trimmed at both ends, as split_reasoning() does: drop leading whitespace and
  // hold trailing whitespace until more reasoning follows.
  if (!reasoning_started_) {
    const size_t lead = text.find_first_not_of(" \t\r\n");
    if (lead == std::string_view::npos) text = {};
    else {
      text.remove_prefix(lead);
      reasoning_started_ = true;
    }
  }
  if (text.empty()) return;
  size_t end = text.size();
  while (end > 0 && is_space(text[end - 1])) --end;
  if (end > 0) {
    out.reasoning += reasoning_ws_;
    reasoning_ws_.clear();
    out.reasoning += text.substr(0, end);
  }
  reasoning_ws_ += text.substr(end);
  if (final) reasoning_ws_.clear();
}

void ChatOutputParser::emit_content(ChatDelta& out, std::string_view text) {
  if (!content_started_ && options_.reasoning) {
    const size_t lead = text.find_first_not_of(" \t\r\n");
    if (lead == std::string_view::npos) return;
    text.remove_prefix(lead);
  }
  if (text.empty()) return;
  content_started_ = true;
  out.content += text;
}

}  // namespace slm::serve
