#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstring>
#include <future>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

#include "blob_io.hpp"
#include "features.hpp"
#include "kefu/analysis.hpp"
#include "kefu/chinese.hpp"
#include "kefu/error.hpp"
#include "kefu/pattern_set.hpp"
#include "kefu/template_library.hpp"
#include "kefu/text.hpp"
#include "yaml_source.hpp"

namespace kefu {
namespace {

enum class CueKind { intent, emotion, negation, focus, ask, topic };

struct Cue {
  CueKind kind;
  std::size_t target;  // intent or emotion index; topic: index into Model::topics
  double weight;       // negation: window in characters; focus, ask: factor of the clause
  std::string phrase;
  // A proximity cue "A ~N B" has parts that must appear in order in one clause, each at most N
  // characters after the previous one; gaps[k] is the window before part k+1. Empty: one part.
  std::vector<std::uint32_t> gaps;
};

// What a pattern of the matcher stands for: part `part` of cue `cue`.
struct PatternRef {
  std::uint32_t cue;
  std::uint32_t part;
};

// Tunable constants of one locale's model, from the `settings:` block of the lexicon file.
struct Settings {
  double cue_scale = 1.0;       // weight of lexicon evidence
  double nb_scale = 1.0;        // weight of the naive Bayes evidence
  double temperature = 1.0;     // softmax temperature over the combined logits
  double negated_weight = -0.3; // factor applied to a negated cue
  double other_bias = 0.0;      // constant logit for `other`
  double angry_threshold = 1.5;
  double negative_threshold = 1.0;
  double positive_threshold = 1.0;
  double shout_weight = 0.8;       // angry evidence per run of !!/??? (0.6 for two, 1 for three or more)
  double complaint_negative = 1.0; // negative evidence of a complaint intent
  double service_anger = 0.6;      // angry evidence of a complaint about the service
  double cue_extra = 0.5;          // weight of an intent's further cues after its strongest one
  double nb_common = 1.0;          // naive Bayes skips features used by more than this share of intents
  double background_weight = 0.6;  // cues in a clause that is not the ask, when another clause asks
  double early_weight = 0.85;      // cues before the last clause with cues, when no clause asks
};

// Spelling repair for English cue words: a long word the model has never seen that is one edit
// (insertion, deletion, substitution or swap of neighbours) away from exactly one cue word is read
// as that cue word ("cancle" → "cancel", "recieved" → "received", "termniation" → "termination").
// Lookups go through the words' one-deletion forms (the symmetric-delete method).
class Speller {
 public:
  static constexpr std::size_t kMinLength = 5;

  void add_known(std::string_view word) {
    if (word.size() >= kMinLength) known_.emplace(word);
  }
  void add_target(std::string_view word) {
    if (word.size() < kMinLength + 1) return;
    known_.emplace(word);
    auto add = [&](const std::string& key) {
      auto [it, fresh] = deletes_.emplace(key, std::string(word));
      if (!fresh && it->second != word) it->second.clear();  // ambiguous: two cue words share it
    };
    add(std::string(word));
    for (std::size_t i = 0; i < word.size(); ++i) add(std::string(word.substr(0, i)) + std::string(word.substr(i + 1)));
  }
  bool empty() const { return deletes_.empty(); }

  /// The cue word `word` stands for, or empty.
  std::string repair(const std::string& word) const {
    if (word.size() < kMinLength || known_.count(word)) return {};
    std::string found;
    auto consider = [&](const std::string& key) {
      auto it = deletes_.find(key);
      if (it == deletes_.end() || it->second.empty() || it->second == found) return true;
      if (!found.empty()) return false;  // two candidates: leave the word alone
      found = it->second;
      return true;
    };
    if (!consider(word)) return {};
    for (std::size_t i = 0; i < word.size(); ++i)
      if (!consider(word.substr(0, i) + word.substr(i + 1))) return {};
    return found;
  }

