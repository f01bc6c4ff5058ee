#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <unordered_map>

#include "features.hpp"
#include "kefu/analysis.hpp"
#include "kefu/chinese.hpp"
#include "kefu/error.hpp"
#include "kefu/pattern_set.hpp"
#include "kefu/template_library.hpp"
#include "kefu/text.hpp"

namespace kefu {
namespace {

enum class CueKind { intent, emotion, negation };

struct Cue {
  CueKind kind;
  std::size_t target;  // intent or emotion index
  double weight;       // for negation: window in characters
  std::string phrase;
};

// Tunable constants of one locale's model, from the `settings:` block of the lexicon file.
struct Settings {
  double cue_scale = 1.0;       // weight of lexicon evidence
  double nb_scale = 1.0;        // weight of the naive Bayes evidence
  double temperature = 1.0;     // softmax temperature over the combined logits
  double negated_weight = -0.3; // factor applied to a negated cue
  double other_bias = 0.0;      // constant logit for `other`
  double angry_threshold = 1.5;
};

struct Model {
  std::vector<Cue> cues;
  std::unique_ptr<PatternSet> matcher;
  Settings settings;
  // Naive Bayes: per feature, log P(feature | intent); unseen features are skipped.
  std::unordered_map<Feature, std::array<float, kIntentCount>> log_prob;
  std::array<bool, kIntentCount> trained{};
};

bool clause_break(char32_t c) {
  return c == U'，' || c == U'。' || c == U'！' || c == U'？' || c == U'；' || c == ',' || c == '.' || c == '!' ||
         c == '?' || c == ';' || c == '\n' || c == U'～' || c == '~';
}

class LexiconReader {
 public:
  explicit LexiconReader(const SourceFile& f) : file_(f) {}

  // Returns the data locale the file is for and fills `model`.
  Locale read(Model& model) {
    YAML::Node root;
    try {
      root = YAML::Load(file_.content);
    } catch (const YAML::Exception& e) {
      fail(e.mark.line + 1, "YAML syntax: " + e.msg);
    }
    if (!root.IsMap()) fail(1, "an analysis lexicon is a mapping with 'locale', 'intents', 'emotions', 'negations'");
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
      model.cues.push_back({kind, target, w, phrase});
    }
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
      else fail(line(kv.first), "unknown setting '" + key + "'");
    }
  }

  const SourceFile& file_;
};

void compile_matcher(Model& m, bool english) {
  std::vector<PatternSet::Pattern> patterns;
  patterns.reserve(m.cues.size());
  for (std::size_t i = 0; i < m.cues.size(); ++i) {
    PatternSet::Pattern p;
    p.id = static_cast<unsigned>(i);
    const std::string& ph = m.cues[i].phrase;
    if (ph.rfind("re:", 0) == 0) {
      p.expression = ph.substr(3);
      p.regex = true;
    } else if (english) {
      // English cues start at a word boundary ("pay" in "payment", not in "repay"), on folded text.
      std::string esc = "\\b";
      for (unsigned char c : normalize_text(ph).utf8()) {
        if (c < 0x80 && !std::isalnum(c) && c != ' ') esc += '\\';
        esc += static_cast<char>(c);
      }
      p.expression = std::move(esc);
      p.regex = true;
    } else {
      p.expression = normalize_text(ph).utf8();  // cues match normalised text: fold them the same way
    }
    patterns.push_back(std::move(p));
  }
  m.matcher = std::make_unique<PatternSet>(patterns);
}

void train(Model& m, const TemplateLibrary& lib, Locale locale, const ChineseConverters& chinese) {
  std::array<std::unordered_map<Feature, float>, kIntentCount> counts;
  std::array<double, kIntentCount> totals{};
  for (const Template* t : lib.of_locale(locale)) {
    if (t->outreach) continue;
    for (const auto& ex : t->examples) {
      auto norm = normalize_text(ex, locale == Locale::zh_CN ? &chinese.to_simplified() : nullptr);
      auto feats = text_features(norm.text);
      for (Intent intent : t->intents) {
        auto i = index_of(intent);
        m.trained[i] = true;
        for (Feature f : feats) counts[i][f] += 1;
        totals[i] += static_cast<double>(feats.size());
      }
    }
  }
  std::unordered_map<Feature, bool> vocab;
  for (auto& c : counts)
    for (auto& kv : c) vocab[kv.first] = true;
  const double alpha = 0.5, v = static_cast<double>(vocab.size()) + 1;
  for (auto& kv : vocab) {
    std::array<float, kIntentCount> lp{};
    for (std::size_t i = 0; i < kIntentCount; ++i) {
      auto it = counts[i].find(kv.first);
      double c = it == counts[i].end() ? 0 : it->second;
      lp[i] = static_cast<float>(std::log((c + alpha) / (totals[i] + alpha * v)));
    }
    m.log_prob.emplace(kv.first, lp);
  }
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
  for (const auto& [path, content] : lexicon_files) {
    SourceFile f{path, content};
    Model scratch;
    Locale l = LexiconReader(f).read(scratch);
    Model& target = l == Locale::en ? impl_->en : impl_->zh;
    for (auto& c : scratch.cues) target.cues.push_back(std::move(c));
    target.settings = scratch.settings;
  }
  compile_matcher(impl_->zh, false);
  compile_matcher(impl_->en, true);
  train(impl_->zh, library, Locale::zh_CN, chinese);
  train(impl_->en, library, Locale::en, chinese);
}

