#include "text/pipeline_tokenizer.h"

#include "slm/error.h"
#include "text/unicode.h"

namespace slm {

PipelineTokenizer::PipelineTokenizer(TokenizerParts parts) : p_(std::move(parts)) {
  if (!p_.model) throw Error("tokenizer has no model");
  vocab_size_ = p_.model->vocab_size();
  for (size_t i = 0; i < p_.added_tokens.size(); ++i) {
    AddedToken& t = p_.added_tokens[i];
    if (t.id < 0) throw Error("added token \"" + t.content + "\" has a negative id");
    added_by_id_[t.id] = i;
    added_by_content_.emplace(t.content, t.id);
    vocab_size_ = std::max(vocab_size_, static_cast<size_t>(t.id) + 1);
    if (t.normalized) {
      // Normalized tokens are matched in normalized text, so their content is normalized too.
      std::string content = t.content;
      if (p_.normalizer) p_.normalizer->normalize(content);
      all_.normalized.add(content, i);
      if (!t.special) non_special_.normalized.add(content, i);
    } else {
      all_.raw.add(t.content, i);
      if (!t.special) non_special_.raw.add(t.content, i);
    }
  }
}

void PipelineTokenizer::encode_plain(std::string_view text, bool at_start, std::vector<int32_t>& out) const {
  thread_local std::vector<PreToken> pieces;
  pieces.clear();
  pieces.push_back(PreToken{std::string(text), at_start});
  if (p_.pre_tokenizer) p_.pre_tokenizer->pre_tokenize(pieces);
  for (const auto& piece : pieces) p_.model->tokenize(piece.text, out);
}

std::vector<int32_t> PipelineTokenizer::encode(std::string_view text, bool add_special) const {
  return encode_with(all_, text, add_special);
}

std::vector<int32_t> PipelineTokenizer::encode_ignoring_specials(std::string_view text, bool add_special) const {
  return encode_with(non_special_, text, add_special);
}

std::vector<int32_t> PipelineTokenizer::encode_with(const Matchers& m, std::string_view text, bool add_special) const {
  if (!unicode::is_valid_utf8(text)) {
    std::string fixed = unicode::utf8_lossy(text);
    size_t at = 0;
    while (at < text.size() && at < fixed.size() && text[at] == fixed[at]) ++at;
    throw Error("tokenize: input is not valid UTF-8 (first bad byte at offset " + std::to_string(at) + ")");
  }
  std::vector<int32_t> ids;
  ids.reserve(text.size() / 3 + 4);
  std::vector<Segment> raw, norm;
  m.raw.split(text, p_.added_tokens, raw);
  for (const auto& seg : raw) {
    if (seg.id >= 0) {
      ids.push_back(seg.id);
      continue;
    }
    std::string normalized(seg.text);
    if (p_.normalizer) p_.normalizer->normalize(normalized);
    if (m.normalized.empty()) {
      encode_plain(normalized, seg.offset == 0, ids);
      continue;
    }
    norm.clear();
    m.normalized.split(normalized, p_.added_tokens, norm);
    for (const auto& sub : norm) {
      if (sub.id >= 0) ids.push_back(sub.id);
      else encode_plain(sub.text, seg.offset == 0 && sub.offset == 0, ids);
    }
  }
  if (add_special && p_.post_processor) p_.post_processor->process(ids);
  return ids;
}

std::optional<std::string_view> PipelineTokenizer::piece_of(int32_t id) const {
  auto it = added_by_id_.find(id);
  if (it != added_by_id_.end()) return p_.added_tokens[it->second].content;
  const std::string_view s = p_.model->token_piece(id);
  if (s.empty()) return std::nullopt;
  return s;
}

std::string PipelineTokenizer::decode(std::span<const int32_t> ids, bool skip_special) const {
  std::vector<std::string> pieces;
  pieces.reserve(ids.size());
  for (int32_t id : ids) {
    const auto s = piece_of(id);
    if (!s) continue;  // unknown ids are dropped, as Hugging Face does
    if (skip_special && is_special(id)) continue;
    pieces.emplace_back(*s);
  }
  if (!p_.decoder) {
    std::string out;
    for (size_t i = 0; i < pieces.size(); ++i) out += (i ? " " : "") + pieces[i];
    return out;
  }
  p_.decoder->decode_chain(pieces);
  std::string out;
  for (const auto& s : pieces) out += s;
  return out;
}

std::string PipelineTokenizer::token_piece(int32_t id) const {
  const auto s = piece_of(id);
  return s ? std::string(*s) : std::string();
}

int32_t PipelineTokenizer::token_id(std::string_view piece) const {
  auto it = added_by_content_.find(piece);
  if (it != added_by_content_.end()) return it->second;
  return p_.model->token_id(piece);
}

bool PipelineTokenizer::is_special(int32_t id) const {
  auto it = added_by_id_.find(id);
  return it != added_by_id_.end() && p_.added_tokens[it->second].special;
}

bool PipelineTokenizer::adds_bos() const {
  if (!p_.post_processor) return false;
  auto pre = p_.post_processor->prefix();
  return !pre.empty() && (!p_.bos_id || pre.front() == *p_.bos_id);
}

}  // namespace slm
