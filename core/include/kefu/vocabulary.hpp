// kefu/vocabulary.hpp — the fixed sets kefu speaks in: intents, emotions, stages, customer types,
// channels. Names are stable: they appear in pack files, JSON results and the C ABI.
#pragma once
#include <array>
#include <optional>
#include <string_view>

namespace kefu {

enum class Intent {
  greeting, product_info, sizing, stock, price_bargain, promotion, hesitation, recommendation,
  comparison, order_place, payment, order_cancel, shipping, address_change, return_exchange, refund,
  quality_complaint, wrong_item, service_complaint, invoice, feedback, thanks_bye, other
};
inline constexpr std::size_t kIntentCount = 23;

enum class Emotion { angry, negative, neutral, positive };
inline constexpr std::size_t kEmotionCount = 4;

/// Purchase stage, as the training standard splits a sale: before, during and after.
enum class Stage { pre_sale, in_sale, post_sale };
inline constexpr std::size_t kStageCount = 3;

/// Customer types the sales scripts are written for.
enum class CustomerType { price_sensitive, quality_seeking, health_beauty };
inline constexpr std::size_t kCustomerTypeCount = 3;

/// Where rendered text goes; decides how values are escaped.
enum class Channel { plain, markdown, html };

std::string_view to_string(Intent v) noexcept;
std::string_view to_string(Emotion v) noexcept;
std::string_view to_string(Stage v) noexcept;
std::string_view to_string(CustomerType v) noexcept;
std::string_view to_string(Channel v) noexcept;

std::optional<Intent> parse_intent(std::string_view name) noexcept;
std::optional<Emotion> parse_emotion(std::string_view name) noexcept;
std::optional<Stage> parse_stage(std::string_view name) noexcept;
std::optional<CustomerType> parse_customer_type(std::string_view name) noexcept;
std::optional<Channel> parse_channel(std::string_view name) noexcept;

/// The stage an intent usually belongs to (product questions are pre-sale, refunds post-sale...).
Stage default_stage(Intent intent) noexcept;
/// Complaint intents: the standard's complaint flow applies (apologise, thank, solve, follow up).
bool is_complaint(Intent intent) noexcept;

template <class E>
constexpr std::size_t index_of(E e) noexcept { return static_cast<std::size_t>(e); }

}  // namespace kefu
