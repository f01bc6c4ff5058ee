#include "care_templates.hpp"

#include <algorithm>
#include <ctime>

namespace kefu::customers {

CustomerStore::TemplatePicker make_template_picker(const TemplateLibrary& library) {
  return [&library](const CareReminder& r, Locale locale) -> std::string {
    const Template* best = nullptr;
    int best_score = -1;
    for (const Template* t : library.of_locale(data_locale(locale))) {
      if (!t->outreach || t->occasion != r.occasion) continue;
      int score = 0;
      for (const auto& h : r.hints) score += t->has_tag(h) ? 1 : 0;
      if (score > best_score) {
        best = t;
        best_score = score;
      }
    }
    return best ? best->id : std::string();
  };
}

void apply_profile(const CustomerStore& store, std::string_view ref, CustomerContext& customer, Variables& vars) {
  auto id = store.resolve(ref);
  if (!id) return;
  auto cu = store.get(*id);
  if (!cu) return;
  if (customer.name.empty()) customer.name = cu->name;
  if (customer.title.empty()) customer.title = cu->title;
  for (CustomerType t : cu->types())
    if (std::find(customer.types.begin(), customer.types.end(), t) == customer.types.end()) customer.types.push_back(t);
  for (const auto& t : cu->tags)
    if (std::find(customer.tags.begin(), customer.tags.end(), t) == customer.tags.end()) customer.tags.push_back(t);
  const Timestamp now = static_cast<Timestamp>(std::time(nullptr));
  constexpr Timestamp month = 30 * 86400;
  auto last = store.purchases(*id, 1);
  if (!last.empty()) {
    const Purchase& p = last.front();
    if (!p.items.empty()) {
      if (customer.last_product.empty()) customer.last_product = p.items.front();
      vars.emplace("last_product", p.items.front());
    }
    if (now - p.time <= month) vars.emplace("order_id", p.order_id);
  }
  for (const auto& v : store.consultations(*id, 20))
    if (is_complaint(v.intent) && now - v.time <= month) {
      customer.recent_complaint = true;
      break;
    }
}

}  // namespace kefu::customers
