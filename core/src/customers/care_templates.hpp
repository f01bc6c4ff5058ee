// Internal: how an Engine uses its customer store — the outreach template of each care reminder,
// and the profile behind a suggestion.
#pragma once
#include "kefu/customer_store.hpp"
#include "kefu/suggest.hpp"
#include "kefu/template_library.hpp"

namespace kefu::customers {

/// Picks, among the outreach templates of the reminder's locale with the reminder's occasion, the
/// one sharing most tags with the reminder's hints (first in pack order on a tie); "" if none.
/// `library` must outlive the picker.
CustomerStore::TemplatePicker make_template_picker(const TemplateLibrary& library);

/// Fills the empty fields of `customer` and the unset variables from the profile of `ref` (see
/// SuggestRequest::customer_ref). An unknown customer leaves both as they are.
void apply_profile(const CustomerStore& store, std::string_view ref, CustomerContext& customer, Variables& vars);

}  // namespace kefu::customers