 private:
  std::unordered_set<std::string> known_;                 // words of the cues and of the examples
  std::unordered_map<std::string, std::string> deletes_;  // cue word and its one-deletion forms → cue word
};

struct Model {
  std::vector<Cue> cues;
  std::vector<std::string> topics;  // topic names, by Cue::target
  std::vector<std::vector<PatternRef>> refs;  // by pattern id: every cue part the pattern serves
  std::unique_ptr<PatternSet> matcher;
  Settings settings;
  // Naive Bayes: per feature, log P(feature | intent); unseen features are skipped.
  std::unordered_map<Feature, std::array<float, kIntentCount>> log_prob;
  std::array<bool, kIntentCount> trained{};
  Speller speller;  // English only
};

bool clause_break(char32_t c) {
  return c == U'，' || c == U'。' || c == U'！' || c == U'？' || c == U'；' || c == ',' || c == '.' || c == '!' ||
         c == '?' || c == ';' || c == '\n' || c == U'～' || c == '~';
}

std::string trim(std::string_view v) {
  std::size_t a = 0, b = v.size();
  while (a < b && v[a] == ' ') ++a;
  while (b > a && v[b - 1] == ' ') --b;
  return std::string(v.substr(a, b - a));
}

// Splits "A|B ~6 C|D" into parts (alternatives each) and the windows between them.
void split_phrase(const std::string& phrase, std::vector<std::vector<std::string>>& parts,
                  std::vector<std::uint32_t>& gaps) {
  std::size_t pos = 0;
  auto add_part = [&](std::string_view part) {
    std::vector<std::string> alts;
    std::size_t a = 0;
    while (a <= part.size()) {
      std::size_t bar = part.find('|', a);
      if (bar == std::string_view::npos) bar = part.size();
      std::string alt = trim(part.substr(a, bar - a));
      if (!alt.empty()) alts.push_back(std::move(alt));
      a = bar + 1;
    }
    parts.push_back(std::move(alts));
  };
  while (true) {
    std::size_t t = phrase.find(" ~", pos);
    std::size_t d = t == std::string::npos ? t : t + 2;
    std::size_t e = d;
    while (e != std::string::npos && e < phrase.size() && std::isdigit(static_cast<unsigned char>(phrase[e]))) ++e;
    if (t == std::string::npos || e == d || e >= phrase.size() || phrase[e] != ' ') {
      add_part(std::string_view(phrase).substr(pos));
      return;
    }
    add_part(std::string_view(phrase).substr(pos, t - pos));
    gaps.push_back(static_cast<std::uint32_t>(std::stoul(phrase.substr(d, e - d))));
    pos = e + 1;
  }
}

class LexiconReader {
 public:
  explicit LexiconReader(const SourceFile& f) : file_(f) {}

  // Returns the data locale the file is for and fills `model`.
  Locale read(Model& model) {
    auto parsed = load_yaml_mapping(file_, "an analysis lexicon is a mapping with 'locale', 'settings', 'negations', "
                                           "'focus', 'asks', 'topics', 'intents', 'emotions'");
    if (!parsed.ok()) fail(parsed.error_line, parsed.error);
    const YAML::Node& root = parsed.node;
    auto loc = root["locale"];
    if (!loc || !loc.IsScalar()) fail(1, "missing 'locale'");
    Locale locale;
    try {
      locale = data_locale(parse_locale(loc.Scalar()));
    } catch (const Error&) {
      fail(line(loc), "unknown locale '" + loc.Scalar() + "'");
    }
    for (auto kv : root) {
      auto key = kv.first.as<std::string>();
      if (key == "locale") continue;
      if (key == "intents") {
        read_group(kv.second, CueKind::intent, model, [](const std::string& s) { return parse_intent(s); });
      } else if (key == "emotions") {
        read_group(kv.second, CueKind::emotion, model, [](const std::string& s) { return parse_emotion(s); });
      } else if (key == "negations") {
        read_phrases(kv.second, CueKind::negation, 0, model);
      } else if (key == "focus") {
        read_phrases(kv.second, CueKind::focus, 0, model);
      } else if (key == "asks") {
        read_phrases(kv.second, CueKind::ask, 0, model);
      } else if (key == "topics") {
        read_topics(kv.second, model);
      } else if (key == "settings") {
        read_settings(kv.second, model.settings);
      } else {
        fail(line(kv.first), "unknown field '" + key + "'");
      }
    }
    return locale;
  }

 private:
  static int line(const YAML::Node& n) { return n.Mark().line + 1; }
  [[noreturn]] void fail(int line, const std::string& msg) {
    throw Error(ErrorCode::parse, file_.path + ":" + std::to_string(line) + ": " + msg);
  }

  template <class Parse>
  void read_group(const YAML::Node& n, CueKind kind, Model& model, Parse parse) {
    if (!n.IsMap()) fail(line(n), "expected a mapping of name → phrases");
    for (auto kv : n) {
      auto name = kv.first.as<std::string>();
      auto target = parse(name);
      if (!target) fail(line(kv.first), "unknown name '" + name + "'");
      read_phrases(kv.second, kind, static_cast<std::size_t>(*target), model);
    }
  }

  void read_topics(const YAML::Node& n, Model& model) {
    if (!n.IsMap()) fail(line(n), "'topics' is a mapping of topic → phrases");
    for (auto kv : n) {
      auto name = kv.first.as<std::string>();
      bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      });
      if (!ok) fail(line(kv.first), "topic '" + name + "' must be a tag name: [a-z0-9_]+");
      model.topics.push_back(name);
      read_phrases(kv.second, CueKind::topic, model.topics.size() - 1, model);
    }
  }

  void read_phrases(const YAML::Node& n, CueKind kind, std::size_t target, Model& model) {
    if (n.IsNull()) return;
    if (!n.IsMap()) fail(line(n), "expected a mapping of phrase: weight");
    for (auto kv : n) {
      auto phrase = kv.first.as<std::string>();
      if (phrase.empty() || !is_valid_utf8(phrase)) fail(line(kv.first), "empty or invalid phrase");
      double w = 0;
      try {
        w = kv.second.as<double>();
      } catch (const YAML::Exception&) {
        fail(line(kv.second), "weight of '" + phrase + "' must be a number");
      }
      if ((kind == CueKind::focus || kind == CueKind::ask) && w <= 0)
        fail(line(kv.second), "the factor of '" + phrase + "' must be positive");
      if (kind == CueKind::negation && (w < 0 || w > 40))
        fail(line(kv.second), "the window of '" + phrase + "' must be 0..40 characters");
      check_phrase(phrase, line(kv.first));
      model.cues.push_back({kind, target, w, phrase, {}});
    }
  }

