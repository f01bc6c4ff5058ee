#include "yaml_source.hpp"

#include "kefu/text.hpp"

namespace kefu {

YamlRoot load_yaml_mapping(const SourceFile& file, std::string_view expected) {
  YamlRoot r;
  if (!is_valid_utf8(file.content)) {
    r.error_line = 1;
    r.error = "file is not valid UTF-8";
    return r;
  }
  try {
    r.node = YAML::Load(file.content);
  } catch (const YAML::Exception& e) {
    r.error_line = e.mark.line + 1;
    r.error = "YAML syntax: " + e.msg;
    return r;
  }
  if (!r.node.IsMap()) {
    r.error_line = 1;
    r.error = std::string(expected);
  }
  return r;
}

}  // namespace kefu
