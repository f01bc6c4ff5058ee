#include "embedded.hpp"

#include "kefu/tone.hpp"

namespace kefu {

std::vector<SourceFile> embedded_under(std::string_view prefix) {
  std::size_t count = 0;
  const EmbeddedFile* files = embedded_files(&count);
  std::vector<SourceFile> out;
  for (std::size_t i = 0; i < count; ++i) {
    std::string_view path(files[i].path);
    if (path.substr(0, prefix.size()) != prefix) continue;
    out.push_back({"<bundled>/templates/" + std::string(path),
                   std::string(reinterpret_cast<const char*>(files[i].data), files[i].size)});
  }
  return out;
}

}  // namespace kefu

namespace kefu {

std::vector<SourceFile> bundled_pack_files() { return embedded_under("packs/"); }
std::vector<SourceFile> bundled_tone_files() { return embedded_under("tone/"); }

std::string_view embedded_file(std::string_view path) noexcept {
  std::size_t count = 0;
  const EmbeddedFile* files = embedded_files(&count);
  for (std::size_t i = 0; i < count; ++i)
    if (std::string_view(files[i].path) == path)
      return std::string_view(reinterpret_cast<const char*>(files[i].data), files[i].size);
  return {};
}

TemplateLibrary bundled_library() {
  std::string_view blob = embedded_file("compiled/packs.bin");
  if (!blob.empty()) return TemplateLibrary::from_blob(blob);
  return TemplateLibrary::load_strict(bundled_pack_files());  // a build without the compiled form
}

}  // namespace kefu