  // A phrase must compile: every part of "A ~N B" has an alternative; a "re:" cue is a valid regex.
  void check_phrase(const std::string& phrase, int at) {
    if (phrase.rfind("re:", 0) == 0) {
      try {
        PatternSet::Pattern p;
        p.expression = phrase.substr(3);
        p.regex = true;
        PatternSet one({p});
      } catch (const Error& e) {
        fail(at, e.what());
      }
      return;
    }
    std::vector<std::vector<std::string>> parts;
    std::vector<std::uint32_t> gaps;
    split_phrase(phrase, parts, gaps);
    for (const auto& alts : parts)
      if (alts.empty()) fail(at, "cue '" + phrase + "' has an empty part");
  }

  void read_settings(const YAML::Node& n, Settings& s) {
    if (!n.IsMap()) fail(line(n), "'settings' is a mapping");
    for (auto kv : n) {
      auto key = kv.first.as<std::string>();
      double v = 0;
      try {
        v = kv.second.as<double>();
      } catch (const YAML::Exception&) {
        fail(line(kv.second), "setting '" + key + "' must be a number");
      }
      if (key == "cue_scale") s.cue_scale = v;
      else if (key == "nb_scale") s.nb_scale = v;
      else if (key == "temperature") s.temperature = v;
      else if (key == "negated_weight") s.negated_weight = v;
      else if (key == "other_bias") s.other_bias = v;
      else if (key == "angry_threshold") s.angry_threshold = v;
      else if (key == "negative_threshold") s.negative_threshold = v;
      else if (key == "positive_threshold") s.positive_threshold = v;
      else if (key == "shout_weight") s.shout_weight = v;
      else if (key == "complaint_negative") s.complaint_negative = v;
      else if (key == "service_anger") s.service_anger = v;
      else if (key == "cue_extra") s.cue_extra = v;
      else if (key == "nb_common") s.nb_common = v;
      else if (key == "background_weight") s.background_weight = v;
      else if (key == "early_weight") s.early_weight = v;
      else fail(line(kv.first), "unknown setting '" + key + "'");
    }
  }

  const SourceFile& file_;
};

// The compiled form of lexicon files (Analyzer::compile_lexicons), so that the bundled lexicons are
// not parsed as YAML at every start.
constexpr char kLexiconMagic[] = "KEFULEX1\n";
constexpr std::size_t kSettingsCount = sizeof(Settings) / sizeof(double);
static_assert(std::is_trivially_copyable_v<Settings> && sizeof(Settings) == kSettingsCount * sizeof(double),
              "Settings is stored as its doubles");

void write_model(BlobWriter& w, Locale locale, const Model& m) {
  w.u32(static_cast<std::uint32_t>(locale));
  std::array<double, kSettingsCount> settings;
  std::memcpy(settings.data(), &m.settings, sizeof(Settings));
  for (double d : settings) w.f64(d);
  w.strs(m.topics);
  w.u32(static_cast<std::uint32_t>(m.cues.size()));
  for (const Cue& c : m.cues) {
    w.u32(static_cast<std::uint32_t>(c.kind));
    w.u32(static_cast<std::uint32_t>(c.target));
    w.f64(c.weight);
    w.str(c.phrase);
    w.u32(static_cast<std::uint32_t>(c.gaps.size()));
    for (auto g : c.gaps) w.u32(g);
  }
}

std::pair<Locale, Model> read_model(BlobReader& r) {
  std::pair<Locale, Model> out;
  out.first = data_locale(static_cast<Locale>(r.below(static_cast<std::uint32_t>(Locale::en) + 1)));
  Model& m = out.second;
  std::array<double, kSettingsCount> settings;
  for (double& d : settings) d = r.f64();
  std::memcpy(static_cast<void*>(&m.settings), settings.data(), sizeof(Settings));  // trivially copyable (above)
  m.topics = r.strs();
  m.cues.resize(r.count());
  for (Cue& c : m.cues) {
    c.kind = static_cast<CueKind>(r.below(static_cast<std::uint32_t>(CueKind::topic) + 1));
    c.target = r.u32();
    const std::size_t targets = c.kind == CueKind::intent    ? kIntentCount
                                : c.kind == CueKind::emotion ? kEmotionCount
                                : c.kind == CueKind::topic   ? m.topics.size()
                                                             : 1;
    if (c.target >= targets) throw Error(ErrorCode::parse, "compiled lexicon: cue target out of range");
    c.weight = r.f64();
    c.phrase = r.str();
    c.gaps.resize(r.count());
    for (auto& g : c.gaps) g = r.u32();
  }
  return out;
}