Analyzer::~Analyzer() = default;

Analysis Analyzer::analyze(std::string_view text, Locale locale) const {
  Analysis a;
  a.locale = locale;
  // The text's own script picks the model: Chinese text is read with the Chinese lexicon whatever
  // the reply locale; text with no Han characters with the English one, unless the locale is Chinese
  // and the text has no Latin letters either (numbers, emoji).
  NormalizedText norm = normalize_text(text, &impl_->chinese->to_simplified());
  bool han = false, latin = false;
  for (char32_t c : norm.text) {
    if (is_han(c)) han = true;
    else if (c >= 'a' && c <= 'z') latin = true;
  }
  Locale data = han ? Locale::zh_CN : (latin ? Locale::en : data_locale(locale));
  const Model& m = impl_->model(data);
  const Settings& s = m.settings;

  std::string utf8 = norm.utf8();
  // byte offset → code point index, for negation windows
  std::vector<std::uint32_t> cp_at(utf8.size() + 1, 0);
  {
    std::uint32_t cp = 0;
    for (std::size_t i = 0; i < utf8.size(); ++i) {
      cp_at[i] = cp;
      if ((static_cast<unsigned char>(utf8[i]) & 0xC0) != 0x80) ++cp, cp_at[i] = cp - 1;
    }
    cp_at[utf8.size()] = static_cast<std::uint32_t>(norm.text.size());
  }
  auto matches = m.matcher->scan(utf8);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> negations;  // (end cp, window)
  for (const auto& mt : matches)
    if (m.cues[mt.id].kind == CueKind::negation)
      negations.emplace_back(cp_at[mt.to], static_cast<std::uint32_t>(m.cues[mt.id].weight));

  auto negated = [&](std::uint32_t start) {
    for (auto [end, window] : negations) {
      if (end > start || start - end > window) continue;
      bool broken = false;
      for (std::uint32_t k = end; k < start; ++k)
        if (clause_break(norm.text[k])) broken = true;
      if (!broken) return true;
    }
    return false;
  };

  std::array<double, kIntentCount> cue{};
  std::array<double, kEmotionCount> emo{};
  for (const auto& mt : matches) {
    const Cue& c = m.cues[mt.id];
    if (c.kind == CueKind::negation) continue;
    bool neg = negated(cp_at[mt.from]);
    double w = neg ? c.weight * s.negated_weight : c.weight;
    if (c.kind == CueKind::intent) cue[c.target] += w;
    else emo[c.target] += w;
    a.cues.push_back((c.kind == CueKind::intent ? std::string(to_string(static_cast<Intent>(c.target)))
                                                : std::string(to_string(static_cast<Emotion>(c.target)))) +
                     (neg ? ":not:" : ":") + c.phrase);
  }

  // Naive Bayes over the template examples.
  std::array<double, kIntentCount> nb{};
  std::size_t seen = 0;
  for (Feature f : text_features(norm.text)) {
    auto it = m.log_prob.find(f);
    if (it == m.log_prob.end()) continue;
    ++seen;
    for (std::size_t i = 0; i < kIntentCount; ++i) nb[i] += it->second[i];
  }
  std::array<double, kIntentCount> logit{};
  double nb_max = -1e300;
  for (std::size_t i = 0; i < kIntentCount; ++i)
    if (m.trained[i]) nb_max = std::max(nb_max, nb[i]);
  for (std::size_t i = 0; i < kIntentCount; ++i) {
    double nbv = (seen && m.trained[i]) ? (nb[i] - nb_max) / std::sqrt(static_cast<double>(seen)) : -3.0;
    logit[i] = s.cue_scale * cue[i] + s.nb_scale * nbv;
  }
  logit[index_of(Intent::other)] += s.other_bias;
  double mx = *std::max_element(logit.begin(), logit.end()), sum = 0;
  std::array<double, kIntentCount> p{};
  for (std::size_t i = 0; i < kIntentCount; ++i) sum += p[i] = std::exp((logit[i] - mx) / s.temperature);
  for (std::size_t i = 0; i < kIntentCount; ++i) a.intents.push_back({static_cast<Intent>(i), p[i] / sum});
  std::stable_sort(a.intents.begin(), a.intents.end(), [](const Scored& x, const Scored& y) { return x.score > y.score; });
  a.intent = a.intents.front().intent;
  a.confidence = a.intents.front().score;
  a.stage = default_stage(a.intent);

  // Emotion: lexicon sums, plus shouting punctuation.
  std::size_t bangs = 0, run = 0;
  for (char32_t c : norm.text) {
    if (c == '!' || c == '?') {
      if (++run == 3) ++bangs;
    } else {
      run = 0;
    }
  }
  double angry = emo[index_of(Emotion::angry)] + 0.8 * static_cast<double>(bangs);
  double negative = emo[index_of(Emotion::negative)], positive = emo[index_of(Emotion::positive)];
  if (angry >= s.angry_threshold) {
    a.emotion = Emotion::angry;
  } else if (negative + angry > positive && negative + angry >= 1.0) {
    a.emotion = Emotion::negative;
  } else if (positive > negative + angry && positive >= 1.0) {
    a.emotion = Emotion::positive;
  } else if (is_complaint(a.intent)) {
    a.emotion = Emotion::negative;
  }
  a.emotion_score = std::min(1.0, std::max({angry, negative, positive}) / 3.0);
  return a;
}

}  // namespace kefu
