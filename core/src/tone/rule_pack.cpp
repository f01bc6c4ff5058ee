// Tone: reading rule pack files (bundled and a shop's overrides) into a RuleSet, with file:line problems.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "embedded.hpp"
#include "kefu/error.hpp"
#include "tone_internal.hpp"
#include "yaml_source.hpp"

namespace kefu {

std::vector<SourceFile> read_tone_path(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::io, "cannot read " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return {{path, ss.str()}};
  }
  if (!fs::is_directory(path, ec)) throw Error(ErrorCode::io, "tone rule file or directory not found: " + path);
  return read_pack_dir(path);
}

namespace tone {
namespace {

const std::set<std::string, std::less<>> kTopKeys = {"locale", "markers", "negations", "negation_window",
                                                     "caps_allow", "rules", "overrides"};
const std::set<std::string, std::less<>> kRuleKeys = {
    "id", "category", "severity", "message", "suggestions", "phrases", "regex", "near", "absent", "detector", "min", "max",
    "except", "negatable", "start", "question", "unless", "when", "examples", "enabled"};
const std::set<std::string, std::less<>> kOverrideKeys = {"enabled", "severity", "message", "add_phrases",
                                                          "add_except", "add_suggestions"};

bool valid_rule_id(const std::string& s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  });
}

class RuleFileReader {
 public:
  RuleFileReader(const SourceFile& f, bool layer, RuleSet& set, std::vector<Diagnostic>& diags)
      : file_(f), layer_(layer), set_(set), diags_(diags) {}

  void read() {
    auto parsed = load_yaml_mapping(file_, "a tone rule file is a mapping with 'locale' and 'rules' or 'overrides'");
    if (!parsed.ok()) return report(parsed.error_line, parsed.error);
    const YAML::Node& root = parsed.node;
    for (auto kv : root) {
      auto key = kv.first.as<std::string>();
      if (!kTopKeys.count(key)) report(line(kv.first), "unknown field '" + key + "'");
    }
    auto loc = root["locale"];
    if (!loc || !loc.IsScalar()) return report(1, "missing 'locale' (zh-CN, zh-TW, zh-HK or en)");
    Locale locale;
    try {
      locale = data_locale(parse_locale(loc.Scalar()));
    } catch (const Error&) {
      return report(line(loc), "unknown locale '" + loc.Scalar() + "'");
    }
    LocalePack& pack = set_.packs[locale];
    pack.locale = locale;
    if (auto m = root["markers"]) read_markers(m, pack);
    if (auto n = root["negations"]) append(pack.negations, strings(n, "negations"));
    if (auto w = root["negation_window"]) {
      int v = integer(w, "negation_window");
      if (v < 0 || v > 200) report(line(w), "'negation_window' must be 0..200");
      else pack.negation_window = v;
    }
    if (auto c = root["caps_allow"]) append(pack.caps_allow, strings(c, "caps_allow"));
    if (auto rules = root["rules"]) {
      if (!rules.IsSequence()) {
        report(line(rules), "'rules' must be a list");
      } else {
        for (auto node : rules) read_rule(node, pack);
      }
    }
    if (auto ov = root["overrides"]) read_overrides(ov, pack);
  }

 private:
  static int line(const YAML::Node& n) { return n.Mark().line + 1; }
  void report(int line, std::string message) { diags_.push_back({file_.path, line, std::move(message)}); }

  static void append(std::vector<std::string>& to, std::vector<std::string> from) {
    for (auto& s : from) to.push_back(std::move(s));
  }

  std::vector<std::string> strings(const YAML::Node& n, const std::string& field) {
    std::vector<std::string> out;
    if (n.IsNull()) return out;
    if (n.IsScalar()) {
      if (n.Scalar().empty()) report(line(n), "'" + field + "' has an empty entry");
      else out.push_back(n.Scalar());
      return out;
    }
    if (!n.IsSequence()) {
      report(line(n), "'" + field + "' must be a list");
      return out;
    }
    for (auto item : n) {
      if (!item.IsScalar() || item.Scalar().empty()) report(line(item), "'" + field + "' items must be non-empty text");
      else out.push_back(item.Scalar());
    }
    return out;
  }

