// Customer store: forgetting a customer removes every row and search entry, and the text does not
// survive in the database file (nor in its write-ahead log).
#include <gtest/gtest.h>

#include "customers_test_util.hpp"
#include "kefu/error.hpp"

using namespace kefu;
using kefu::test::database_bytes;
using kefu::test::fields;
using kefu::test::TempDir;

namespace {
bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }
}  // namespace

TEST(CustomerForget, EveryRowAndEveryTraceInTheFileGoes) {
  TempDir dir;
  std::string db = dir.file("f.db");
  // Distinctive text, so that finding it in the file's bytes means it was kept.
  const std::string secret_note = "SECRETNOTE-7f3a 客户住在幸福路88号三单元";
  const std::string secret_summary = "SECRETSUMMARY-19c2 投诉快递员态度差";
  const std::string name = "ZHANGSECRETNAME";
  const std::string phone = "+8613912345678";
  const std::string email = "secret.person@example.org";
  auto store = open_customer_store(db);
  CustomerId keep = store->upsert(fields("Keep Me", {"t:keep"}));
  store->add_note(keep, {"an ordinary note about tea"});
  CustomerId id = store->upsert(fields(name, {"taobao:secretnick"}, {phone}, {email}));
  for (int i = 0; i < 50; ++i) store->add_note(id, {secret_note + " #" + std::to_string(i)});
  Consultation v;
  v.summary = secret_summary;
  v.intent = Intent::service_complaint;
  store->add_consultation(id, v);
  Purchase p;
  p.order_id = "ORDER-SECRET-1";
  p.items = {"SECRETITEM"};
  store->add_purchase(id, p);
  SurveyAnswer s;
  s.answer = "SECRETANSWER";
  s.score = 2;
  store->add_survey_answer(id, s);

  // Before: the text is there (so the check below can fail).
  ASSERT_TRUE(contains(database_bytes(db), "SECRETNOTE-7f3a"));
  ASSERT_EQ(store->search("幸福路88号").size(), 20u);

  ForgetReport r = store->forget(id);
  EXPECT_EQ(r.notes, 50u);
  EXPECT_EQ(r.consultations, 1u);
  EXPECT_EQ(r.purchases, 1u);
  EXPECT_EQ(r.survey_answers, 1u);
  EXPECT_EQ(r.identifiers, 3u);
  EXPECT_TRUE(r.purged);

  // Gone from every lookup and from the index.
  EXPECT_FALSE(store->get(id));
  EXPECT_FALSE(store->resolve("taobao:secretnick"));
  EXPECT_FALSE(store->by_phone(phone));
  EXPECT_FALSE(store->by_email(email));
  EXPECT_TRUE(store->by_name_prefix("ZHANG").empty());
  EXPECT_TRUE(store->search("幸福路88号").empty());
  EXPECT_TRUE(store->search("SECRETNOTE").empty());
  EXPECT_TRUE(store->search("投诉快递员").empty());
  EXPECT_EQ(store->note_count(), 1u);
  EXPECT_EQ(store->search("ordinary note").size(), 1u);  // others untouched
  EXPECT_THROW(store->forget(id), Error);

  // Gone from the file: no note text, summary, name, phone, email, order or answer, anywhere.
  std::string bytes = database_bytes(db);
  for (const std::string& s : {std::string("SECRETNOTE-7f3a"), std::string("幸福路88号"), std::string("SECRETSUMMARY"),
                               std::string("投诉快递员态度差"), name, phone, email, std::string("secretnick"),
                               std::string("ORDER-SECRET-1"), std::string("SECRETITEM"), std::string("SECRETANSWER")})
    EXPECT_FALSE(contains(bytes, s)) << "still in the file: " << s;
  EXPECT_TRUE(contains(bytes, "ordinary note about tea"));
  store.reset();
  EXPECT_EQ(test::sql_value(db, "PRAGMA integrity_check"), "ok");
}
