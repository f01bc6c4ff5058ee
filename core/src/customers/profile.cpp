// The profile card for the agent's sidebar, read in one snapshot.
#include "sqlite_store.hpp"

#include <algorithm>
#include <iterator>
#include <vector>

namespace kefu::customers {

namespace {

constexpr std::size_t kScores = 5;  // satisfaction trend over the latest five scores

}  // namespace

ProfileCard SqliteCustomerStore::do_profile(CustomerId id, const ReminderOptions& options) const {
  return read([&](sql::Conn& c) {
    ProfileCard card;
    auto cu = load_customer(c, id);
    if (!cu) throw Error(ErrorCode::not_found, "no customer " + std::to_string(id));
    card.customer = std::move(*cu);
    card.types = card.customer.types();
    {
      auto st = c.q("SELECT purchase_count FROM customers WHERE id = ?1");
      st->bind(1, id);
      if (st->step()) card.purchase_count = static_cast<std::size_t>(st->i64(0));
    }
    if (card.purchase_count) {
      auto last = load_purchases(c, id, 1);
      if (!last.empty()) card.last_purchase = std::move(last.front());
    }
    {
      auto st = c.q(
          "SELECT id, customer_id, time, channel, intent, summary, satisfaction, resolved FROM consultations "
          "WHERE customer_id = ?1 AND resolved = 0 ORDER BY time DESC, id DESC LIMIT 5");
      st->bind(1, id);
      while (st->step()) {
        Consultation v;
        v.id = st->i64(0);
        v.customer_id = st->i64(1);
        v.time = st->i64(2);
        v.channel = st->str(3);
        v.intent = parse_intent(st->view(4)).value_or(Intent::other);
        v.summary = st->str(5);
        if (!st->is_null(6)) v.satisfaction = st->i32(6);
        v.resolved = false;
        card.open_problems.push_back(std::move(v));
      }
    }
    {
      // Complaint intents, newest first: the per-customer index, then the intent test.
      auto st = c.q(
          "SELECT id, customer_id, time, channel, intent, summary, satisfaction, resolved FROM consultations "
          "WHERE customer_id = ?1 ORDER BY time DESC, id DESC LIMIT 200");
      st->bind(1, id);
      while (st->step()) {
        auto intent = parse_intent(st->view(4)).value_or(Intent::other);
        if (!is_complaint(intent)) continue;
        Consultation v;
        v.id = st->i64(0);
        v.customer_id = st->i64(1);
        v.time = st->i64(2);
        v.channel = st->str(3);
        v.intent = intent;
        v.summary = st->str(5);
        if (!st->is_null(6)) v.satisfaction = st->i32(6);
        v.resolved = st->i64(7) != 0;
        card.last_complaint = std::move(v);
        break;
      }
    }
    {
      // The latest scores of consultations and of survey answers, each in its index's order (no
      // sort of their union in a temporary b-tree, which cost up to 400 µs now and then),
      // merged newest first: (time, id) descending.
      struct Score {
        std::int64_t time, id;
        int score;
      };
      auto latest = [&](sql::Use st) {
        std::vector<Score> out;
        st->bind(1, id).bind(2, kScores);
        while (st->step()) out.push_back({st->i64(1), st->i64(2), st->i32(0)});
        return out;
      };
      auto a = latest(c.q("SELECT satisfaction, time, id FROM consultations WHERE customer_id = ?1 AND "
                          "satisfaction IS NOT NULL ORDER BY time DESC, id DESC LIMIT ?2"));
      auto b = latest(c.q("SELECT score, time, id FROM survey_answers WHERE customer_id = ?1 AND score IS NOT NULL "
                          "ORDER BY time DESC, id DESC LIMIT ?2"));
      std::vector<Score> all;
      std::merge(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(all), [](const Score& x, const Score& y) {
        return x.time != y.time ? x.time > y.time : x.id > y.id;
      });
      if (all.size() > kScores) all.resize(kScores);
      for (const auto& s : all) card.satisfaction.insert(card.satisfaction.begin(), s.score);
    }
    if (!card.satisfaction.empty()) {
      double sum = 0;
      for (int s : card.satisfaction) sum += s;
      card.satisfaction_average = sum / static_cast<double>(card.satisfaction.size());
    }
    if (card.satisfaction.size() >= 2) {
      // The newer half against the older half.
      std::size_t n = card.satisfaction.size(), half = n / 2;
      double older = 0, newer = 0;
      for (std::size_t i = 0; i < half; ++i) older += card.satisfaction[i];
      for (std::size_t i = n - half; i < n; ++i) newer += card.satisfaction[i];
      double diff = (newer - older) / static_cast<double>(half);
      card.satisfaction_trend = diff >= 0.5 ? "up" : diff <= -0.5 ? "down" : "steady";
    }
    card.pinned_notes = load_notes(c, id, 5, 1);
    card.recent_notes = load_notes(c, id, 5, 0);
    ReminderOptions o = options;
    o.customer = id;
    card.reminders = reminders_in(c, o);
    return card;
  });
}

}  // namespace kefu::customers
