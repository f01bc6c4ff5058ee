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

// Weights of the ranking signals. Intent and similarity carry most of the score; stage, customer
// type and mood decide between templates that answer the same question.
constexpr double kIntentWeight = 0.48;
constexpr double kSimilarityWeight = 0.32;
constexpr double kStageWeight = 0.03;
constexpr double kTypeWeight = 0.10;
constexpr double kEmotionWeight = 0.04;
// The standard: an angry customer gets the complaint flow (apologise, thank, solve, follow up)
// first. The boost is scaled by how well the template's intent fits the message, so an angry
// message about a parcel gets the apologetic parcel replies, not an unrelated complaint script.
constexpr double kAngryComplaintBoost = 0.25;
// The standard: a price-sensitive customer hears the value-for-money argument (templates tagged
// `value`) when bargaining or weighing the price.
constexpr double kValueBoost = 0.06;
// A template tagged with a topic the message touches ("delay", "lost_parcel": Analysis::topics).
constexpr double kTopicBoost = 0.10;
// Similarity = kNearest * (best single example) + (1 - kNearest) * (template as a whole).
constexpr double kNearest = 0.6;
constexpr std::size_t kSimilarCandidates = 200;

struct Posting {
  std::uint32_t id;  // template (doc) or example id
  float weight;
};

// What the index knows of one feature: its idf over templates and over examples, and where it occurs.
// Its postings are ranges of Index::doc_postings and Index::ex_postings.
struct Entry {
  float idf = 0, ex_idf = 0;
  std::uint32_t docs_begin = 0, docs_end = 0, ex_begin = 0, ex_end = 0;
};

// tf-idf index over one locale's reply templates: each template as a whole (its examples, and its
// text at half weight), and each example message on its own.
struct Index {
  std::vector<const Template*> docs;
  std::vector<float> complaint_fit;        // per doc, see complaint_fit()
  std::vector<std::uint32_t> example_doc;  // example id → doc
  std::unordered_map<Feature, Entry> entries;
  std::vector<Posting> doc_postings, ex_postings;  // grouped by feature, ascending id within a feature
  std::array<std::vector<std::uint32_t>, kIntentCount> by_intent;  // reply templates per intent, as doc ids
  // A query feature found in more templates (examples) than this says little and costs much: skipped.
  std::size_t max_postings = 0, max_ex_postings = 0;
};

// Per-thread scratch for one ranking: dense similarities and candidate marks, reset after use.
struct Scratch {
  std::vector<double> sim;      // per doc: template-level cosine
  std::vector<double> nearest;  // per doc: best example cosine
  std::vector<double> ex_sim;   // per example
  std::vector<std::uint32_t> mark;
  std::uint32_t epoch = 0;
  std::vector<std::uint32_t> touched, touched_ex;
  std::vector<Feature> feats;
};

