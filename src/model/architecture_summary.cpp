#include "model/architecture_summary.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace slm {

namespace {

std::string layer_list(const std::vector<int64_t>& layers) {
  std::ostringstream s;
  for (size_t i = 0; i < layers.size(); ++i) s << (i ? "," : "") << layers[i];
  return s.str();
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

const char* rope_name(RopeScalingType t) {
  switch (t) {
    case RopeScalingType::Linear: return "linear";
    case RopeScalingType::Llama3: return "llama3";
    case RopeScalingType::Yarn: return "YaRN";
    case RopeScalingType::LongRope: return "LongRoPE";
    default: return "none";
  }
}

}  // namespace

ArchitectureSummary summarize_architecture(const ModelConfig& c, const WeightStore& w) {
  ArchitectureSummary s;
  s.total_parameters = w.total_params();
  s.effective_parameters = s.total_parameters;
  if (const Tensor* ple = w.find("per_layer_token_embd.weight")) s.effective_parameters -= ple->numel();
  auto& f = s.features;

  std::vector<int64_t> recurrent, windowed, nope, shared;
  for (int64_t l = 0; l < c.n_layers; ++l) {
    if (c.layer_kinds[l] == LayerKind::GatedDeltaNet) recurrent.push_back(l);
    if (c.layer_window[l] > 0) windowed.push_back(l);
    if (!c.layer_uses_rope[l]) nope.push_back(l);
    if (c.kv_source(l) != l) shared.push_back(l);
  }
  const int64_t window = windowed.empty() ? 0 : c.layer_window[windowed.front()];
  f.push_back("attention: " + std::to_string(c.n_heads) + " query heads, " + std::to_string(c.n_kv_heads) +
              " KV heads, head_dim " + std::to_string(c.head_dim) + (c.qk_norm ? ", q/k RMSNorm" : "") +
              (c.qkv_bias ? ", q/k/v biases" : "") + (c.attn_output_gate ? ", sigmoid output gate" : ""));
  if (!recurrent.empty()) {
    const auto& d = c.delta_net;
    f.push_back("Gated DeltaNet on " + std::to_string(recurrent.size()) + " of " + std::to_string(c.n_layers) +
                " layers (" + std::to_string(d.n_key_heads) + " key / " + std::to_string(d.n_value_heads) +
                " value heads, dims " + std::to_string(d.key_dim) + "/" + std::to_string(d.value_dim) +
                ", conv " + std::to_string(d.conv_kernel) + "); full attention on the others");
  }
  if (!windowed.empty())
    f.push_back("sliding window " + std::to_string(window) + " on " + std::to_string(windowed.size()) + " of " +
                std::to_string(c.n_layers) + " layers" +
                (c.rope_theta_local > 0 ? " (RoPE base " + std::to_string(static_cast<int64_t>(c.rope_theta_local)) +
                                              ", global " + std::to_string(static_cast<int64_t>(c.rope_theta)) + ")"
                                        : ""));
  if (!nope.empty()) f.push_back("no positional encoding (NoPE) on layers " + layer_list(nope));
  if (c.rotary_dim() != c.head_dim)
    f.push_back("partial RoPE: " + std::to_string(c.rotary_dim()) + " of " + std::to_string(c.head_dim) + " dims");
  if (c.rope_scaling.type != RopeScalingType::None || !c.rope_freq_divisors.empty())
    f.push_back(std::string("RoPE scaling: ") +
                (c.rope_scaling.type == RopeScalingType::None ? "llama3 (frequency divisors)"
                                                              : rope_name(c.rope_scaling.type)) +
                (c.rope_scaling.factor != 1.0 ? ", factor " + number(c.rope_scaling.factor) : "") +
                (c.rope_scaling.global_layers_only ? " (global layers)" : ""));
  if (!shared.empty())
    f.push_back("K/V shared: layers " + layer_list(shared) + " reuse earlier layers' keys and values");
  if (c.altup.n_streams > 0)
    f.push_back("AltUp " + std::to_string(c.altup.n_streams) + " streams, LAuReL rank " +
                std::to_string(c.altup.laurel_rank) + ", per-layer embeddings " + std::to_string(c.altup.per_layer_dim) +
                " x " + std::to_string(c.n_layers) + " layers");
  if (!c.layer_sparsity_cutoff.empty()) {
    const auto n = std::count_if(c.layer_sparsity_cutoff.begin(), c.layer_sparsity_cutoff.end(),
                                 [](double v) { return v != 0; });
    if (n > 0) f.push_back("activation sparsity (Gaussian top-k) on " + std::to_string(n) + " layers");
  }
  if (c.final_logit_softcap > 0) f.push_back("final logit soft-cap " + number(c.final_logit_softcap));
  f.push_back(std::string("MLP: ") + (c.activation == Activation::GeluTanh ? "GELU-tanh" : "SiLU") + " gated, width " +
              std::to_string(c.intermediate_size) + (c.layer_intermediate.empty() ? "" : " (max; per layer)"));
  f.push_back(std::string("embeddings: ") + (c.tied_embeddings ? "tied to the output" : "separate output matrix") +
              (c.embedding_scale != 1.0 ? ", scaled by sqrt(hidden)" : ""));
  return s;
}

nlohmann::json to_json(const ArchitectureSummary& s) {
  return {{"total_parameters", s.total_parameters},
          {"effective_parameters", s.effective_parameters},
          {"features", s.features}};
}

}  // namespace slm