  int integer(const YAML::Node& n, const std::string& field) {
    try {
      return n.as<int>();
    } catch (const YAML::Exception&) {
      report(line(n), "'" + field + "' must be a whole number");
      return 0;
    }
  }

  bool boolean(const YAML::Node& n, const std::string& field) {
    try {
      return n.as<bool>();
    } catch (const YAML::Exception&) {
      report(line(n), "'" + field + "' must be true or false");
      return false;
    }
  }

  void read_markers(const YAML::Node& n, LocalePack& pack) {
    if (!n.IsMap()) return report(line(n), "'markers' must be a mapping of group name → phrases");
    for (auto kv : n) {
      auto name = kv.first.as<std::string>();
      if (!valid_rule_id(name)) report(line(kv.first), "marker group names are [a-z0-9_]");
      append(pack.markers[name], strings(kv.second, "markers." + name));
    }
  }

  // phrases: a list of "text" or {"text": [suggestions]}.
  std::vector<Phrase> phrases(const YAML::Node& n) {
    std::vector<Phrase> out;
    if (!n.IsSequence()) {
      report(line(n), "'phrases' must be a list");
      return out;
    }
    for (auto item : n) {
      if (item.IsScalar() && !item.Scalar().empty()) {
        out.push_back({item.Scalar(), {}});
      } else if (item.IsMap() && item.size() == 1) {
        auto kv = *item.begin();
        auto text = kv.first.as<std::string>();
        if (text.empty()) report(line(item), "empty phrase");
        else out.push_back({text, strings(kv.second, "suggestions of '" + text + "'")});
      } else {
        report(line(item), "a phrase is text, or 'phrase: [suggestions]'");
      }
    }
    return out;
  }

  void read_examples(const YAML::Node& n, Rule& r) {
    if (!n.IsMap()) return report(line(n), "'examples' is a mapping with 'fire' and 'pass' lists");
    for (auto kv : n) {
      auto key = kv.first.as<std::string>();
      if (key != "fire" && key != "pass") {
        report(line(kv.first), "unknown examples field '" + key + "' (fire, pass)");
        continue;
      }
      if (!kv.second.IsSequence()) {
        report(line(kv.second), "'examples." + key + "' must be a list");
        continue;
      }
      for (auto item : kv.second) {
        Example ex;
        ex.fire = key == "fire";
        ex.line = line(item);
        if (item.IsScalar()) {
          ex.text = item.Scalar();
        } else if (item.IsMap()) {
          for (auto f : item) {
            auto k = f.first.as<std::string>();
            if (k == "text" && f.second.IsScalar()) ex.text = f.second.Scalar();
            else if (k == "customer" && f.second.IsScalar()) ex.customer = f.second.Scalar();
            else report(line(f.first), "an example is text, or a mapping with 'text' and 'customer'");
          }
        } else {
          report(ex.line, "an example is text, or a mapping with 'text' and 'customer'");
          continue;
        }
        if (ex.text.empty()) report(ex.line, "empty example");
        else r.examples.push_back(std::move(ex));
      }
    }
  }

  void read_when(const YAML::Node& n, Rule& r) {
    if (!n.IsMap()) return report(line(n), "'when' is a mapping (customer_upset, asks, min_chars)");
    for (auto kv : n) {
      auto key = kv.first.as<std::string>();
      if (key == "customer_upset") r.when.customer_upset = boolean(kv.second, key);
      else if (key == "asks") r.when.asks = boolean(kv.second, key);
      else if (key == "min_chars") r.when.min_chars = integer(kv.second, key);
      else report(line(kv.first), "unknown condition '" + key + "' (customer_upset, asks, min_chars)");
    }
  }

