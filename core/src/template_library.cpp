#include "kefu/template_library.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "kefu/chinese.hpp"
#include "kefu/error.hpp"
#include "kefu/text.hpp"
#include "yaml_source.hpp"

namespace kefu {
namespace {

namespace fs = std::filesystem;

bool valid_id(const std::string& s, bool allow_dot) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || (allow_dot && c == '.');
  });
}

const std::set<std::string, std::less<>> kTemplateKeys = {
    "id", "intents", "stages", "customer_types", "emotions", "shortcut", "tags",
    "text", "examples", "use", "occasion"};
const std::set<std::string, std::less<>> kOccasions = {"birthday", "holiday", "new_arrival",
                                                       "win_back", "survey", "follow_up"};

// Reads one pack file, appending its templates and diagnostics.
class PackReader {
 public:
  PackReader(const SourceFile& file, std::vector<Template>& out, std::vector<Diagnostic>& diags)
      : file_(file), out_(out), diags_(diags) {}

  void read() {
    auto parsed = load_yaml_mapping(file_, "a pack is a mapping with 'pack', 'locale' and 'templates'");
    if (!parsed.ok()) return report(parsed.error_line, parsed.error);
    const YAML::Node& root = parsed.node;
    for (auto kv : root) {
      auto key = kv.first.as<std::string>();
      if (key != "pack" && key != "locale" && key != "templates") report(line(kv.first), "unknown field '" + key + "'");
    }
    auto pack = root["pack"];
    if (!pack || !pack.IsScalar() || !valid_id(pack.Scalar(), false))
      report(pack ? line(pack) : 1, "'pack' must be an id of [a-z0-9_]");
    pack_ = pack && pack.IsScalar() ? pack.Scalar() : "";
    auto loc = root["locale"];
    if (!loc || !loc.IsScalar()) return report(1, "missing 'locale' (zh-CN or en)");
    try {
      locale_ = parse_locale(loc.Scalar());
    } catch (const Error&) {
      return report(line(loc), "unknown locale '" + loc.Scalar() + "' (zh-CN or en)");
    }
    if (locale_ == Locale::zh_TW || locale_ == Locale::zh_HK)
      return report(line(loc), "write packs in zh-CN: zh-TW and zh-HK are generated with OpenCC");
    auto list = root["templates"];
    if (!list || !list.IsSequence()) return report(1, "'templates' must be a list");
    for (auto node : list) read_template(node);
  }

 private:
  static int line(const YAML::Node& n) { return n.Mark().line + 1; }
  void report(int line, std::string message) { diags_.push_back({file_.path, line, std::move(message)}); }

  std::vector<std::string> strings(const YAML::Node& n, const char* field, bool& ok) {
    std::vector<std::string> out;
    if (!n) return out;
    if (n.IsScalar()) {
      out.push_back(n.Scalar());
    } else if (n.IsSequence()) {
      for (auto item : n) {
        if (!item.IsScalar()) {
          report(line(item), std::string("'") + field + "' items must be text");
          ok = false;
        } else {
          out.push_back(item.Scalar());
        }
      }
    } else {
      report(line(n), std::string("'") + field + "' must be a list");
      ok = false;
    }
    return out;
  }

  template <class E, class Parse>
  std::vector<E> enums(const YAML::Node& n, const char* field, Parse parse, bool& ok) {
    std::vector<E> out;
    for (const auto& s : strings(n, field, ok)) {
      if (auto v = parse(s)) {
        out.push_back(*v);
      } else {
        report(line(n), std::string("unknown ") + field + " value '" + s + "'");
        ok = false;
      }
    }
    return out;
  }