// (locale, model) of each lexicon file: YAML parsed on its own thread per file, compiled blobs decoded.
std::vector<std::pair<Locale, Model>> read_lexicons(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<std::future<std::vector<std::pair<Locale, Model>>>> parsed;
  for (const auto& [path, content] : files)
    parsed.push_back(std::async(std::launch::async, [&path = path, &content = content] {
      std::vector<std::pair<Locale, Model>> out;
      if (BlobReader::has_magic(content, kLexiconMagic)) {
        BlobReader r(content, kLexiconMagic, "compiled lexicon " + path);
        for (std::uint32_t n = r.count(); n > 0; --n) out.push_back(read_model(r));
        r.finish();
      } else {
        SourceFile f{path, content};
        Model m;
        Locale l = LexiconReader(f).read(m);
        out.emplace_back(l, std::move(m));
      }
      return out;
    }));
  std::vector<std::pair<Locale, Model>> all;
  for (auto& p : parsed)  // rethrows the first bad file's error, in order
    for (auto& one : p.get()) all.push_back(std::move(one));
  return all;
}

bool ascii_word(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c); });
}

// One Hyperscan database per locale. Literal cues (and each alternative of each part of a
// proximity cue) are literal patterns, cheap to compile; only "re:" cues are regular expressions.
void compile_matcher(Model& m, bool english) {
  std::vector<PatternSet::Pattern> patterns;
  patterns.reserve(m.cues.size() * 2);
  // One pattern per distinct expression ("吗" ends many proximity cues): compile time grows with
  // the number of patterns.
  std::unordered_map<std::string, std::uint32_t> seen;
  auto add = [&](PatternSet::Pattern p, PatternRef ref) {
    std::string key = p.expression;
    key += p.regex ? "\x01r" : p.whole_word ? "\x01w" : p.word_start ? "\x01s" : "\x01l";
    auto [it, fresh] = seen.emplace(std::move(key), static_cast<std::uint32_t>(patterns.size()));
    if (fresh) {
      p.id = it->second;
      patterns.push_back(std::move(p));
      m.refs.emplace_back();
    }
    m.refs[it->second].push_back(ref);
  };
  for (std::size_t i = 0; i < m.cues.size(); ++i) {
    Cue& cue = m.cues[i];
    const std::string& ph = cue.phrase;
    if (ph.rfind("re:", 0) == 0) {
      PatternSet::Pattern p;
      p.expression = ph.substr(3);
      p.regex = true;
      p.caseless = false;
      add(std::move(p), {static_cast<std::uint32_t>(i), 0});
      continue;
    }
    std::vector<std::vector<std::string>> parts;
    split_phrase(ph, parts, cue.gaps);
    for (std::size_t k = 0; k < parts.size(); ++k) {
      if (parts[k].empty()) throw Error(ErrorCode::parse, "empty part in cue '" + ph + "'");
      for (const std::string& alt : parts[k]) {
        PatternSet::Pattern p;
        std::string folded = normalize_text(alt).utf8();  // cues match normalised text: fold them the same way
        bool whole = false;
        if (folded.size() > 2 && folded.compare(folded.size() - 2, 2, "\\b") == 0) {
          folded.resize(folded.size() - 2);
          whole = true;
        }
        p.expression = folded;
        p.caseless = false;  // text and cues are both case-folded already
        // English cues start at a word boundary ("pay" in "payment", not in "repay"); "\b" at the end
        // asks for a whole word. Latin words and numbers inside Chinese text match as whole words.
        if (english) {
          p.word_start = !whole;
          p.whole_word = whole;
        } else {
          p.whole_word = whole || ascii_word(folded);
        }
        add(std::move(p), {static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(k)});
      }
    }
  }
  m.matcher = std::make_unique<PatternSet>(patterns);
}

void train(Model& m, const TemplateLibrary& lib, Locale locale, const ChineseConverters& chinese) {
  // Counts per feature as dense rows: a feature's row index, then its count per intent.
  std::unordered_map<Feature, std::uint32_t> row_of;
  std::vector<std::array<float, kIntentCount>> counts;
  std::vector<Feature> rows;
  std::array<double, kIntentCount> totals{};
  std::vector<Feature> feats;
  for (const Template* t : lib.of_locale(locale)) {
    if (t->outreach) continue;
    for (const auto& ex : t->examples) {
      auto norm = normalize_text(ex, locale == Locale::zh_CN ? &chinese.to_simplified() : nullptr);
      feats.clear();
      text_features(norm.text, feats, nullptr);
      for (Intent intent : t->intents) {
        m.trained[index_of(intent)] = true;
        totals[index_of(intent)] += static_cast<double>(feats.size());
      }
      for (Feature f : feats) {
        auto [it, fresh] = row_of.try_emplace(f, static_cast<std::uint32_t>(rows.size()));
        if (fresh) rows.push_back(f), counts.emplace_back();
        for (Intent intent : t->intents) counts[it->second][index_of(intent)] += 1;
      }
    }
  }
  // Vocabulary, without the features most intents use ("the", "吗"): their small differences in
  // rate between intents are noise, not evidence.
  std::size_t trained = 0;
  for (std::size_t i = 0; i < kIntentCount; ++i) trained += m.trained[i];
  const double alpha = 0.5, v = static_cast<double>(rows.size()) + 1;
  const double common = m.settings.nb_common * static_cast<double>(trained);
  // log((c + alpha) / (total + alpha v)) = log(c + alpha) - log(total + alpha v); the unseen value per intent once.
  std::array<double, kIntentCount> log_denominator{};
  std::array<float, kIntentCount> unseen{};
  for (std::size_t i = 0; i < kIntentCount; ++i) {
    log_denominator[i] = std::log(totals[i] + alpha * v);
    unseen[i] = static_cast<float>(std::log(alpha) - log_denominator[i]);
  }
  m.log_prob.reserve(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::size_t used = 0;
    for (float c : counts[r]) used += c > 0;
    if (static_cast<double>(used) > common) continue;
    std::array<float, kIntentCount> lp = unseen;
    for (std::size_t i = 0; i < kIntentCount; ++i)
      if (counts[r][i] > 0) lp[i] = static_cast<float>(std::log(counts[r][i] + alpha) - log_denominator[i]);
    m.log_prob.emplace(rows[r], lp);
  }
}

