// kefu/template_library.hpp — loading, linting and looking up template packs.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kefu/template.hpp"

namespace kefu {

class ChineseConverters;

/// One problem found in a pack file.
struct Diagnostic {
  std::string file;
  int line = 0;
  std::string message;
  std::string to_string() const { return file + ":" + std::to_string(line) + ": " + message; }
};

/// A source file: path (for messages) and its content.
struct SourceFile {
  std::string path;
  std::string content;
};

/// The template packs embedded in this build (templates/packs/**), as source files.
std::vector<SourceFile> bundled_pack_files();
/// Every YAML file in `dir`, recursively, sorted by path. Throws Error(io) if `dir` is not readable.
std::vector<SourceFile> read_pack_dir(const std::string& dir);

/// All templates an engine serves, indexed by id, locale and intent. Immutable once built.
class TemplateLibrary {
 public:
  TemplateLibrary() = default;
  TemplateLibrary(TemplateLibrary&&) = default;
  TemplateLibrary& operator=(TemplateLibrary&&) = default;
  TemplateLibrary(const TemplateLibrary&) = delete;
  TemplateLibrary& operator=(const TemplateLibrary&) = delete;

  /// Parses and checks `files`; every problem is appended to `diagnostics`. Templates with
  /// errors are left out; a file with a YAML syntax error is left out whole.
  static TemplateLibrary load(const std::vector<SourceFile>& files, std::vector<Diagnostic>& diagnostics);
  /// Like load() but throws Error(parse) listing the problems when there is any.
  static TemplateLibrary load_strict(const std::vector<SourceFile>& files);

  /// Adds `other`'s templates, replacing those with the same locale and id (a shop's own packs
  /// over the bundled ones).
  void overlay(TemplateLibrary&& other);
  /// Fills the zh-TW / zh-HK forms of zh-CN templates that do not have them yet.
  void localize(const ChineseConverters& chinese);
  /// True when every zh-CN template has its zh-TW and zh-HK forms.
  bool localized() const;

  /// A compact binary form of the whole library, localized forms included: the build compiles the
  /// bundled packs into it (core/tools/packc.cpp), so that an engine loads them in a few milliseconds.
  std::string to_blob() const;
  /// Reads to_blob()'s output. Throws Error(parse) if it is not a blob of this build's format.
  static TemplateLibrary from_blob(std::string_view blob);

  const std::vector<Template>& all() const { return templates_; }
  /// Templates of a data locale (zh_CN or en).
  const std::vector<const Template*>& of_locale(Locale data_locale) const;
  /// Reply templates of a data locale for an intent.
  const std::vector<const Template*>& of_intent(Locale data_locale, Intent intent) const;
  /// nullptr if no such id (looks in `data_locale` first, then in the other locale).
  const Template* find(std::string_view id, Locale data_locale) const;
  /// nullptr if no such shortcut ("/size").
  const Template* find_shortcut(std::string_view shortcut, Locale data_locale) const;
  std::size_t size() const { return templates_.size(); }

 private:
  void index();
  std::vector<Template> templates_;
  std::map<Locale, std::vector<const Template*>> by_locale_;
  std::map<std::pair<Locale, Intent>, std::vector<const Template*>> by_intent_;
  std::map<std::pair<Locale, std::string>, const Template*, std::less<>> by_id_;
  std::map<std::pair<Locale, std::string>, const Template*, std::less<>> by_shortcut_;
};


/// The bundled packs, compiled at build time (loads much faster than parsing bundled_pack_files()).
TemplateLibrary bundled_library();

}  // namespace kefu