  void read_template(const YAML::Node& node) {
    if (!node.IsMap()) return report(line(node), "a template is a mapping");
    bool ok = true;
    Template t;
    t.file = file_.path;
    t.line = line(node);
    t.pack = pack_;
    t.locale = locale_;
    for (auto kv : node) {
      auto key = kv.first.as<std::string>();
      if (!kTemplateKeys.count(key)) {
        report(line(kv.first), "unknown field '" + key + "'");
        ok = false;
      }
    }
    auto id = node["id"];
    if (!id || !id.IsScalar() || !valid_id(id.Scalar(), true)) {
      report(t.line, "template needs an 'id' of [a-z0-9_.]");
      return;
    }
    t.id = id.Scalar();
    auto use = node["use"];
    if (use) {
      if (!use.IsScalar() || (use.Scalar() != "reply" && use.Scalar() != "outreach")) {
        report(line(use), "'use' is reply or outreach");
        ok = false;
      } else {
        t.outreach = use.Scalar() == "outreach";
      }
    }
    if (auto occ = node["occasion"]) {
      if (!occ.IsScalar() || !kOccasions.count(occ.Scalar())) {
        report(line(occ), "unknown occasion (birthday, holiday, new_arrival, win_back, survey, follow_up)");
        ok = false;
      } else {
        t.occasion = occ.Scalar();
      }
    }
    if (t.outreach && t.occasion.empty()) {
      report(t.line, "template '" + t.id + "': outreach templates need an 'occasion'");
      ok = false;
    }
    t.intents = enums<Intent>(node["intents"], "intent", parse_intent, ok);
    if (t.intents.empty() && !t.outreach) {
      report(t.line, "template '" + t.id + "' needs at least one intent");
      ok = false;
    }
    if (t.intents.empty()) t.intents.push_back(Intent::other);
    t.stages = enums<Stage>(node["stages"], "stage", parse_stage, ok);
    t.customer_types = enums<CustomerType>(node["customer_types"], "customer type", parse_customer_type, ok);
    t.emotions = enums<Emotion>(node["emotions"], "emotion", parse_emotion, ok);
    t.tags = strings(node["tags"], "tags", ok);
    for (const auto& tag : t.tags)
      if (!valid_id(tag, false)) {
        report(line(node["tags"]), "tag '" + tag + "' must be of [a-z0-9_]");
        ok = false;
      }
    if (auto sc = node["shortcut"]) {
      if (!sc.IsScalar() || sc.Scalar().size() < 2 || sc.Scalar()[0] != '/') {
        report(line(sc), "'shortcut' starts with '/'");
        ok = false;
      } else {
        t.shortcut = sc.Scalar();
      }
    }
    auto text = node["text"];
    if (!text || !text.IsScalar() || text.Scalar().empty()) {
      report(t.line, "template '" + t.id + "' needs a 'text'");
      return;
    }
    t.text = text.Scalar();
    try {
      t.nodes = compile_text(t.text, file_.path + ":" + std::to_string(line(text)));
    } catch (const Error& e) {
      // compile_text already prefixes file:line
      std::string msg = e.what();
      auto colon = msg.find(": ", file_.path.size() + 1);
      report(line(text), colon == std::string::npos ? msg : msg.substr(colon + 2));
      ok = false;
    }
    t.examples = strings(node["examples"], "examples", ok);
    if (!t.outreach && t.examples.size() < 3) {
      report(t.line, "template '" + t.id + "' has " + std::to_string(t.examples.size()) +
                         " examples; a reply template needs at least 3");
      ok = false;
    }
    if (ok) out_.push_back(std::move(t));
  }

  const SourceFile& file_;
  std::vector<Template>& out_;
  std::vector<Diagnostic>& diags_;
  std::string pack_;
  Locale locale_ = Locale::zh_CN;
};

}  // namespace

std::vector<SourceFile> read_pack_dir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(ErrorCode::io, "template directory not found: " + dir);
  std::vector<SourceFile> files;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    auto ext = it->path().extension().string();
    if (ext != ".yaml" && ext != ".yml") continue;
    std::ifstream in(it->path(), std::ios::binary);
    if (!in) throw Error(ErrorCode::io, "cannot read " + it->path().string());
    std::ostringstream ss;
    ss << in.rdbuf();
    files.push_back({it->path().string(), ss.str()});
  }
  if (ec) throw Error(ErrorCode::io, "cannot list " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return files;
}

TemplateLibrary TemplateLibrary::load(const std::vector<SourceFile>& files, std::vector<Diagnostic>& diags) {
  TemplateLibrary lib;
  std::vector<Template> parsed;
  for (const auto& f : files) PackReader(f, parsed, diags).read();
  // Duplicates within one set of files are errors; the first definition stays.
  std::set<std::pair<Locale, std::string>> ids, shortcuts;
  for (auto& t : parsed) {
    if (!ids.emplace(t.locale, t.id).second) {
      diags.push_back({t.file, t.line, "duplicate template id '" + t.id + "'"});
      continue;
    }
    if (!t.shortcut.empty() && !shortcuts.emplace(t.locale, t.shortcut).second) {
      diags.push_back({t.file, t.line, "duplicate shortcut '" + t.shortcut + "'"});
      continue;
    }
    lib.templates_.push_back(std::move(t));
  }
  lib.index();
  return lib;
}