template <class Fn>
void for_each_word(std::string_view text, Fn fn) {
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !(text[i] >= 'a' && text[i] <= 'z')) ++i;
    std::size_t b = i;
    while (i < text.size() && ((text[i] >= 'a' && text[i] <= 'z') || text[i] == '\'')) ++i;
    if (i > b) fn(text.substr(b, i - b));
  }
}

void build_speller(Model& m, const TemplateLibrary& lib) {
  for (const Cue& c : m.cues) {
    if (c.phrase.rfind("re:", 0) == 0) continue;
    std::string folded = normalize_text(c.phrase).utf8();
    for_each_word(folded, [&](std::string_view w) {
      if (c.kind == CueKind::intent || c.kind == CueKind::emotion) m.speller.add_target(w);
      else m.speller.add_known(w);
    });
  }
  for (const Template* t : lib.of_locale(Locale::en)) {
    for (const auto& ex : t->examples) for_each_word(normalize_text(ex).utf8(), [&](std::string_view w) { m.speller.add_known(w); });
    for_each_word(normalize_text(t->text).utf8(), [&](std::string_view w) { m.speller.add_known(w); });
  }
}

// Repairs misspelt cue words in folded English text, in place.
void repair_spelling(const Speller& sp, std::u32string& t) {
  std::u32string out;
  std::size_t i = 0, copied = 0;
  while (i < t.size()) {
    if (!(t[i] >= 'a' && t[i] <= 'z')) {
      ++i;
      continue;
    }
    std::size_t b = i;
    while (i < t.size() && t[i] >= 'a' && t[i] <= 'z') ++i;
    if (i - b < Speller::kMinLength) continue;
    std::string w(t.begin() + static_cast<std::ptrdiff_t>(b), t.begin() + static_cast<std::ptrdiff_t>(i));
    std::string fix = sp.repair(w);
    if (fix.empty()) continue;
    out.append(t, copied, b - copied);
    out.append(fix.begin(), fix.end());
    copied = i;
  }
  if (copied == 0) return;
  out.append(t, copied, std::u32string::npos);
  t.swap(out);
}

}  // namespace

struct Analyzer::Impl {
  const ChineseConverters* chinese;
  Model zh, en;
  const Model& model(Locale data) const { return data == Locale::en ? en : zh; }
};

Analyzer::Analyzer(const std::vector<std::pair<std::string, std::string>>& lexicon_files,
                   const TemplateLibrary& library, const ChineseConverters& chinese)
    : impl_(std::make_unique<Impl>()) {
  impl_->chinese = &chinese;
  auto lexicons = read_lexicons(lexicon_files);
  for (auto& [l, scratch] : lexicons) {
    Model& target = l == Locale::en ? impl_->en : impl_->zh;
    const std::size_t topic_base = target.topics.size();
    for (auto& t : scratch.topics) target.topics.push_back(std::move(t));
    for (auto& c : scratch.cues) {
      if (c.kind == CueKind::topic) c.target += topic_base;
      target.cues.push_back(std::move(c));
    }
    target.settings = scratch.settings;
  }
  // The two locales' matchers and models are independent: the English one is built on a second thread.
  auto en = std::async(std::launch::async, [&] {
    compile_matcher(impl_->en, true);
    train(impl_->en, library, Locale::en, chinese);
    build_speller(impl_->en, library);
  });
  compile_matcher(impl_->zh, false);
  train(impl_->zh, library, Locale::zh_CN, chinese);
  en.get();
}

Analyzer::~Analyzer() = default;

std::string Analyzer::compile_lexicons(const std::vector<std::pair<std::string, std::string>>& lexicon_files) {
  auto lexicons = read_lexicons(lexicon_files);
  BlobWriter w(kLexiconMagic);
  w.u32(static_cast<std::uint32_t>(lexicons.size()));
  for (const auto& [locale, model] : lexicons) write_model(w, locale, model);
  return w.take();
}

