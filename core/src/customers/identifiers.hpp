// Internal: how customer identifiers, names and dates are folded before they are stored or looked
// up. Storage and lookup share these, so any format a user types finds the stored customer.
#pragma once
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "kefu/customer_store.hpp"

namespace kefu {
class ChineseConverter;
}

namespace kefu::customers {

/// The key of an identifier in the store: "taobao:wangfang88", "phone:+8613800138000",
/// "email:wang@example.com". `kind` tells which.
struct IdentifierKey {
  std::string key;
  IdentifierKind kind = IdentifierKind::external_id;
};

/// "source:value" as given (source lower-cased, both trimmed); "phone:..." / "tel:..." and
/// "email:..." / "mail:..." become phone and email keys. nullopt when empty or malformed.
std::optional<IdentifierKey> external_key(std::string_view external_id);
std::optional<IdentifierKey> phone_key(std::string_view phone);
std::optional<IdentifierKey> email_key(std::string_view email);
/// The kind of a stored key ("phone:..." and "email:..." keys are phones and emails).
IdentifierKind key_kind(std::string_view key);
/// The identifier as shown to users: the key without "phone:" / "email:".
std::string display_identifier(const std::string& key, IdentifierKind kind);

/// A name folded for prefix lookups: NFKC, case, width, Traditional → Simplified, white space collapsed.
std::string name_key(std::string_view name, const ChineseConverter* to_simplified);
/// The exclusive upper bound of keys starting with `prefix` (for an index range scan).
std::string prefix_end(std::string_view prefix);

/// month * 100 + day of a normalised birthday ("1990-05-03" → 503); nullopt for "".
std::optional<int> birthday_month_day(std::string_view normalized);

/// "kefu:42" or "42" → 42.
std::optional<CustomerId> kefu_id(std::string_view ref);

/// A stable 63-bit hash of `parts` (FNV-1a): the idempotence key of notes, consultations and
/// answers, so that adding or importing the same record twice stores it once.
std::int64_t content_key(std::initializer_list<std::string_view> parts);

/// Trims ASCII and Unicode white space.
std::string_view trim(std::string_view s);

}  // namespace kefu::customers
