# Writes OUTPUT: a C++ source defining slm::embedded_catalog_json() with the text of INPUT.
file(READ ${INPUT} content)
file(WRITE ${OUTPUT} "// Generated from ${INPUT}; do not edit.\n#include <string_view>\nnamespace slm {\nstd::string_view embedded_catalog_json() {\n  static constexpr char text[] = R\"slmjson(${content})slmjson\";\n  return {text, sizeof(text) - 1};\n}\n}  // namespace slm\n")