namespace {

// A stretch of the message between clause breaks (or starting at a focus marker), with the factor
// its intent cues are multiplied by.
struct Segment {
  std::uint32_t start;     // first code point
  bool ask = false;        // a question or a request: the customer's ask
  double ask_weight = 1;   // strongest ask marker in it
  bool has_cue = false;
  double factor = 1;
};

struct Hit {
  std::size_t cue;         // index into Model::cues
  std::uint32_t from, to;  // code points
  bool near = false;       // a loose proximity cue: its span is not one phrase
};

struct PartHit {
  std::uint32_t cue, part, from, to;
};

bool contains_span(const Hit& outer, const Hit& inner) {
  return outer.from <= inner.from && inner.to <= outer.to && (outer.to - outer.from) > (inner.to - inner.from);
}

bool breaks_between(const std::u32string& t, std::uint32_t from, std::uint32_t to) {
  for (std::uint32_t k = from; k < to; ++k)
    if (clause_break(t[k])) return true;
  return false;
}

// Proximity cues: chains of part hits, each part starting at most `gap` characters after the
// previous part ends, in one clause. One hit per cue (its tightest chain).
void assemble_near(const Model& m, const std::u32string& t, std::vector<PartHit>& parts, std::vector<Hit>& hits) {
  std::sort(parts.begin(), parts.end(), [](const PartHit& a, const PartHit& b) {
    return a.cue != b.cue ? a.cue < b.cue : a.part != b.part ? a.part < b.part : a.from < b.from;
  });
  std::vector<std::pair<std::uint32_t, std::uint32_t>> cur, next;  // chains: (start, end)
  for (std::size_t g = 0; g < parts.size();) {
    std::size_t e = g;
    while (e < parts.size() && parts[e].cue == parts[g].cue) ++e;
    const Cue& c = m.cues[parts[g].cue];
    cur.clear();
    std::size_t k = g;
    for (; k < e && parts[k].part == 0; ++k) cur.emplace_back(parts[k].from, parts[k].to);
    for (std::uint32_t part = 1; part <= c.gaps.size() && !cur.empty(); ++part) {
      next.clear();
      for (; k < e && parts[k].part < part; ++k) {
      }
      for (; k < e && parts[k].part == part; ++k) {
        const PartHit& h = parts[k];
        bool found = false;
        std::uint32_t best = 0;
        for (auto [start, end] : cur) {
          if (end > h.from || h.from - end > c.gaps[part - 1] || breaks_between(t, end, h.from)) continue;
          if (!found || start > best) best = start, found = true;
        }
        if (found) next.emplace_back(best, h.to);
      }
      cur.swap(next);
    }
    if (!cur.empty()) {
      auto best = *std::min_element(cur.begin(), cur.end(), [](const auto& a, const auto& b) {
        return a.second - a.first < b.second - b.first;
      });
      // A tight chain (parts at most 2 characters apart, "有 ~0 m码 ~2 吗") reads as one phrase.
      bool loose = std::any_of(c.gaps.begin(), c.gaps.end(), [](std::uint32_t gap) { return gap > 2; });
      hits.push_back({parts[g].cue, best.first, best.second, loose});
    }
    g = e;
  }
}

}  // namespace

