// kefu/suggest.hpp — ranking reply templates for a message.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kefu/analysis.hpp"
#include "kefu/render.hpp"

namespace kefu {

/// What the helpdesk knows of the customer. Every field is optional.
struct CustomerContext {
  std::string name;
  std::string title;                       ///< 亲 / 先生 / 女士 / Ms. / Mr.
  std::vector<CustomerType> types;         ///< steer the sales scripts
  std::vector<std::string> tags;           ///< e.g. vip
  std::string last_product;                ///< from the customer archive: the last purchase's first item
  bool recent_complaint = false;           ///< from the customer archive: a complaint in the last 30 days
};

struct SuggestRequest {
  Locale locale = Locale::zh_CN;
  Channel channel = Channel::plain;
  std::size_t limit = 3;
  CustomerContext customer;
  Variables vars;                          ///< agent, shop, order_id, product...
  std::optional<Analysis> analysis;        ///< reuse an analysis instead of analysing again
  /// A customer in Engine::customers() (kefu id, external id, phone or email): their profile fills the
  /// empty fields of `customer` (name, title, types from tags, tags, last purchase) and the variables
  /// name, title, last_product and order_id (last order, if under 30 days old) unless given. Unknown: ignored.
  std::string customer_ref;
};

struct Suggestion {
  std::string template_id;
  Intent intent = Intent::other;           ///< the intent the template was chosen for
  std::string text;                        ///< rendered, ready to send
  double score = 0;                        ///< 0..1, higher is better
  std::vector<std::string> missing;        ///< required variables shown as placeholders
  std::string shortcut;
  std::vector<std::string> tags;
};

struct SuggestResult {
  Analysis analysis;
  std::vector<Suggestion> suggestions;     ///< best first
};

class TemplateLibrary;

/// Scores templates against a message: the analysed intents; tf-idf similarity (character uni- and
/// bigrams for Chinese, words and word pairs for English, through inverted indexes) to the
/// template's nearest example message and to the template as a whole; the stage, customer types and
/// moods each template is written for. The training standard's rules are built in: an angry
/// customer gets the complaint flow (templates tagged `complaint_flow`, written for angry customers,
/// or apologising) first, scaled by how well each template's intent fits; a price-sensitive customer
/// gets the value-for-money scripts (tag `value`); templates tagged with a topic of the message
/// (Analysis::topics) are preferred. Thread-safe after construction.
class Ranker {
 public:
  Ranker(const TemplateLibrary& library, const ChineseConverters& chinese);
  ~Ranker();
  Ranker(const Ranker&) = delete;
  Ranker& operator=(const Ranker&) = delete;

  struct Ranked {
    const Template* tmpl;
    Intent intent;
    double score;
  };
  /// Best `limit` reply templates for the message, given its analysis.
  std::vector<Ranked> rank(std::string_view text, const Analysis& analysis, const CustomerContext& customer,
                           std::size_t limit) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kefu
