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

enum class CueKind { intent, emotion, negation, focus, ask };

struct Cue {
  CueKind kind;
  std::size_t target;  // intent or emotion index
  double weight;       // negation: window in characters; focus, ask: factor of the clause
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
  double negative_threshold = 1.0;
  double positive_threshold = 1.0;
  double shout_weight = 0.8;       // angry evidence per run of three !/?
  double cue_extra = 0.5;          // weight of an intent's further cues after its strongest one
  double background_weight = 0.6;  // cues in a clause that is not the ask, when another clause asks
  double early_weight = 0.85;      // cues before the last clause with cues, when no clause asks
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
    if (!root.IsMap()) fail(1, "an analysis lexicon is a mapping with 'locale', 'settings', 'negations', 'focus', 'asks', 'intents', 'emotions'");
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
      if ((kind == CueKind::focus || kind == CueKind::ask) && w <= 0)
        fail(line(kv.second), "the factor of '" + phrase + "' must be positive");
      if (kind == CueKind::negation && (w < 0 || w > 40))
        fail(line(kv.second), "the window of '" + phrase + "' must be 0..40 characters");
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
      else if (key == "negative_threshold") s.negative_threshold = v;
      else if (key == "positive_threshold") s.positive_threshold = v;
      else if (key == "shout_weight") s.shout_weight = v;
      else if (key == "cue_extra") s.cue_extra = v;
      else if (key == "background_weight") s.background_weight = v;
      else if (key == "early_weight") s.early_weight = v;
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
      // A literal with a word-start check: far cheaper for Hyperscan than a \b regex.
      p.expression = normalize_text(ph).utf8();
      p.word_start = true;
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
};

bool contains_span(const Hit& outer, const Hit& inner) {
  return outer.from <= inner.from && inner.to <= outer.to && (outer.to - outer.from) > (inner.to - inner.from);
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
  for (const auto& mt : m.matcher->scan(utf8))
    hits.push_back({mt.id, cp_at[mt.from], mt.to < utf8.size() ? cp_at[mt.to] : static_cast<std::uint32_t>(t.size())});

  // Longest match wins: a cue inside a longer cue of the same kind ("cancel" in "cancellation fee",
  // "退款" in "退款进度", "delivery" in "delivery address") is dropped, and so is a negation or focus
  // word that is part of a cue ("不要了", "not happy").
  {
    std::vector<bool> drop(hits.size(), false);
    for (std::size_t i = 0; i < hits.size(); ++i) {
      CueKind ki = m.cues[hits[i].cue].kind;
      for (std::size_t j = 0; j < hits.size() && !drop[i]; ++j) {
        if (i == j || !contains_span(hits[j], hits[i])) continue;
        CueKind kj = m.cues[hits[j].cue].kind;
        if (kj != CueKind::intent && kj != CueKind::emotion) continue;
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
    if (!brk) continue;
    if (c == '?' || c == U'？') segs.back().ask = true;
    if (i + 1 < t.size() && segs.back().start <= i) segs.push_back({i + 1});
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
  if (!focus.empty()) {
    for (auto [at, w] : focus) {
      std::size_t k = seg_of(at);
      if (segs[k].start != at) segs.insert(segs.begin() + static_cast<std::ptrdiff_t>(k) + 1, Segment{at});
    }
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

  // Naive Bayes over the template examples.
  std::array<double, kIntentCount> nb{};
  std::size_t seen = 0;
  for (Feature f : text_features(t)) {
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
  a.intents.reserve(kIntentCount);
  for (std::size_t i = 0; i < kIntentCount; ++i) a.intents.push_back({static_cast<Intent>(i), p[i] / sum});
  std::stable_sort(a.intents.begin(), a.intents.end(), [](const Scored& x, const Scored& y) { return x.score > y.score; });
  a.intent = a.intents.front().intent;
  a.confidence = a.intents.front().score;
  a.stage = default_stage(a.intent);

  // Emotion: lexicon sums, plus shouting punctuation (!!!, ???).
  std::size_t bangs = 0, run = 0;
  for (char32_t c : t) {
    if (c == '!' || c == '?' || c == U'！' || c == U'？') {
      if (++run == 3) ++bangs;
    } else {
      run = 0;
    }
  }
  double angry = emo[index_of(Emotion::angry)] + s.shout_weight * static_cast<double>(bangs);
  double negative = emo[index_of(Emotion::negative)], positive = emo[index_of(Emotion::positive)];
  if (angry >= s.angry_threshold) {
    a.emotion = Emotion::angry;
  } else if (negative + angry > positive && negative + angry >= s.negative_threshold) {
    a.emotion = Emotion::negative;
  } else if (positive > negative + angry && positive >= s.positive_threshold) {
    a.emotion = Emotion::positive;
  } else if (is_complaint(a.intent)) {
    a.emotion = Emotion::negative;
  }
  a.emotion_score = std::min(1.0, std::max({angry, negative, positive}) / 3.0);
  return a;
}

}  // namespace kefu
