// kefu_packc: compiles the bundled template packs at build time — parse, check (any problem fails
// the build, reported as file:line), add the OpenCC zh-TW/zh-HK forms — into the blob the library embeds.
//   kefu_packc PACK_DIR OUTPUT
#include <fstream>
#include <iostream>

#include "kefu/chinese.hpp"
#include "kefu/error.hpp"
#include "kefu/template_library.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: kefu_packc PACK_DIR OUTPUT\n";
    return 2;
  }
  try {
    std::vector<kefu::Diagnostic> diags;
    auto files = kefu::read_pack_dir(argv[1]);
    auto lib = kefu::TemplateLibrary::load(files, diags);
    for (const auto& d : diags) std::cerr << d.to_string() << "\n";
    if (!diags.empty()) return 1;
    kefu::ChineseConverters chinese;
    lib.localize(chinese);
    std::string blob = lib.to_blob();
    std::string tmp = std::string(argv[2]) + ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out.write(blob.data(), static_cast<std::streamsize>(blob.size()));
      if (!out) throw kefu::Error(kefu::ErrorCode::io, "cannot write " + tmp);
    }
    if (std::rename(tmp.c_str(), argv[2]) != 0) throw kefu::Error(kefu::ErrorCode::io, std::string("cannot write ") + argv[2]);
    std::cout << "kefu_packc: " << lib.size() << " templates from " << files.size() << " files\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "kefu_packc: " << e.what() << "\n";
    return 1;
  }
}