TemplateLibrary TemplateLibrary::load_strict(const std::vector<SourceFile>& files) {
  std::vector<Diagnostic> diags;
  auto lib = load(files, diags);
  if (!diags.empty()) {
    std::string msg = std::to_string(diags.size()) + " problem(s) in template packs:";
    for (std::size_t i = 0; i < diags.size() && i < 20; ++i) msg += "\n" + diags[i].to_string();
    throw Error(ErrorCode::parse, msg);
  }
  return lib;
}

void TemplateLibrary::overlay(TemplateLibrary&& other) {
  for (auto& t : other.templates_) {
    auto same = std::find_if(templates_.begin(), templates_.end(),
                             [&](const Template& x) { return x.locale == t.locale && x.id == t.id; });
    if (same != templates_.end())
      *same = std::move(t);
    else
      templates_.push_back(std::move(t));
  }
  other.templates_.clear();
  other.index();
  index();
}

void TemplateLibrary::index() {
  by_locale_.clear();
  by_intent_.clear();
  by_id_.clear();
  by_shortcut_.clear();
  static const std::vector<const Template*> none;
  for (const auto& t : templates_) {
    by_locale_[t.locale].push_back(&t);
    by_id_[{t.locale, t.id}] = &t;
    if (!t.shortcut.empty()) by_shortcut_[{t.locale, t.shortcut}] = &t;
    if (!t.outreach)
      for (Intent i : t.intents) by_intent_[{t.locale, i}].push_back(&t);
  }
}

void TemplateLibrary::localize(const ChineseConverters& chinese) {
  // One OpenCC call per locale over all texts, split on a record separator OpenCC leaves alone.
  std::vector<Template*> zh;
  std::string joined;
  for (auto& t : templates_)
    if (t.locale == Locale::zh_CN && (t.text_tw.empty() || t.text_hk.empty())) {
      zh.push_back(&t);
      joined += t.text;
      joined += "\n\x1e\n";
    }
  if (zh.empty()) return;
  for (Locale target : {Locale::zh_TW, Locale::zh_HK}) {
    std::string converted = chinese.localize(joined, target);
    std::size_t pos = 0;
    for (Template* t : zh) {
      std::size_t end = converted.find("\n\x1e\n", pos);
      if (end == std::string::npos) break;
      std::string text = converted.substr(pos, end - pos);
      auto nodes = compile_text(text, t->file);
      if (target == Locale::zh_TW) t->text_tw = std::move(text), t->nodes_tw = std::move(nodes);
      else t->text_hk = std::move(text), t->nodes_hk = std::move(nodes);
      pos = end + 3;
    }
  }
}

bool TemplateLibrary::localized() const {
  for (const auto& t : templates_)
    if (t.locale == Locale::zh_CN && (t.nodes_tw.empty() || t.nodes_hk.empty())) return false;
  return true;
}

const std::vector<const Template*>& TemplateLibrary::of_locale(Locale l) const {
  static const std::vector<const Template*> none;
  auto it = by_locale_.find(data_locale(l));
  return it == by_locale_.end() ? none : it->second;
}

const std::vector<const Template*>& TemplateLibrary::of_intent(Locale l, Intent intent) const {
  static const std::vector<const Template*> none;
  auto it = by_intent_.find({data_locale(l), intent});
  return it == by_intent_.end() ? none : it->second;
}

const Template* TemplateLibrary::find(std::string_view id, Locale l) const {
  for (Locale dl : {data_locale(l), data_locale(l) == Locale::en ? Locale::zh_CN : Locale::en}) {
    auto it = by_id_.find(std::pair<Locale, std::string>{dl, std::string(id)});
    if (it != by_id_.end()) return it->second;
  }
  return nullptr;
}

const Template* TemplateLibrary::find_shortcut(std::string_view shortcut, Locale l) const {
  auto it = by_shortcut_.find(std::pair<Locale, std::string>{data_locale(l), std::string(shortcut)});
  return it == by_shortcut_.end() ? nullptr : it->second;
}

}  // namespace kefu