template <class T>
bool contains(const std::vector<T>& v, T x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// How well a template suits an upset customer: 1 for the complaint flow (or a template written for
// angry customers), 0.85 for a reply that apologises, 0.3 for one merely written for unhappy
// customers (reassurance without an apology), 0 otherwise.
double complaint_fit(const Template& t) {
  if (t.has_tag("complaint_flow") || contains(t.emotions, Emotion::angry)) return 1.0;
  if (t.has_tag("apology")) return 0.85;
  static const char* const kApologies[] = {"抱歉", "对不起", "不好意思", "sorry", "apolog"};
  std::string lower = t.text;
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  for (const char* w : kApologies)
    if (lower.find(w) != std::string::npos) return 0.85;
  return contains(t.emotions, Emotion::negative) ? 0.3 : 0.0;
}

using Counts = std::vector<std::pair<Feature, double>>;

// Sorted (feature, count) pairs of a text, weighted by `w`, added to `out` (kept sorted and unique).
void add_counts(Counts& out, std::vector<Feature>& scratch, std::u32string_view text, double w) {
  scratch.clear();
  text_features(text, scratch, nullptr);
  std::sort(scratch.begin(), scratch.end());
  Counts merged;
  merged.reserve(out.size() + scratch.size());
  std::size_t i = 0;
  for (std::size_t k = 0; k < scratch.size();) {
    std::size_t e = k;
    while (e < scratch.size() && scratch[e] == scratch[k]) ++e;
    while (i < out.size() && out[i].first < scratch[k]) merged.push_back(out[i++]);
    double c = w * static_cast<double>(e - k);
    if (i < out.size() && out[i].first == scratch[k]) merged.emplace_back(scratch[k], out[i++].second + c);
    else merged.emplace_back(scratch[k], c);
    k = e;
  }
  while (i < out.size()) merged.push_back(out[i++]);
  out.swap(merged);
}

// Adds the sorted counts `add` to the sorted counts `out`.
void merge_counts(Counts& out, const Counts& add) {
  Counts merged;
  merged.reserve(out.size() + add.size());
  std::size_t i = 0, j = 0;
  while (i < out.size() || j < add.size()) {
    if (j == add.size() || (i < out.size() && out[i].first < add[j].first)) merged.push_back(out[i++]);
    else if (i == out.size() || add[j].first < out[i].first) merged.push_back(add[j++]);
    else merged.emplace_back(out[i].first, out[i].second + add[j].second), ++i, ++j;
  }
  out.swap(merged);
}

void build(Index& ix, const std::vector<const Template*>& templates, const ChineseConverters& chinese, bool zh) {
  std::vector<Counts> doc_tf, ex_tf;
  std::vector<Feature> scratch;
  const ChineseConverter* t2s = zh ? &chinese.to_simplified() : nullptr;
  for (const Template* t : templates) {
    if (t->outreach) continue;
    auto d = static_cast<std::uint32_t>(ix.docs.size());
    Counts doc;
    for (const auto& ex : t->examples) {
      auto norm = normalize_text(ex, t2s);
      Counts one;
      add_counts(one, scratch, norm.text, 1.0);
      if (one.empty()) continue;
      merge_counts(doc, one);
      ix.example_doc.push_back(d);
      ex_tf.push_back(std::move(one));
    }
    add_counts(doc, scratch, normalize_text(t->text, t2s).text, 0.5);
    ix.docs.push_back(t);
    ix.complaint_fit.push_back(static_cast<float>(complaint_fit(*t)));
    doc_tf.push_back(std::move(doc));
  }
  for (std::uint32_t d = 0; d < ix.docs.size(); ++d)
    for (Intent i : ix.docs[d]->intents) ix.by_intent[index_of(i)].push_back(d);
  ix.max_postings = std::max<std::size_t>(500, ix.docs.size() / 5);
  ix.max_ex_postings = std::max<std::size_t>(800, ix.example_doc.size() / 25);

  // Document frequencies, then idf. Each (text, feature) pair looks its entry up once; the
  // postings below reuse the pointers (unordered_map keeps them stable).
  std::size_t pairs = 0;
  for (const Counts& c : doc_tf) pairs += c.size();
  ix.entries.reserve(pairs / 2);
  auto count = [&](const std::vector<Counts>& tf, bool examples) {
    std::vector<std::vector<Entry*>> at(tf.size());
    for (std::size_t id = 0; id < tf.size(); ++id) {
      at[id].reserve(tf[id].size());
      for (const auto& kv : tf[id]) {
        Entry& e = ix.entries[kv.first];
        (examples ? e.ex_idf : e.idf) += 1;
        at[id].push_back(&e);
      }
    }
    return at;
  };
  const auto doc_at = count(doc_tf, false), ex_at = count(ex_tf, true);
  const double nd = static_cast<double>(ix.docs.size()) + 1, ne = static_cast<double>(ix.example_doc.size()) + 1;
  for (auto& kv : ix.entries) {
    Entry& e = kv.second;
    e.idf = e.idf > 0 ? static_cast<float>(std::log(nd / (e.idf + 0.5))) : 0.f;
    e.ex_idf = e.ex_idf > 0 ? static_cast<float>(std::log(ne / (e.ex_idf + 0.5))) : 0.f;
  }
  // Unit-length tf-idf vectors as postings: weights and counts per feature first, then the postings
  // laid out feature by feature in one array.
  auto post = [&](std::vector<Counts>& tf, const std::vector<std::vector<Entry*>>& at, bool examples) {
    std::vector<double> norms(tf.size(), 0.0);
    for (std::size_t id = 0; id < tf.size(); ++id) {
      double norm = 0;
      for (std::size_t j = 0; j < tf[id].size(); ++j) {
        double& w = tf[id][j].second;
        w = (1 + std::log(w)) * (examples ? at[id][j]->ex_idf : at[id][j]->idf);
        norm += w * w;
      }
      norms[id] = std::sqrt(norm);
      if (norms[id] <= 0) continue;
      for (std::size_t j = 0; j < tf[id].size(); ++j)
        if (tf[id][j].second > 0) ++(examples ? at[id][j]->ex_end : at[id][j]->docs_end);
    }
    std::uint32_t total = 0;
    for (auto& kv : ix.entries) {
      std::uint32_t& begin = examples ? kv.second.ex_begin : kv.second.docs_begin;
      std::uint32_t& end = examples ? kv.second.ex_end : kv.second.docs_end;
      begin = total;
      total += end;
      end = begin;  // advanced as postings are placed
    }
    std::vector<Posting>& postings = examples ? ix.ex_postings : ix.doc_postings;
    postings.resize(total);
    for (std::uint32_t id = 0; id < tf.size(); ++id) {
      if (norms[id] <= 0) continue;
      for (std::size_t j = 0; j < tf[id].size(); ++j) {
        const double w = tf[id][j].second;
        if (w <= 0) continue;
        Entry& e = *at[id][j];
        postings[(examples ? e.ex_end : e.docs_end)++] = {id, static_cast<float>(w / norms[id])};
      }
    }
  };
  post(doc_tf, doc_at, false);
  post(ex_tf, ex_at, true);
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

  thread_local Scratch scratch;
  Scratch& sc = scratch;
  if (sc.sim.size() < ix.docs.size()) {
    sc.sim.resize(ix.docs.size(), 0.0);
    sc.nearest.resize(ix.docs.size(), 0.0);
    sc.mark.resize(ix.docs.size(), 0);
  }
  if (sc.ex_sim.size() < ix.example_doc.size()) sc.ex_sim.resize(ix.example_doc.size(), 0.0);
  if (++sc.epoch == 0) std::fill(sc.mark.begin(), sc.mark.end(), 0), sc.epoch = 1;
  sc.touched.clear();
  sc.touched_ex.clear();

  // Query: distinct features with their counts, looked up once.
  auto norm = normalize_text(text, &impl_->chinese->to_simplified());
  sc.feats.clear();
  text_features(norm.text, sc.feats, nullptr);
  std::sort(sc.feats.begin(), sc.feats.end());
  struct Q {
    const Entry* e;
    double w, wx;
  };
  std::vector<Q> q;
  q.reserve(sc.feats.size());
  double qn = 0, qnx = 0;
  for (std::size_t k = 0; k < sc.feats.size();) {
    std::size_t e = k;
    while (e < sc.feats.size() && sc.feats[e] == sc.feats[k]) ++e;
    auto it = ix.entries.find(sc.feats[k]);
    if (it != ix.entries.end()) {
      double tf = 1 + std::log(static_cast<double>(e - k));
      Q one{&it->second, tf * it->second.idf, tf * it->second.ex_idf};
      qn += one.w * one.w;
      qnx += one.wx * one.wx;
      q.push_back(one);
    }
    k = e;
  }
  qn = std::sqrt(qn);
  qnx = std::sqrt(qnx);
  auto touch = [&](std::uint32_t d) {
    if (sc.sim[d] == 0.0 && sc.nearest[d] == 0.0) sc.touched.push_back(d);
  };
  for (const Q& f : q) {
    if (qn > 0 && f.w > 0 && f.e->docs_end - f.e->docs_begin <= ix.max_postings)
      for (std::uint32_t k = f.e->docs_begin; k < f.e->docs_end; ++k) {
        const Posting& p = ix.doc_postings[k];
        touch(p.id);
        sc.sim[p.id] += f.w / qn * p.weight;
      }
    if (qnx > 0 && f.wx > 0 && f.e->ex_end - f.e->ex_begin <= ix.max_ex_postings)
      for (std::uint32_t k = f.e->ex_begin; k < f.e->ex_end; ++k) {
        const Posting& p = ix.ex_postings[k];
        if (sc.ex_sim[p.id] == 0.0) sc.touched_ex.push_back(p.id);
        sc.ex_sim[p.id] += f.wx / qnx * p.weight;
      }
  }
  for (std::uint32_t x : sc.touched_ex) {
    std::uint32_t d = ix.example_doc[x];
    touch(d);
    sc.nearest[d] = std::max(sc.nearest[d], std::min(1.0, sc.ex_sim[x]));
    sc.ex_sim[x] = 0.0;
  }
  auto similarity = [&](std::uint32_t d) {
    return kNearest * sc.nearest[d] + (1 - kNearest) * std::min(1.0, sc.sim[d]);
  };

  std::array<double, kIntentCount> p_intent{};
  for (const auto& s : analysis.intents) p_intent[index_of(s.intent)] = s.score;
  const bool angry = analysis.emotion == Emotion::angry;
  const bool price_sensitive = contains(customer.types, CustomerType::price_sensitive);

  // Candidates: the templates of the likeliest intents (up to three, each at least 2% likely), the
  // templates the text resembles most, and for an angry customer the complaint templates.
  std::vector<std::uint32_t> candidates;
  auto add = [&](std::uint32_t d) {
    if (sc.mark[d] != sc.epoch) sc.mark[d] = sc.epoch, candidates.push_back(d);
  };
  for (std::size_t k = 0; k < analysis.intents.size() && k < 3; ++k)
    if (k == 0 || analysis.intents[k].score >= 0.02)
      for (std::uint32_t d : ix.by_intent[index_of(analysis.intents[k].intent)]) add(d);
  if (sc.touched.size() > kSimilarCandidates) {
    std::vector<std::pair<double, std::uint32_t>> top;
    top.reserve(sc.touched.size());
    for (std::uint32_t d : sc.touched) top.emplace_back(similarity(d), d);
    std::nth_element(top.begin(), top.begin() + kSimilarCandidates, top.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t i = 0; i < kSimilarCandidates; ++i) add(top[i].second);
  } else {
    for (std::uint32_t d : sc.touched) add(d);
  }
  if (angry)
    for (Intent i : {Intent::service_complaint, Intent::quality_complaint})
      for (std::uint32_t d : ix.by_intent[index_of(i)]) add(d);

  std::vector<Ranked> out;
  out.reserve(candidates.size());
  for (std::uint32_t d : candidates) {
    const Template* t = ix.docs[d];
    Intent best = t->intents.front();
    for (Intent i : t->intents)
      if (p_intent[index_of(i)] > p_intent[index_of(best)]) best = i;
    const double fit = p_intent[index_of(best)];
    double score = kIntentWeight * fit + kSimilarityWeight * similarity(d);
    if (t->stages.empty() || contains(t->stages, analysis.stage)) score += kStageWeight;
    if (!t->customer_types.empty()) {
      bool match = false;
      for (CustomerType ct : customer.types) match = match || contains(t->customer_types, ct);
      score += match ? kTypeWeight : (customer.types.empty() ? -0.02 : -0.05);
    } else if (!customer.types.empty()) {
      score += kTypeWeight * 0.3;
    }
    if (price_sensitive && t->has_tag("value")) score += kValueBoost * (0.5 + 0.5 * fit);
    for (const std::string& topic : analysis.topics)
      if (t->has_tag(topic)) {
        score += kTopicBoost * (0.3 + 0.7 * fit);
        break;
      }
    if (t->emotions.empty() || contains(t->emotions, analysis.emotion)) score += kEmotionWeight;
    else if (angry && contains(t->emotions, Emotion::negative)) score += kEmotionWeight * 0.5;
    else score -= kEmotionWeight;
    if (angry) score += kAngryComplaintBoost * ix.complaint_fit[d] * (0.2 + 0.8 * fit);
    out.push_back({t, best, std::clamp(score, 0.0, 1.0)});
  }
  for (std::uint32_t d : sc.touched) sc.sim[d] = 0.0, sc.nearest[d] = 0.0;
  auto better = [](const Ranked& a, const Ranked& b) {
    return a.score != b.score ? a.score > b.score : a.tmpl->id < b.tmpl->id;
  };
  std::size_t keep = std::min(limit, out.size());
  std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(keep), out.end(), better);
  out.resize(keep);
  return out;
}

}  // namespace kefu