  void read_rule(const YAML::Node& node, LocalePack& pack) {
    if (!node.IsMap()) return report(line(node), "a rule is a mapping");
    Rule r;
    r.file = file_.path;
    r.line = line(node);
    r.locale = pack.locale;
    bool ok = true;
    for (auto kv : node) {
      auto key = kv.first.as<std::string>();
      if (!kRuleKeys.count(key)) {
        report(line(kv.first), "unknown rule field '" + key + "'");
        ok = false;
      }
    }
    auto id = node["id"];
    if (!id || !id.IsScalar() || !valid_rule_id(id.Scalar())) return report(r.line, "rule needs an 'id' of [a-z0-9_.]");
    r.id = id.Scalar();
    auto cat = node["category"];
    auto category = cat && cat.IsScalar() ? parse_tone_category(cat.Scalar()) : std::nullopt;
    if (!category) {
      report(cat ? line(cat) : r.line,
             "rule '" + r.id + "' needs a 'category': cold, impatience, blame, argue, vague, apology, politeness, "
             "shouting, hostile, compliance, privacy or long_sentence");
      ok = false;
    } else {
      r.category = *category;
    }
    auto sev = node["severity"];
    auto severity = sev && sev.IsScalar() ? parse_severity(sev.Scalar()) : std::nullopt;
    if (!severity) {
      report(sev ? line(sev) : r.line, "rule '" + r.id + "' needs a 'severity': error, warning or info");
      ok = false;
    } else {
      r.severity = *severity;
    }
    auto msg = node["message"];
    if (!msg || !msg.IsScalar() || msg.Scalar().empty()) {
      report(msg ? line(msg) : r.line, "rule '" + r.id + "' needs a 'message'");
      ok = false;
    } else {
      r.message = msg.Scalar();
    }
    if (auto s = node["suggestions"]) r.suggestions = strings(s, "suggestions");
    int kinds = 0;
    if (auto p = node["phrases"]) {
      r.kind = Kind::phrases;
      r.phrases = phrases(p);
      ++kinds;
    }
    if (auto p = node["regex"]) {
      r.kind = Kind::regex;
      r.regexes = strings(p, "regex");
      ++kinds;
    }
    if (auto p = node["near"]) {
      r.kind = Kind::near;
      ++kinds;
      if (!p.IsMap()) {
        report(line(p), "'near' is a mapping: {first: [...], then: [...], within: N}");
      } else {
        for (auto kv : p) {
          auto key = kv.first.as<std::string>();
          if (key == "first") r.near_first = strings(kv.second, "near.first");
          else if (key == "then") r.near_then = strings(kv.second, "near.then");
          else if (key == "within") r.near_within = integer(kv.second, "near.within");
          else if (key == "ordered") r.near_ordered = boolean(kv.second, "near.ordered");
          else report(line(kv.first), "unknown 'near' field '" + key + "' (first, then, within, ordered)");
        }
        if (r.near_first.empty() || r.near_then.empty()) report(line(p), "'near' needs 'first' and 'then' phrases");
      }
    }
    if (auto p = node["absent"]) {
      r.kind = Kind::absent;
      r.absent = strings(p, "absent");
      ++kinds;
    }
    if (auto p = node["detector"]) {
      r.kind = Kind::detector;
      if (!p.IsScalar()) report(line(p), "'detector' is a name");
      else r.detector = p.Scalar();
      ++kinds;
    }
    if (kinds != 1) {
      report(r.line, "rule '" + r.id + "' needs exactly one of 'phrases', 'regex', 'near', 'absent', 'detector'");
      ok = false;
    }
    for (const char* k : {"min", "max"}) {
      if (auto v = node[k]) {
        try {
          (k[1] == 'i' ? r.min : r.max) = v.as<double>();
        } catch (const YAML::Exception&) {
          report(line(v), std::string("'") + k + "' must be a number");
          ok = false;
        }
      }
    }
    if (auto e = node["except"]) r.except = strings(e, "except");
    if (auto v = node["negatable"]) r.negatable = boolean(v, "negatable");
    if (auto v = node["start"]) r.start = boolean(v, "start");
    if (auto v = node["question"]) r.question = boolean(v, "question");
    if (auto v = node["unless"]) r.unless = strings(v, "unless");
    if (auto v = node["enabled"]) r.enabled = boolean(v, "enabled");
    if (auto w = node["when"]) read_when(w, r);
    if (auto ex = node["examples"]) read_examples(ex, r);
    if (!ok) return;
    for (const auto& existing : pack.rules) {
      if (existing.id == r.id) {
        report(r.line, "duplicate rule id '" + r.id + "' (first defined at " + existing.file + ":" +
                           std::to_string(existing.line) + (layer_ ? "; change it under 'overrides'" : "") + ")");
        return;
      }
    }
    pack.rules.push_back(std::move(r));
  }

