// Internal: the first step every reader of a YAML data file shares (packs, lexicons, tone rules,
// holidays): valid UTF-8, valid YAML, a mapping at the top — or the file:line of the first problem.
#pragma once
#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

#include "kefu/template_library.hpp"

namespace kefu {

struct YamlRoot {
  YAML::Node node;        ///< the top-level mapping, when ok()
  int error_line = 0;     ///< 1-based line of the problem
  std::string error;      ///< empty when ok()
  bool ok() const { return error.empty(); }
  /// "file:line: reason", the form every kefu message about a data file takes.
  std::string where(const SourceFile& f) const { return f.path + ":" + std::to_string(error_line) + ": " + error; }
};

/// Parses `file`; `expected` describes the mapping a reader wants ("a pack is a mapping with ...").
YamlRoot load_yaml_mapping(const SourceFile& file, std::string_view expected);

}  // namespace kefu
