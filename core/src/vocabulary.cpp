#include "kefu/vocabulary.hpp"

namespace kefu {
namespace {

constexpr std::array<std::string_view, kIntentCount> kIntents = {
    "greeting", "product_info", "sizing", "stock", "price_bargain", "promotion", "hesitation",
    "recommendation", "comparison", "order_place", "payment", "order_cancel", "shipping",
    "address_change", "return_exchange", "refund", "quality_complaint", "wrong_item",
    "service_complaint", "invoice", "feedback", "thanks_bye", "other"};
constexpr std::array<std::string_view, kEmotionCount> kEmotions = {"angry", "negative", "neutral", "positive"};
constexpr std::array<std::string_view, kStageCount> kStages = {"pre_sale", "in_sale", "post_sale"};
constexpr std::array<std::string_view, kCustomerTypeCount> kTypes = {"price_sensitive", "quality_seeking",
                                                                     "health_beauty"};
constexpr std::array<std::string_view, 3> kChannels = {"plain", "markdown", "html"};

template <class E, std::size_t N>
std::optional<E> lookup(const std::array<std::string_view, N>& names, std::string_view name) noexcept {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == name) return static_cast<E>(i);
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Intent v) noexcept { return kIntents[index_of(v)]; }
std::string_view to_string(Emotion v) noexcept { return kEmotions[index_of(v)]; }
std::string_view to_string(Stage v) noexcept { return kStages[index_of(v)]; }
std::string_view to_string(CustomerType v) noexcept { return kTypes[index_of(v)]; }
std::string_view to_string(Channel v) noexcept { return kChannels[index_of(v)]; }

std::optional<Intent> parse_intent(std::string_view n) noexcept { return lookup<Intent>(kIntents, n); }
std::optional<Emotion> parse_emotion(std::string_view n) noexcept { return lookup<Emotion>(kEmotions, n); }
std::optional<Stage> parse_stage(std::string_view n) noexcept { return lookup<Stage>(kStages, n); }
std::optional<CustomerType> parse_customer_type(std::string_view n) noexcept { return lookup<CustomerType>(kTypes, n); }
std::optional<Channel> parse_channel(std::string_view n) noexcept { return lookup<Channel>(kChannels, n); }

Stage default_stage(Intent intent) noexcept {
  switch (intent) {
    case Intent::order_place:
    case Intent::payment:
    case Intent::order_cancel:
    case Intent::address_change:
      return Stage::in_sale;
    case Intent::shipping:
    case Intent::return_exchange:
    case Intent::refund:
    case Intent::quality_complaint:
    case Intent::wrong_item:
    case Intent::service_complaint:
    case Intent::invoice:
    case Intent::feedback:
      return Stage::post_sale;
    default:
      return Stage::pre_sale;
  }
}

bool is_complaint(Intent intent) noexcept {
  return intent == Intent::quality_complaint || intent == Intent::service_complaint || intent == Intent::wrong_item;
}

}  // namespace kefu
