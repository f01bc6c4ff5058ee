// kefu_patternc: compiles, at build time, the Hyperscan databases of the bundled analysis lexicons
// and tone rules — the same way an engine would at start-up — and stores them (portable x86-64
// builds) in the blob the library embeds, so that an engine loads them instead of compiling. It
// also writes the bundled lexicons in compiled form (Analyzer::compile_lexicons), so that an engine
// does not parse their YAML.
//   kefu_patternc TEMPLATES_DIR PACKS_BLOB PATTERNS_OUTPUT LEXICONS_OUTPUT
#include <fstream>
#include <iostream>
#include <sstream>

#include "kefu/analysis.hpp"
#include "kefu/chinese.hpp"
#include "kefu/error.hpp"
#include "kefu/pattern_set.hpp"
#include "kefu/template_library.hpp"
#include "kefu/tone.hpp"

namespace {

void write_file(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out) throw kefu::Error(kefu::ErrorCode::io, "cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw kefu::Error(kefu::ErrorCode::io, "cannot write " + path);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw kefu::Error(kefu::ErrorCode::io, "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: kefu_patternc TEMPLATES_DIR PACKS_BLOB PATTERNS_OUTPUT LEXICONS_OUTPUT\n";
    return 2;
  }
  try {
    const std::string dir = argv[1];
    kefu::ChineseConverters chinese;
    auto library = kefu::TemplateLibrary::from_blob(read_file(argv[2]));
    std::vector<std::pair<std::string, std::string>> lexicons;
    for (auto& f : kefu::read_pack_dir(dir + "/analysis")) lexicons.emplace_back(f.path, f.content);

    kefu::record_compiled_patterns(true);
    kefu::Analyzer analyzer(lexicons, library, chinese);
    kefu::ToneChecker tone(kefu::read_pack_dir(dir + "/tone"), {}, chinese);
    kefu::record_compiled_patterns(false);

    std::string blob = kefu::recorded_patterns_blob();
    write_file(argv[3], blob);
    std::string lexicon_blob = kefu::Analyzer::compile_lexicons(lexicons);
    write_file(argv[4], lexicon_blob);
    std::cout << "kefu_patternc: " << blob.size() / 1024 << " KiB of compiled pattern databases, "
              << lexicon_blob.size() / 1024 << " KiB of compiled lexicons\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "kefu_patternc: " << e.what() << "\n";
    return 1;
  }
}
