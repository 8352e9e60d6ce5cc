#pragma once
// Which files of a repository a model needs: the configuration, tokenizer and safetensors
// weights of a Transformers checkpoint, or the .gguf file(s) of one quantization.
#include <string>
#include <vector>

namespace slm::hub {

// config.json, generation_config.json, tokenizer files, chat template and *.safetensors (+ index),
// at the top level only: other weight formats and subfolders (original/, onnx/) are skipped.
bool is_needed_hf_file(const std::string& repo_path);
std::vector<std::string> select_hf_files(const std::vector<std::string>& repo_files);

// True when the repository holds GGUF files and no safetensors checkpoint.
bool is_gguf_repo(const std::vector<std::string>& repo_files);

// The file(s) of one quantization: the tag matched case-insensitively as a whole word in the
// file name (Q4_K does not match Q4_K_M), every part of a split file (-00001-of-00003.gguf),
// projector files (mmproj) skipped. Several matches: the shortest name wins, a tie is an error
// listing them. An empty quant picks the only GGUF, else Q4_K_M, else errors listing the tags.
std::vector<std::string> select_gguf_files(const std::vector<std::string>& repo_files, const std::string& quant,
                                           const std::string& repo_label);

// Quantization tags found in GGUF file names ("Q4_K_M", "Q8_0", "F16", "IQ4_XS"...), sorted, unique.
std::vector<std::string> gguf_quant_tags(const std::vector<std::string>& repo_files);
// The tag of one file name, "" when none is recognised.
std::string gguf_quant_tag(const std::string& file_name);

}  // namespace slm::hub
