// Care reminders, as the standard asks: greet on birthdays and holidays, notice a regular buyer
// going quiet, follow up a complaint or a low score before the customer leaves, win a lost customer
// back within a month of losing them, and tell customers of new arrivals they would like.
//
// Candidates come from index range scans over per-customer aggregates (birthday_md,
// last_purchase_at, last_complaint_at, last_satisfaction, preferences); each candidate is then
// judged by the same rules the profile card uses for one customer.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "dates.hpp"
#include "holidays.hpp"
#include "identifiers.hpp"
#include "kefu/chinese.hpp"
#include "sqlite_store.hpp"

namespace kefu::customers {

namespace {

constexpr int kRecentDays = 30;        // a complaint or low score this recent puts a customer at risk
constexpr int kHolidayBuyerDays = 365;  // holiday greetings go to customers who bought within a year
constexpr std::size_t kMaxCandidates = 50000;

struct Agg {
  CustomerId id = 0;
  std::string name, title, birthday, tags;
  Locale locale = Locale::zh_CN;
  std::optional<int> birthday_md;
  std::int64_t purchase_count = 0;
  std::optional<Timestamp> first_purchase, last_purchase, last_contact, last_complaint;
  std::optional<std::int64_t> last_satisfaction;
};

std::optional<Agg> load_agg(sql::Conn& c, CustomerId id, Locale fallback) {
  auto st = c.q(
      "SELECT name, title, locale, birthday, birthday_md, tags, purchase_count, first_purchase_at, last_purchase_at, "
      "last_contact_at, last_complaint_at, last_satisfaction FROM customers WHERE id = ?1");
  st->bind(1, id);
  if (!st->step()) return std::nullopt;
  Agg a;
  a.id = id;
  a.name = st->str(0);
  a.title = st->str(1);
  a.locale = fallback;
  if (auto l = st->view(2); !l.empty()) {
    try {
      a.locale = parse_locale(l);
    } catch (const Error&) {
    }
  }
  a.birthday = st->str(3);
  if (!st->is_null(4)) a.birthday_md = st->i32(4);
  a.tags = st->str(5);
  a.purchase_count = st->i64(6);
  a.first_purchase = st->opt_i64(7);
  a.last_purchase = st->opt_i64(8);
  a.last_contact = st->opt_i64(9);
  a.last_complaint = st->opt_i64(10);
  a.last_satisfaction = st->opt_i64(11);
  return a;
}

bool has_tag(const std::string& tags_json, const char* tag) {
  return tags_json.find('"' + std::string(tag) + '"') != std::string::npos;
}

struct Context {
  Day today;
  const ReminderOptions& options;
  std::vector<std::pair<const Holiday*, Day>> holidays;  // within the window
  const ChineseConverters& chinese;
};

CareReminder make(const Agg& a, CareKind kind, const char* occasion, const char* reason, Day due, Day today) {
  CareReminder r;
  r.kind = kind;
  r.customer_id = a.id;
  r.customer_name = a.name;
  r.locale = a.locale;
  r.occasion = occasion;
  r.reason = reason;
  r.due = format_day(due);
  r.days = static_cast<int>(due - today);
  return r;
}

std::set<std::string> customer_preferences(sql::Conn& c, CustomerId id) {
  std::set<std::string> out;
  auto st = c.q("SELECT kind, value FROM preferences WHERE customer_id = ?1");
  st->bind(1, id);
  while (st->step()) out.insert(st->str(0) + "\x1f" + st->str(1));
  return out;
}

// The rules, for one customer.
void evaluate(sql::Conn& c, const Agg& a, const Context& ctx, std::vector<CareReminder>& out) {
  const auto& o = ctx.options;
  const Day today = ctx.today;

  // Birthday within birthday_days (29 February is kept on the 28th in other years).
  if (a.birthday_md) {
    int m = *a.birthday_md / 100, d = *a.birthday_md % 100;
    int year = civil_from_days(today).y;
    for (int y : {year, year + 1}) {
      int dd = (m == 2 && d == 29 && !is_leap(y)) ? 28 : d;
      Day due = days_from_civil(y, m, dd);
      if (due < today) continue;
      if (due - today <= o.birthday_days) {
        CareReminder r = make(a, CareKind::birthday, "birthday", "birthday", due, today);
        if (has_tag(a.tags, "vip") || has_tag(a.tags, "member")) r.hints = {"member"};
        else if (a.purchase_count > 0) r.hints = {"gift"};
        out.push_back(std::move(r));
      }
      break;
    }
  }

  // Holiday greetings, for customers who bought within the year (or are VIPs).
  bool recent_buyer = a.last_purchase && today - local_day(*a.last_purchase) <= kHolidayBuyerDays;
  if (recent_buyer || has_tag(a.tags, "vip")) {
    for (const auto& [h, due] : ctx.holidays) {
      if (!h->for_locale(a.locale)) continue;
      CareReminder r = make(a, CareKind::holiday, "holiday", "holiday", due, today);
      r.detail = ctx.chinese.localize(h->name(a.locale), a.locale);
      r.hints = {h->id};
      r.vars["holiday"] = r.detail;
      out.push_back(std::move(r));
    }
  }

  // Lost customers: win back within win_back_days of churning (no purchase for churn_after_days).
  bool won_back_due = false;
  if (a.purchase_count > 0 && a.last_purchase) {
    Day last = local_day(*a.last_purchase);
    Day churned = last + o.churn_after_days;
    if (today >= churned && today <= churned + o.win_back_days) {
      CareReminder r = make(a, CareKind::win_back, "win_back", "churned", churned, today);
      if (a.last_complaint && *a.last_complaint >= *a.last_purchase) r.hints = {"complaint_flow"};
      out.push_back(std::move(r));
      won_back_due = true;
    }
  }
  if (won_back_due) return;

  // At risk of churning: a recent complaint not followed by a purchase, a low score, or a regular
  // buyer gone quiet. One reminder, the most pressing reason.
  std::optional<CareReminder> risk;
  if (a.last_complaint && today - local_day(*a.last_complaint) <= kRecentDays &&
      !(a.last_purchase && *a.last_purchase > *a.last_complaint)) {
    risk = make(a, CareKind::churn_risk, "follow_up", "recent_complaint", local_day(*a.last_complaint) + 1, today);
    risk->hints = {"complaint_flow"};
  } else if (a.last_satisfaction && *a.last_satisfaction <= 2 && a.last_contact &&
             today - local_day(*a.last_contact) <= kRecentDays) {
    risk = make(a, CareKind::churn_risk, "survey", "low_satisfaction", local_day(*a.last_contact) + 1, today);
    risk->hints = {"service"};
  } else if (a.purchase_count >= 2 && a.first_purchase && a.last_purchase) {
    Day first = local_day(*a.first_purchase), last = local_day(*a.last_purchase);
    Day interval = std::max<Day>(1, (last - first) / (a.purchase_count - 1));
    Day quiet_from = last + std::max<Day>(kRecentDays, interval * o.quiet_factor);
    if (today >= quiet_from && today < last + o.churn_after_days) {
      risk = make(a, CareKind::churn_risk, "win_back", "regular_buyer_quiet", quiet_from, today);
      risk->hints = {"promotion"};
    }
  }
  if (risk) out.push_back(std::move(*risk));

  // New arrivals matching the customer's preferences: brand or category, and not a size they do not wear.
  if (!o.arrivals.empty()) {
    auto prefs = customer_preferences(c, a.id);
    if (!prefs.empty()) {
      auto has = [&](const char* kind, const std::string& v) {
        return !v.empty() && prefs.count(std::string(kind) + "\x1f" + name_key(v, nullptr)) > 0;
      };
      auto any_of_kind = [&](const char* kind) {
        auto it = prefs.lower_bound(std::string(kind) + "\x1f");
        return it != prefs.end() && it->rfind(std::string(kind) + "\x1f", 0) == 0;
      };
      for (const auto& ar : o.arrivals) {
        bool brand = has("brand", ar.brand), category = has("category", ar.category);
        bool colour = false, size = false;
        for (const auto& v : ar.colours) colour = colour || has("colour", v);
        for (const auto& v : ar.sizes) size = size || has("size", v);
        if (!brand && !category && !(colour && size)) continue;
        if (!ar.sizes.empty() && any_of_kind("size") && !size) continue;  // nothing in their size
        CareReminder r = make(a, CareKind::new_arrival, "new_arrival", "preference_match", today, today);
        r.detail = ar.product;
        r.hints = {"personalized", "cross_sell"};
        r.vars["new_arrival"] = ar.product;
        out.push_back(std::move(r));
      }
    }
  }
}

int kind_order(CareKind k) { return static_cast<int>(k); }

}  // namespace

std::vector<CareReminder> SqliteCustomerStore::reminders_in(sql::Conn& c, const ReminderOptions& o) const {
  Day today;
  if (o.today.empty()) {
    today = today_local();
  } else if (auto d = parse_day(o.today)) {
    today = *d;
  } else {
    throw Error(ErrorCode::invalid_argument, "today must be a date YYYY-MM-DD");
  }
  if (o.birthday_days < 0 || o.holiday_days < 0 || o.churn_after_days < 1 || o.win_back_days < 0 || o.quiet_factor < 1)
    throw Error(ErrorCode::invalid_argument, "reminder day counts must not be negative");
  Context ctx{today, o, {}, chinese()};
  int year = civil_from_days(today).y;
  for (const auto& h : bundled_holidays())
    for (int y : {year, year + 1})
      if (auto due = h.in_year(y); due && *due >= today && *due - today <= o.holiday_days) ctx.holidays.emplace_back(&h, *due);

  // Candidates.
  std::vector<CustomerId> ids;
  std::set<CustomerId> seen;
  auto add = [&](CustomerId id) {
    if (ids.size() < kMaxCandidates * 4 && seen.insert(id).second) ids.push_back(id);
  };
  if (o.customer) {
    add(*o.customer);
  } else {
    // Local days map to timestamps within a day either side; evaluate() decides exactly.
    auto ts = [](Day d) { return static_cast<Timestamp>(d) * 86400; };
    {
      std::set<int> mds;
      for (Day d = today; d <= today + o.birthday_days; ++d) {
        Ymd ymd = civil_from_days(d);
        mds.insert(ymd.m * 100 + ymd.d);
        if (ymd.m == 2 && ymd.d == 28 && !is_leap(ymd.y)) mds.insert(229);
      }
      for (int md : mds) {
        auto st = c.q("SELECT id FROM customers WHERE birthday_md = ?1 LIMIT ?2");
        st->bind(1, md).bind(2, kMaxCandidates);
        while (st->step()) add(st->i64(0));
      }
    }
    auto range = [&](Timestamp from, Timestamp to) {
      auto st = c.q(
          "SELECT id FROM customers WHERE purchase_count > 0 AND last_purchase_at >= ?1 AND last_purchase_at < ?2 LIMIT ?3");
      st->bind(1, from).bind(2, to).bind(3, kMaxCandidates);
      while (st->step()) add(st->i64(0));
    };
    // churned within the win-back window, and regular buyers gone quiet (not yet churned)
    range(ts(today - o.churn_after_days - o.win_back_days - 1), ts(today - o.churn_after_days + 2));
    range(ts(today - o.churn_after_days - 1), ts(today - kRecentDays + 2));
    {
      auto st = c.q(
          "SELECT id FROM customers WHERE last_complaint_at IS NOT NULL AND last_complaint_at >= ?1 LIMIT ?2");
      st->bind(1, ts(today - kRecentDays - 1)).bind(2, kMaxCandidates);
      while (st->step()) add(st->i64(0));
    }
    {
      auto st = c.q("SELECT id FROM customers WHERE last_satisfaction <= 2 AND last_contact_at >= ?1 LIMIT ?2");
      st->bind(1, ts(today - kRecentDays - 1)).bind(2, kMaxCandidates);
      while (st->step()) add(st->i64(0));
    }
    if (!ctx.holidays.empty()) {  // the most recent buyers first
      auto st = c.q(
          "SELECT id FROM customers WHERE purchase_count > 0 AND last_purchase_at >= ?1 "
          "ORDER BY last_purchase_at DESC LIMIT ?2");
      st->bind(1, ts(today - kHolidayBuyerDays)).bind(2, std::min(o.limit, kMaxCandidates));
      while (st->step()) add(st->i64(0));
    }
    for (const auto& ar : o.arrivals) {
      auto by = [&](const char* kind, const std::string& value) {
        if (value.empty()) return;
        auto st = c.q("SELECT customer_id FROM preferences WHERE kind = ?1 AND value = ?2 LIMIT ?3");
        st->bind(1, kind).bind(2, name_key(value, nullptr)).bind(3, std::min(o.limit * 4, kMaxCandidates));
        while (st->step()) add(st->i64(0));
      };
      by("brand", ar.brand);
      by("category", ar.category);
      for (const auto& v : ar.colours) by("colour", v);
    }
  }

  std::vector<CareReminder> out;
  for (CustomerId id : ids)
    if (auto a = load_agg(c, id, o.locale)) evaluate(c, *a, ctx, out);
  std::stable_sort(out.begin(), out.end(), [](const CareReminder& x, const CareReminder& y) {
    if (x.days != y.days) return x.days < y.days;
    if (x.kind != y.kind) return kind_order(x.kind) < kind_order(y.kind);
    return x.customer_id < y.customer_id;
  });
  if (o.limit && out.size() > o.limit) out.resize(o.limit);

  // Values for the templates.
  for (auto& r : out) {
    auto st = c.q("SELECT name, title FROM customers WHERE id = ?1");
    st->bind(1, r.customer_id);
    if (st->step()) {
      if (!st->view(0).empty()) r.vars["name"] = st->str(0);
      if (!st->view(1).empty()) r.vars["title"] = st->str(1);
    }
    auto p = c.q("SELECT items, order_id FROM purchases WHERE customer_id = ?1 ORDER BY time DESC, id DESC LIMIT 1");
    p->bind(1, r.customer_id);
    if (p->step()) {
      auto items = p->view(0);
      auto j = nlohmann::json::parse(items.begin(), items.end(), nullptr, false);
      if (j.is_array() && !j.empty() && j[0].is_string()) r.vars["last_product"] = j[0].get<std::string>();
    }
  }
  return out;
}

std::vector<CareReminder> SqliteCustomerStore::do_reminders(const ReminderOptions& options) const {
  return read([&](sql::Conn& c) { return reminders_in(c, options); });
}

}  // namespace kefu::customers
