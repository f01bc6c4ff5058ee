#include <algorithm>
#include <array>
#include <cmath>
#include <unordered_map>

#include "features.hpp"
#include "kefu/chinese.hpp"
#include "kefu/suggest.hpp"
#include "kefu/template_library.hpp"
#include "kefu/text.hpp"

namespace kefu {
namespace {

// Weights of the ranking signals (sum of the positive ones is 1).
constexpr double kIntentWeight = 0.55;
constexpr double kSimilarityWeight = 0.27;
constexpr double kStageWeight = 0.04;
constexpr double kTypeWeight = 0.10;
constexpr double kEmotionWeight = 0.04;
constexpr double kAngryComplaintBoost = 0.25;  // the standard: an angry customer gets the complaint flow first

struct Posting {
  std::uint32_t doc;
  float weight;
};

// tf-idf index over one locale's reply templates (their examples, and their text at half weight).
struct Index {
  std::vector<const Template*> docs;
  std::unordered_map<Feature, std::vector<Posting>> postings;
  std::unordered_map<Feature, float> idf;
  std::array<std::vector<std::uint32_t>, kIntentCount> by_intent;  // reply templates per intent, as doc ids
  // A query feature found in more documents than this says little and costs much: it is skipped.
  std::size_t max_postings = 0;
};

// Per-thread scratch for one ranking: dense similarity and candidate marks, reset after use.
struct Scratch {
  std::vector<double> sim;
  std::vector<std::uint32_t> mark;
  std::uint32_t epoch = 0;
  std::vector<std::uint32_t> touched;
};

void build(Index& ix, const std::vector<const Template*>& templates, const ChineseConverters& chinese, bool zh) {
  std::vector<std::unordered_map<Feature, double>> tf;
  std::unordered_map<Feature, std::uint32_t> df;
  for (const Template* t : templates) {
    if (t->outreach) continue;
    std::unordered_map<Feature, double> counts;
    auto add = [&](const std::string& s, double w) {
      auto norm = normalize_text(s, zh ? &chinese.to_simplified() : nullptr);
      for (Feature f : text_features(norm.text)) counts[f] += w;
    };
    for (const auto& ex : t->examples) add(ex, 1.0);
    add(t->text, 0.5);
    for (auto& kv : counts) ++df[kv.first];
    ix.docs.push_back(t);
    tf.push_back(std::move(counts));
  }
  for (std::uint32_t d = 0; d < ix.docs.size(); ++d)
    for (Intent i : ix.docs[d]->intents) ix.by_intent[index_of(i)].push_back(d);
  ix.max_postings = std::max<std::size_t>(500, ix.docs.size() / 5);
  const double n = static_cast<double>(ix.docs.size()) + 1;
  for (auto& kv : df) ix.idf[kv.first] = static_cast<float>(std::log(n / (kv.second + 0.5)));
  for (std::uint32_t d = 0; d < tf.size(); ++d) {
    double norm = 0;
    for (auto& kv : tf[d]) {
      kv.second = (1 + std::log(kv.second)) * ix.idf[kv.first];
      norm += kv.second * kv.second;
    }
    norm = std::sqrt(norm);
    if (norm <= 0) continue;
    for (auto& kv : tf[d]) ix.postings[kv.first].push_back({d, static_cast<float>(kv.second / norm)});
  }
}

template <class T>
bool contains(const std::vector<T>& v, T x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

struct Ranker::Impl {
  const TemplateLibrary* library;
  const ChineseConverters* chinese;
  Index zh, en;
};

Ranker::Ranker(const TemplateLibrary& library, const ChineseConverters& chinese) : impl_(std::make_unique<Impl>()) {
  impl_->library = &library;
  impl_->chinese = &chinese;
  build(impl_->zh, library.of_locale(Locale::zh_CN), chinese, true);
  build(impl_->en, library.of_locale(Locale::en), chinese, false);
}

Ranker::~Ranker() = default;

std::vector<Ranker::Ranked> Ranker::rank(std::string_view text, const Analysis& analysis,
                                         const CustomerContext& customer, std::size_t limit) const {
  const Locale data = data_locale(analysis.locale);
  const Index& ix = data == Locale::en ? impl_->en : impl_->zh;

  // Query vector.
  auto norm = normalize_text(text, &impl_->chinese->to_simplified());
  std::unordered_map<Feature, double> q;
  for (Feature f : text_features(norm.text)) q[f] += 1;
  double qn = 0;
  for (auto& kv : q) {
    auto it = ix.idf.find(kv.first);
    kv.second = it == ix.idf.end() ? 0 : (1 + std::log(kv.second)) * it->second;
    qn += kv.second * kv.second;
  }
  qn = std::sqrt(qn);
  thread_local Scratch scratch;
  Scratch& sc = scratch;
  if (sc.sim.size() < ix.docs.size()) sc.sim.resize(ix.docs.size(), 0.0), sc.mark.resize(ix.docs.size(), 0);
  if (++sc.epoch == 0) std::fill(sc.mark.begin(), sc.mark.end(), 0), sc.epoch = 1;
  sc.touched.clear();
  if (qn > 0)
    for (auto& kv : q) {
      if (kv.second <= 0) continue;
      auto it = ix.postings.find(kv.first);
      if (it == ix.postings.end() || it->second.size() > ix.max_postings) continue;
      const double w = kv.second / qn;
      for (const Posting& p : it->second) {
        if (sc.sim[p.doc] == 0.0) sc.touched.push_back(p.doc);
        sc.sim[p.doc] += w * p.weight;
      }
    }

  std::array<double, kIntentCount> p_intent{};
  for (const auto& s : analysis.intents) p_intent[index_of(s.intent)] = s.score;

  // Candidates: the templates of the three likeliest intents, and the templates the text resembles most.
  constexpr std::size_t kSimilarCandidates = 200;
  std::vector<std::uint32_t> candidates;
  auto add = [&](std::uint32_t d) {
    if (sc.mark[d] != sc.epoch) sc.mark[d] = sc.epoch, candidates.push_back(d);
  };
  for (std::size_t k = 0; k < analysis.intents.size() && k < 3; ++k)
    for (std::uint32_t d : ix.by_intent[index_of(analysis.intents[k].intent)]) add(d);
  if (sc.touched.size() > kSimilarCandidates)
    std::nth_element(sc.touched.begin(), sc.touched.begin() + kSimilarCandidates, sc.touched.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return sc.sim[a] > sc.sim[b]; });
  for (std::size_t i = 0; i < sc.touched.size() && i < kSimilarCandidates; ++i) add(sc.touched[i]);
  if (analysis.emotion == Emotion::angry)
    for (Intent i : {Intent::service_complaint, Intent::quality_complaint})
      for (std::uint32_t d : ix.by_intent[index_of(i)]) add(d);

  std::vector<Ranked> out;
  out.reserve(candidates.size());
  for (std::uint32_t d : candidates) {
    const Template* t = ix.docs[d];
    Intent best = t->intents.front();
    for (Intent i : t->intents)
      if (p_intent[index_of(i)] > p_intent[index_of(best)]) best = i;
    double score = kIntentWeight * p_intent[index_of(best)];
    score += kSimilarityWeight * std::min(1.0, sc.sim[d]);
    if (t->stages.empty() || contains(t->stages, analysis.stage)) score += kStageWeight;
    if (!t->customer_types.empty()) {
      bool match = false;
      for (CustomerType ct : customer.types) match = match || contains(t->customer_types, ct);
      score += match ? kTypeWeight : (customer.types.empty() ? -0.02 : -0.05);
    } else if (!customer.types.empty()) {
      score += kTypeWeight * 0.3;
    }
    if (t->emotions.empty() || contains(t->emotions, analysis.emotion)) score += kEmotionWeight;
    else score -= kEmotionWeight;
    if (analysis.emotion == Emotion::angry && (t->has_tag("complaint_flow") || contains(t->emotions, Emotion::angry)))
      score += kAngryComplaintBoost;
    out.push_back({t, best, std::clamp(score, 0.0, 1.0)});
  }
  for (std::uint32_t d : sc.touched) sc.sim[d] = 0.0;
  auto better = [](const Ranked& a, const Ranked& b) {
    return a.score != b.score ? a.score > b.score : a.tmpl->id < b.tmpl->id;
  };
  std::size_t keep = std::min(limit, out.size());
  std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(keep), out.end(), better);
  out.resize(keep);
  return out;
}

}  // namespace kefu
