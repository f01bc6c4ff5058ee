// kefu/customer_json.hpp — the JSON forms of customers, notes, search results, profile cards,
// reminders and import reports, shared by the C ABI, the CLI, the Python module and events.
// Times are ISO 8601 UTC ("2025-03-01T10:00:00Z"). Shapes are documented in README.md.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "kefu/customer_store.hpp"

namespace kefu {

/// {"id", "name", "title", "external_ids", "phone", "email", "phones", "emails", "birthday", "tags",
///  "types", "preferences", "locale", "created_at", "updated_at"}
std::string customer_to_json(const Customer& customer);
/// {"customers": [customer...]}
std::string customers_to_json(const std::vector<Customer>& customers);
/// {"id", "customer_id", "author", "created_at", "text", "pinned"}
std::string note_to_json(const Note& note);
/// {"notes": [{"kind": "note"|"consultation", "id", "customer_id", "text", "author", "time", "pinned", "score"}]}
std::string search_to_json(const std::vector<SearchHit>& hits);
/// {"customer": {...}, "types", "purchase_count", "last_purchase", "open_problems", "last_complaint",
///  "satisfaction": {"scores", "average", "trend"}, "pinned_notes", "recent_notes", "reminders"}
std::string profile_to_json(const ProfileCard& card);
/// {"customer_id", "customer_name", "kind", "occasion", "due", "days", "reason", "detail", "hints",
///  "template_id", "locale", "vars"}
std::string reminder_to_json(const CareReminder& reminder);
/// {"reminders": [reminder...]}
std::string reminders_to_json(const std::vector<CareReminder>& reminders);
/// {"rows", "customers_created", "customers_updated", "unchanged", "notes_added", "purchases_added",
///  "consultations_added", "surveys_added", "failed", "problems": [{"line", "message"}]}
std::string import_report_to_json(const ImportReport& report);
/// {"forgotten": true, "notes", "purchases", "consultations", "survey_answers", "identifiers", "purged"}
std::string forget_report_to_json(const ForgetReport& report);
std::string purchase_to_json(const Purchase& purchase);
std::string consultation_to_json(const Consultation& consultation);

/// Reads {"name", "title", "external_id"|"external_ids", "phone"|"phones", "email"|"emails",
/// "birthday", "tags" (list or "a;b"), "preferences": {"sizes", "colours", "brands", "categories"},
/// "locale"}. Throws Error(parse) with the reason.
CustomerFields customer_fields_from_json(std::string_view json);
/// Reads [{"product", "brand", "category", "colours", "sizes"}, ...] (or one object). Throws Error(parse).
std::vector<Arrival> arrivals_from_json(std::string_view json);
/// Reads {"today", "birthday_days", "holiday_days", "churn_after_days", "win_back_days", "locale",
/// "limit", "arrivals": [...]} into `options`. Throws Error(parse).
void apply_reminder_options_json(std::string_view json, ReminderOptions& options);

}  // namespace kefu