Analysis Analyzer::analyze(std::string_view text, Locale locale) const {
  Analysis a;
  a.locale = locale;
  // The text's own script picks the model: Chinese text is read with the Chinese lexicon whatever
  // the reply locale; text with no Han characters with the English one, unless the locale is Chinese
  // and the text has no Latin letters either (numbers, emoji).
  NormalizedText norm = normalize_text(text, &impl_->chinese->to_simplified());
  const std::u32string& t = norm.text;
  bool han = false, latin = false;
  for (char32_t c : t) {
    if (is_han(c)) han = true;
    else if (c >= 'a' && c <= 'z') latin = true;
  }
  Locale data = han ? Locale::zh_CN : (latin ? Locale::en : data_locale(locale));
  const Model& m = impl_->model(data);
  const Settings& s = m.settings;
  if (data == Locale::en && !m.speller.empty()) repair_spelling(m.speller, norm.text);

  // Scan the folded text once; spans are turned into code point indices.
  std::string utf8 = norm.utf8();
  std::vector<std::uint32_t> cp_at(utf8.size() + 1, 0);
  {
    std::uint32_t cp = 0;
    for (std::size_t i = 0; i < utf8.size(); ++i) {
      if ((static_cast<unsigned char>(utf8[i]) & 0xC0) != 0x80) ++cp;
      cp_at[i] = cp - 1;
    }
    cp_at[utf8.size()] = static_cast<std::uint32_t>(t.size());
  }
  std::vector<Hit> hits;
  std::vector<PartHit> parts;
  for (const auto& mt : m.matcher->scan(utf8)) {
    std::uint32_t from = cp_at[mt.from], to = mt.to < utf8.size() ? cp_at[mt.to] : static_cast<std::uint32_t>(t.size());
    for (const PatternRef& ref : m.refs[mt.id]) {
      if (m.cues[ref.cue].gaps.empty()) hits.push_back({ref.cue, from, to});
      else parts.push_back({ref.cue, ref.part, from, to});
    }
  }
  if (!parts.empty()) assemble_near(m, t, parts, hits);

  // Longest match wins: a cue inside a longer cue of the same kind ("cancel" in "cancellation fee",
  // "退款" in "退款进度", "delivery" in "delivery address") is dropped, and so is a negation or focus
  // word that is part of a cue ("不要了", "not happy"). A proximity cue only covers cues of its own
  // intent: its span is not one phrase.
  {
    std::vector<bool> drop(hits.size(), false);
    for (std::size_t i = 0; i < hits.size(); ++i) {
      CueKind ki = m.cues[hits[i].cue].kind;
      for (std::size_t j = 0; j < hits.size() && !drop[i]; ++j) {
        if (i == j || !contains_span(hits[j], hits[i])) continue;
        CueKind kj = m.cues[hits[j].cue].kind;
        if (kj == CueKind::ask || kj == CueKind::focus) {
          // "是不是", "值不值": a question, neither a negation nor a complaint ("不值")
          if (ki == CueKind::negation || (kj == CueKind::ask && ki == CueKind::emotion)) drop[i] = true;
          continue;
        }
        if (kj != CueKind::intent && kj != CueKind::emotion) continue;
        if (hits[j].near) {
          if (ki == kj && m.cues[hits[j].cue].target == m.cues[hits[i].cue].target) drop[i] = true;
          continue;
        }
        if (ki == kj || ki == CueKind::negation || ki == CueKind::focus || ki == CueKind::ask) drop[i] = true;
      }
    }
    std::size_t k = 0;
    for (std::size_t i = 0; i < hits.size(); ++i)
      if (!drop[i]) hits[k++] = hits[i];
    hits.resize(k);
  }

  // Segments: clauses, and a new segment at each focus marker ("不是要退货就问下怎么洗").
  std::vector<Segment> segs;
  segs.push_back({0});
  for (std::uint32_t i = 0; i < t.size(); ++i) {
    char32_t c = t[i];
    bool brk = clause_break(c) ||
               (c == ' ' && data == Locale::zh_CN && i > 0 && i + 1 < t.size() && t[i - 1] >= 0x80 && t[i + 1] >= 0x80);
    if (brk && i + 1 < t.size() && segs.back().start <= i) segs.push_back({i + 1});
  }
  auto seg_of = [&](std::uint32_t cp) {
    std::size_t lo = 0, hi = segs.size();
    while (hi - lo > 1) {
      std::size_t mid = (lo + hi) / 2;
      (segs[mid].start <= cp ? lo : hi) = mid;
    }
    return lo;
  };
  std::vector<std::pair<std::uint32_t, double>> focus;  // (start, weight)
  for (const Hit& h : hits)
    if (m.cues[h.cue].kind == CueKind::focus) focus.emplace_back(h.from, m.cues[h.cue].weight);
  for (auto [at, w] : focus) {
    std::size_t k = seg_of(at);
    if (segs[k].start != at) segs.insert(segs.begin() + static_cast<std::ptrdiff_t>(k) + 1, Segment{at});
  }
  // A segment that ends in a question mark asks; so does one with an ask marker.
  for (std::size_t k = 0; k < segs.size(); ++k) {
    std::size_t end = k + 1 < segs.size() ? segs[k + 1].start : t.size();
    while (end > segs[k].start && t[end - 1] == ' ') --end;
    if (end > segs[k].start && (t[end - 1] == '?' || t[end - 1] == U'？')) segs[k].ask = true;
  }
  for (const Hit& h : hits) {
    const Cue& c = m.cues[h.cue];
    Segment& sg = segs[seg_of(h.from)];
    if (c.kind == CueKind::ask) {
      sg.ask = true;
      sg.ask_weight = std::max(sg.ask_weight, c.weight);
    } else if (c.kind == CueKind::intent) {
      sg.has_cue = true;
    }
  }
  {
    bool any_ask = false;
    std::size_t last_cue = 0;
    for (std::size_t k = 0; k < segs.size(); ++k) {
      any_ask = any_ask || (segs[k].ask && segs[k].has_cue);
      if (segs[k].has_cue) last_cue = k;
    }
    for (std::size_t k = 0; k < segs.size(); ++k) {
      Segment& sg = segs[k];
      if (any_ask) sg.factor = sg.ask ? sg.ask_weight : s.background_weight;
      else if (k < last_cue) sg.factor = s.early_weight;
      for (auto [at, w] : focus) sg.factor *= sg.start >= at ? w : 1.0 / w;
    }
  }

  // Negation: a negation word up to `window` characters before a cue, in the same clause.
  auto negated = [&](std::uint32_t start) {
    for (const Hit& h : hits) {
      const Cue& n = m.cues[h.cue];
      if (n.kind != CueKind::negation || h.to > start || start - h.to > static_cast<std::uint32_t>(n.weight)) continue;
      bool broken = false;
      for (std::uint32_t k = h.to; k < start && !broken; ++k) broken = clause_break(t[k]);
      if (!broken) return true;
    }
    return false;
  };

  // Topics the message touches (unless negated).
  for (const Hit& h : hits) {
    const Cue& c = m.cues[h.cue];
    if (c.kind != CueKind::topic || negated(h.from)) continue;
    const std::string& name = m.topics[c.target];
    if (std::find(a.topics.begin(), a.topics.end(), name) == a.topics.end()) a.topics.push_back(name);
  }

  // Evidence per intent: the strongest cue counts fully, further cues by `cue_extra`; each distinct
  // cue counts once (its strongest occurrence). Emotion cues are summed over the whole message.
  struct Counted {
    std::size_t cue;
    double weight;
    bool negated;
  };
  std::vector<Counted> counted;
  for (const Hit& h : hits) {
    const Cue& c = m.cues[h.cue];
    if (c.kind != CueKind::intent && c.kind != CueKind::emotion) continue;
    bool neg = negated(h.from);
    double w = neg ? c.weight * s.negated_weight : c.weight;
    if (c.kind == CueKind::intent) w *= segs[seg_of(h.from)].factor;
    auto prev = std::find_if(counted.begin(), counted.end(), [&](const Counted& x) { return x.cue == h.cue; });
    if (prev == counted.end()) counted.push_back({h.cue, w, neg});
    else if (w > prev->weight) *prev = {h.cue, w, neg};
  }
  std::array<double, kIntentCount> cue{}, cue_max{}, cue_neg{};
  std::array<double, kEmotionCount> emo{};
  for (const Counted& k : counted) {
    const Cue& c = m.cues[k.cue];
    bool intent = c.kind == CueKind::intent;
    a.cues.push_back((intent ? std::string(to_string(static_cast<Intent>(c.target)))
                             : std::string(to_string(static_cast<Emotion>(c.target)))) +
                     (k.negated ? ":not:" : ":") + c.phrase);
    if (!intent) {
      emo[c.target] += k.weight;
    } else if (k.weight < 0) {
      cue_neg[c.target] += k.weight;
    } else {
      cue[c.target] += k.weight;
      cue_max[c.target] = std::max(cue_max[c.target], k.weight);
    }
  }
  for (std::size_t i = 0; i < kIntentCount; ++i)
    cue[i] = cue_max[i] + s.cue_extra * (cue[i] - cue_max[i]) + cue_neg[i];

  // Naive Bayes over the template examples, each feature weighted like the cues of its clause.
  std::array<double, kIntentCount> nb{};
  double seen = 0;
  {
    std::vector<Feature> feats;
    std::vector<std::uint32_t> at;
    text_features(t, feats, &at);
    for (std::size_t k = 0; k < feats.size(); ++k) {
      auto it = m.log_prob.find(feats[k]);
      if (it == m.log_prob.end()) continue;
      double w = segs[seg_of(at[k] > 0 ? at[k] - 1 : 0)].factor;
      seen += w;
      for (std::size_t i = 0; i < kIntentCount; ++i) nb[i] += w * it->second[i];
    }
  }
  std::array<double, kIntentCount> logit{};
  double nb_max = -1e300;
  for (std::size_t i = 0; i < kIntentCount; ++i)
    if (m.trained[i]) nb_max = std::max(nb_max, nb[i]);
  for (std::size_t i = 0; i < kIntentCount; ++i) {
    double nbv = (seen > 0 && m.trained[i]) ? (nb[i] - nb_max) / std::sqrt(std::max(seen, 1.0)) : -3.0;
    logit[i] = s.cue_scale * cue[i] + s.nb_scale * nbv;
  }
  logit[index_of(Intent::other)] += s.other_bias;
  double mx = *std::max_element(logit.begin(), logit.end()), sum = 0;
  std::array<double, kIntentCount> p{};
  for (std::size_t i = 0; i < kIntentCount; ++i) sum += p[i] = std::exp((logit[i] - mx) / s.temperature);
  a.intents.reserve(kIntentCount);
  for (std::size_t i = 0; i < kIntentCount; ++i) a.intents.push_back({static_cast<Intent>(i), p[i] / sum});
  std::stable_sort(a.intents.begin(), a.intents.end(), [](const Scored& x, const Scored& y) { return x.score > y.score; });
  a.intent = a.intents.front().intent;
  a.confidence = a.intents.front().score;
  a.stage = default_stage(a.intent);

  // Emotion: lexicon sums; runs of !! / ??? add anger. A complaint leans negative, a complaint about
  // the service itself leans angry; anger with other negative evidence is anger.
  double shout = 0;
  std::size_t run = 0;
  for (std::size_t k = 0; k <= t.size(); ++k) {
    char32_t c = k < t.size() ? t[k] : U' ';
    if (c == '!' || c == '?' || c == U'！' || c == U'？') {
      ++run;
      continue;
    }
    if (run >= 2) shout += run >= 3 ? 1.0 : 0.6;
    run = 0;
  }
  double angry = emo[index_of(Emotion::angry)] + s.shout_weight * shout;
  double negative = emo[index_of(Emotion::negative)], positive = emo[index_of(Emotion::positive)];
  if (is_complaint(a.intent)) negative += s.complaint_negative;
  if (a.intent == Intent::service_complaint) angry += s.service_anger;
  if (angry >= s.angry_threshold || (angry >= 0.5 * s.angry_threshold && negative >= s.negative_threshold)) {
    a.emotion = Emotion::angry;
  } else if (negative + angry > positive && negative + angry >= s.negative_threshold) {
    a.emotion = Emotion::negative;
  } else if (positive > negative + angry && positive >= s.positive_threshold) {
    a.emotion = Emotion::positive;
  }
  a.emotion_score = std::min(1.0, std::max({angry, negative, positive}) / 3.0);
  return a;
}

}  // namespace kefu