  void read_overrides(const YAML::Node& n, LocalePack& pack) {
    if (!n.IsMap()) return report(line(n), "'overrides' is a mapping of rule id → changes");
    for (auto kv : n) {
      auto id = kv.first.as<std::string>();
      auto it = std::find_if(pack.rules.begin(), pack.rules.end(), [&](const Rule& r) { return r.id == id; });
      if (it == pack.rules.end()) {
        report(line(kv.first), "override of unknown rule '" + id + "' in " + locale_name(pack.locale));
        continue;
      }
      const auto& ch = kv.second;
      if (!ch.IsMap()) {
        report(line(ch), "the override of '" + id + "' is a mapping (enabled, severity, message, add_phrases, "
                         "add_except, add_suggestions)");
        continue;
      }
      for (auto f : ch) {
        auto key = f.first.as<std::string>();
        if (!kOverrideKeys.count(key)) {
          report(line(f.first), "unknown override field '" + key + "'");
        } else if (key == "enabled") {
          it->enabled = boolean(f.second, key);
        } else if (key == "severity") {
          auto s = f.second.IsScalar() ? parse_severity(f.second.Scalar()) : std::nullopt;
          if (!s) report(line(f.second), "'severity' is error, warning or info");
          else it->severity = *s;
        } else if (key == "message") {
          if (!f.second.IsScalar() || f.second.Scalar().empty()) report(line(f.second), "'message' is text");
          else it->message = f.second.Scalar();
        } else if (key == "add_phrases") {
          if (it->kind != Kind::phrases) {
            report(line(f.first), "rule '" + id + "' has no phrases to add to");
            continue;
          }
          for (auto& p : phrases(f.second)) it->phrases.push_back(std::move(p));
        } else if (key == "add_except") {
          append(it->except, strings(f.second, key));
        } else if (key == "add_suggestions") {
          append(it->suggestions, strings(f.second, key));
        }
      }
    }
  }

  const SourceFile& file_;
  bool layer_;
  RuleSet& set_;
  std::vector<Diagnostic>& diags_;
};

}  // namespace

void load_rule_files(const std::vector<SourceFile>& files, bool layer, RuleSet& set, std::vector<Diagnostic>& diags) {
  for (const auto& f : files) RuleFileReader(f, layer, set, diags).read();
}

void validate_rule_set(const RuleSet& set, std::vector<Diagnostic>& diags) {
  for (const auto& [locale, pack] : set.packs) {
    for (const auto& r : pack.rules) {
      if (r.kind == Kind::absent) {
        if (r.absent.empty()) diags.push_back({r.file, r.line, "rule '" + r.id + "': 'absent' names no marker group"});
        for (const auto& g : r.absent)
          if (!pack.markers.count(g))
            diags.push_back({r.file, r.line, "rule '" + r.id + "': unknown marker group '" + g + "'"});
      }
      for (const auto& g : r.unless)
        if (!pack.markers.count(g))
          diags.push_back({r.file, r.line, "rule '" + r.id + "': unknown marker group '" + g + "' in 'unless'"});
      if (r.kind == Kind::detector && !is_known_detector(r.detector))
        diags.push_back({r.file, r.line,
                         "rule '" + r.id + "': unknown detector '" + r.detector +
                             "' (bank_card, cn_id_card, caps, repeated_punct, long_sentence, question_run)"});
      if (r.kind == Kind::phrases && r.phrases.empty())
        diags.push_back({r.file, r.line, "rule '" + r.id + "' has no phrases"});
      if (r.kind == Kind::regex && r.regexes.empty())
        diags.push_back({r.file, r.line, "rule '" + r.id + "' has no expressions"});
      bool fire = false, pass = false;
      for (const auto& e : r.examples) (e.fire ? fire : pass) = true;
      if (!fire || !pass)
        diags.push_back({r.file, r.line,
                         "rule '" + r.id + "' needs examples that must fire and examples that must not ('examples: "
                         "{fire: [...], pass: [...]}')"});
    }
  }
}

}  // namespace tone
}  // namespace kefu
