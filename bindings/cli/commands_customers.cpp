// kefu customers import|find|show|add|forget|export, kefu notes add|search|list, kefu reminders
// (all take the global --db PATH).
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "cli.hpp"
#include "kefu/customer_json.hpp"
#include "kefu/customer_store.hpp"
#include "kefu/error.hpp"

namespace kefu::cli {
namespace {

using nlohmann::json;

std::string when(Timestamp t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

void print_customer(const Customer& c) {
  std::cout << c.id << "\t" << (c.name.empty() ? "(no name)" : c.name);
  if (!c.title.empty()) std::cout << " (" << c.title << ")";
  std::vector<std::string> ids = c.external_ids;
  ids.insert(ids.end(), c.phones.begin(), c.phones.end());
  ids.insert(ids.end(), c.emails.begin(), c.emails.end());
  if (!ids.empty()) std::cout << "\t" << join(ids);
  if (!c.tags.empty()) std::cout << "\t[" << join(c.tags) << "]";
  std::cout << "\n";
}

// A progress bar on stderr, only when stderr is a terminal.
class Progress {
 public:
  Progress() : tty_(isatty(fileno(stderr)) != 0) {}
  ~Progress() {
    if (drawn_) std::fputs("\n", stderr);
  }
  void operator()(const ImportProgress& p) {
    if (!tty_) return;
    drawn_ = true;
    if (p.bytes_total) {
      double f = static_cast<double>(p.bytes_read) / static_cast<double>(p.bytes_total);
      if (f > 1) f = 1;
      int filled = static_cast<int>(f * 30);
      std::fprintf(stderr, "\r[%s%s] %3d%%  %zu rows", std::string(static_cast<std::size_t>(filled), '#').c_str(),
                   std::string(static_cast<std::size_t>(30 - filled), '.').c_str(), static_cast<int>(f * 100), p.rows);
    } else {
      std::fprintf(stderr, "\r%zu rows", p.rows);
    }
    std::fflush(stderr);
  }

 private:
  bool tty_;
  bool drawn_ = false;
};

CustomerId customer_arg(CustomerStore& store, const std::string& ref) {
  auto id = store.resolve(ref);
  if (!id) throw Error(ErrorCode::not_found, "no customer '" + ref + "' (give a kefu id, an external id, a phone or an email)");
  return *id;
}

void print_reminder(const CareReminder& r) {
  std::cout << r.due << "  " << (r.days == 0 ? "today" : r.days > 0 ? "in " + std::to_string(r.days) + " d"
                                                                     : std::to_string(-r.days) + " d ago")
            << "\t" << to_string(r.kind) << "\t" << r.customer_id << " " << r.customer_name << "\t" << r.reason;
  if (!r.detail.empty()) std::cout << " (" << r.detail << ")";
  std::cout << "\t→ " << r.template_id << "\n";
}

void add_customers(CLI::App& app, Globals& g) {
  auto* customers = app.add_subcommand("customers", "the customer archive: import, find, show, add, forget, export");
  customers->require_subcommand(1);

  struct ImportArgs {
    std::string file, format;
    bool json_out = false, strict = false;
  };
  auto ia = std::make_shared<ImportArgs>();
  auto* imp = customers->add_subcommand(
      "import", "import customers (CSV: external_id,name,phone,email,birthday,tags with tags a;b), orders, notes, "
                "consultations (CSV or JSON Lines); importing again adds nothing; bad rows are reported by line");
  imp->add_option("file", ia->file, "CSV or JSON Lines file ('-' for stdin)")->required();
  imp->add_option("--format", ia->format, "csv or jsonl (default: by extension, else by content)");
  imp->add_flag("--json", ia->json_out, "print the report as JSON");
  imp->add_flag("--strict", ia->strict, "exit with status 1 when any row was left out");
  imp->callback([&g, ia] {
    ImportOptions o;
    if (ia->format == "csv") o.format = ImportOptions::Format::csv;
    else if (ia->format == "jsonl" || ia->format == "json") o.format = ImportOptions::Format::jsonl;
    else if (!ia->format.empty()) throw Error(ErrorCode::invalid_argument, "--format is csv or jsonl");
    Progress progress;
    o.progress = [&progress](const ImportProgress& p) { progress(p); };
    auto& store = g.engine().customers();
    ImportReport r = ia->file == "-" ? store.import_stream(std::cin, "<stdin>", o) : store.import_file(ia->file, o);
    if (ia->json_out) {
      std::cout << import_report_to_json(r) << "\n";
    } else {
      std::cout << "imported " << r.rows << " rows: " << r.customers_created << " customers created, "
                << r.customers_updated << " updated, " << r.unchanged << " unchanged";
      if (r.notes_added) std::cout << ", " << r.notes_added << " notes";
      if (r.purchases_added) std::cout << ", " << r.purchases_added << " orders";
      if (r.consultations_added) std::cout << ", " << r.consultations_added << " consultations";
      if (r.surveys_added) std::cout << ", " << r.surveys_added << " survey answers";
      std::cout << (r.failed ? ", " + std::to_string(r.failed) + " rows left out" : std::string()) << "\n";
    }
    for (const auto& p : r.problems) std::cerr << ia->file << ":" << p.line << ": " << p.message << "\n";
    if (ia->strict && r.failed) throw CLI::RuntimeError(1);
  });

  struct FindArgs {
    std::string query;
    std::size_t limit = 20;
    bool json_out = false;
  };
  auto fa = std::make_shared<FindArgs>();
  auto* find = customers->add_subcommand(
      "find", "find customers by external id (taobao:nick), phone in any format, email, kefu id or name prefix");
  find->add_option("query", fa->query, "what to look for")->required();
  find->add_option("-n,--limit", fa->limit, "most customers listed")->capture_default_str();
  find->add_flag("--json", fa->json_out, "print {\"customers\": [...]}");
  find->callback([&g, fa] {
    auto found = g.engine().customers().find(fa->query, fa->limit);
    if (fa->json_out) {
      std::cout << customers_to_json(found) << "\n";
      return;
    }
    if (found.empty()) std::cout << "no customer found\n";
    for (const auto& c : found) print_customer(c);
  });

  struct ShowArgs {
    std::string customer, today;
    bool json_out = false;
  };
  auto sa = std::make_shared<ShowArgs>();
  auto* show = customers->add_subcommand("show", "the profile card: who, type and tags, last purchase, open problems, "
                                                 "last complaint, satisfaction trend, notes, care reminders");
  show->add_option("customer", sa->customer, "kefu id, external id, phone or email")->required();
  show->add_option("--today", sa->today, "reminders as of this date (YYYY-MM-DD)");
  show->add_flag("--json", sa->json_out, "print JSON");
  show->callback([&g, sa] {
    auto& store = g.engine().customers();
    ReminderOptions o;
    o.today = sa->today;
    auto card = store.profile(customer_arg(store, sa->customer), o);
    if (sa->json_out) {
      std::cout << profile_to_json(card) << "\n";
      return;
    }
    const Customer& c = card.customer;
    std::cout << (c.name.empty() ? "(no name)" : c.name) << (c.title.empty() ? "" : " (" + c.title + ")") << "  #" << c.id
              << "\n";
    std::vector<std::string> ids = c.external_ids;
    ids.insert(ids.end(), c.phones.begin(), c.phones.end());
    ids.insert(ids.end(), c.emails.begin(), c.emails.end());
    if (!ids.empty()) std::cout << "  ids:       " << join(ids) << "\n";
    if (!c.birthday.empty()) std::cout << "  birthday:  " << c.birthday << "\n";
    if (!c.tags.empty()) std::cout << "  tags:      " << join(c.tags) << "\n";
    std::cout << "  orders:    " << card.purchase_count;
    if (card.last_purchase)
      std::cout << ", last " << card.last_purchase->order_id << " on " << when(card.last_purchase->time) << " ("
                << join(card.last_purchase->items) << ")";
    std::cout << "\n";
    if (card.last_complaint)
      std::cout << "  complaint: " << when(card.last_complaint->time) << " " << to_string(card.last_complaint->intent)
                << ": " << card.last_complaint->summary << "\n";
    for (const auto& p : card.open_problems) std::cout << "  open:      " << when(p.time) << " " << p.summary << "\n";
    if (!card.satisfaction.empty()) {
      std::cout << "  satisfied: ";
      for (int s : card.satisfaction) std::cout << s << " ";
      std::cout << "(" << (card.satisfaction_trend.empty() ? "one score" : card.satisfaction_trend) << ")\n";
    }
    for (const auto& n : card.pinned_notes) std::cout << "  pinned:    " << n.text << "\n";
    for (const auto& n : card.recent_notes) std::cout << "  note:      " << when(n.created_at) << " " << n.text << "\n";
    for (const auto& r : card.reminders) {
      std::cout << "  reminder:  ";
      print_reminder(r);
    }
  });

  struct AddArgs {
    std::string name, title, birthday, locale;
    std::vector<std::string> external_ids, phones, emails, tags;
    bool json_out = false;
  };
  auto aa = std::make_shared<AddArgs>();
  auto* add = customers->add_subcommand("add", "add a customer, or update the one an identifier already names");
  add->add_option("--name", aa->name, "name");
  add->add_option("--title", aa->title, "form of address: 女士, 先生, Ms., Mr.");
  add->add_option("--external-id", aa->external_ids, "source:value, e.g. taobao:nick (repeatable)");
  add->add_option("--phone", aa->phones, "phone in any common format (repeatable)");
  add->add_option("--email", aa->emails, "email (repeatable)");
  add->add_option("--birthday", aa->birthday, "1990-05-03 or 05-03");
  add->add_option("--tag", aa->tags, "tag or type: vip, price_sensitive, quality_seeking, health_beauty (repeatable)");
  add->add_option("--locale", aa->locale, "zh-CN, zh-TW, zh-HK or en");
  add->add_flag("--json", aa->json_out, "print the customer as JSON");
  add->callback([&g, aa] {
    CustomerFields f;
    f.name = aa->name;
    f.title = aa->title;
    f.external_ids = aa->external_ids;
    f.phones = aa->phones;
    f.emails = aa->emails;
    f.birthday = aa->birthday;
    f.locale = aa->locale;
    if (!aa->tags.empty()) f.tags = aa->tags;
    auto& store = g.engine().customers();
    auto c = store.get(store.upsert(f));
    if (aa->json_out) std::cout << customer_to_json(*c) << "\n";
    else print_customer(*c);
  });

  struct ForgetArgs {
    std::string customer;
    bool json_out = false;
  };
  auto fo = std::make_shared<ForgetArgs>();
  auto* forget = customers->add_subcommand(
      "forget", "remove a customer with every note, order, consultation and search entry; freed space is overwritten");
  forget->add_option("customer", fo->customer, "kefu id, external id, phone or email")->required();
  forget->add_flag("--json", fo->json_out, "print the report as JSON");
  forget->callback([&g, fo] {
    auto& store = g.engine().customers();
    auto r = store.forget(customer_arg(store, fo->customer));
    if (fo->json_out) {
      std::cout << forget_report_to_json(r) << "\n";
      return;
    }
    std::cout << "forgotten: the customer, " << r.notes << " notes, " << r.purchases << " orders, " << r.consultations
              << " consultations, " << r.survey_answers << " survey answers\n";
    if (!r.purged) std::cerr << "kefu: another process is still reading the database; the old pages are overwritten when it closes\n";
  });

  auto out_file = std::make_shared<std::string>();
  auto* exp = customers->add_subcommand("export", "every customer with their records as JSON Lines (import reads it back)");
  exp->add_option("file", *out_file, "output file (default: stdout)");
  exp->callback([&g, out_file] {
    auto& store = g.engine().customers();
    if (out_file->empty() || *out_file == "-") {
      store.export_jsonl(std::cout);
      return;
    }
    std::ofstream f(*out_file);
    if (!f) throw Error(ErrorCode::io, "cannot write " + *out_file);
    auto n = store.export_jsonl(f);
    f.close();
    if (!f) throw Error(ErrorCode::io, "writing " + *out_file + " failed");
    std::cerr << "exported " << n << " customers to " << *out_file << "\n";
  });
}

void add_notes(CLI::App& app, Globals& g) {
  auto* notes = app.add_subcommand("notes", "notes on customers: add, search, list");
  notes->require_subcommand(1);

  struct AddArgs {
    std::string customer, text, author;
    bool pin = false, json_out = false;
  };
  auto a = std::make_shared<AddArgs>();
  auto* add = notes->add_subcommand("add", "add a note to a customer");
  add->add_option("customer", a->customer, "kefu id, external id, phone or email")->required();
  add->add_option("text", a->text, "the note")->required();
  add->add_option("--author", a->author, "who writes it");
  add->add_flag("--pin", a->pin, "pin it to the top of the profile card");
  add->add_flag("--json", a->json_out, "print the note as JSON");
  add->callback([&g, a] {
    auto& store = g.engine().customers();
    NewNote n;
    n.text = a->text;
    n.author = a->author;
    n.pinned = a->pin;
    Note note = store.add_note(customer_arg(store, a->customer), n);
    if (a->json_out) std::cout << note_to_json(note) << "\n";
    else std::cout << "note " << note.id << " added to customer " << note.customer_id << "\n";
  });

  struct SearchArgs {
    std::string query, customer;
    std::size_t limit = 20;
    bool json_out = false;
  };
  auto s = std::make_shared<SearchArgs>();
  auto* search = notes->add_subcommand("search", "full-text search over notes and consultations (Chinese and English)");
  search->add_option("query", s->query, "words to find")->required();
  search->add_option("-n,--limit", s->limit, "most results")->capture_default_str();
  search->add_option("--customer", s->customer, "only this customer's notes");
  search->add_flag("--json", s->json_out, "print {\"notes\": [...]}");
  search->callback([&g, s] {
    auto& store = g.engine().customers();
    SearchOptions o;
    o.limit = s->limit;
    if (!s->customer.empty()) o.customer = customer_arg(store, s->customer);
    auto hits = store.search(s->query, o);
    if (s->json_out) {
      std::cout << search_to_json(hits) << "\n";
      return;
    }
    if (hits.empty()) std::cout << "nothing found\n";
    for (const auto& h : hits)
      std::cout << h.customer_id << "\t" << when(h.time) << "\t"
                << (h.kind == SearchHit::Kind::note ? (h.pinned ? "note*" : "note") : "consultation") << "\t" << h.text
                << "\n";
  });

  struct ListArgs {
    std::string customer;
    std::size_t limit = 50;
    bool json_out = false;
  };
  auto l = std::make_shared<ListArgs>();
  auto* list = notes->add_subcommand("list", "a customer's notes, newest first");
  list->add_option("customer", l->customer, "kefu id, external id, phone or email")->required();
  list->add_option("-n,--limit", l->limit, "most notes")->capture_default_str();
  list->add_flag("--json", l->json_out, "print {\"notes\": [...]}");
  list->callback([&g, l] {
    auto& store = g.engine().customers();
    auto notes = store.notes(customer_arg(store, l->customer), l->limit);
    if (l->json_out) {
      json a = json::array();
      for (const auto& n : notes) a.push_back(json::parse(note_to_json(n)));
      std::cout << json{{"notes", a}}.dump() << "\n";
      return;
    }
    for (const auto& n : notes) std::cout << n.id << "\t" << when(n.created_at) << "\t" << (n.pinned ? "* " : "") << n.text << "\n";
  });
}

void add_reminders(CLI::App& app, Globals& g) {
  struct Args {
    std::string today, locale, arrivals, customer;
    int birthday_days = 7, holiday_days = 7, churn_after_days = 90, win_back_days = 30;
    std::size_t limit = 200;
    bool json_out = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("reminders", "care reminders due: birthdays, holidays, churn risk, win-back, new "
                                              "arrivals; each with the outreach template to use");
  cmd->add_option("--today", a->today, "as of this date (YYYY-MM-DD; default today)");
  cmd->add_option("--birthday-days", a->birthday_days, "birthdays within this many days")->capture_default_str();
  cmd->add_option("--holiday-days", a->holiday_days, "holidays within this many days")->capture_default_str();
  cmd->add_option("--churn-after", a->churn_after_days, "days without a purchase after which a buyer is lost")
      ->capture_default_str();
  cmd->add_option("--win-back-days", a->win_back_days, "win back within this many days of losing them")
      ->capture_default_str();
  cmd->add_option("--arrivals", a->arrivals,
                  "JSON file of new products [{\"product\", \"brand\", \"category\", \"colours\", \"sizes\"}]");
  cmd->add_option("--customer", a->customer, "only this customer");
  cmd->add_option("-l,--locale", a->locale, "for customers of unknown locale (default zh-CN)");
  cmd->add_option("-n,--limit", a->limit, "most reminders")->capture_default_str();
  cmd->add_flag("--json", a->json_out, "print {\"reminders\": [...]}");
  cmd->callback([&g, a] {
    auto& store = g.engine().customers();
    ReminderOptions o;
    o.today = a->today;
    o.birthday_days = a->birthday_days;
    o.holiday_days = a->holiday_days;
    o.churn_after_days = a->churn_after_days;
    o.win_back_days = a->win_back_days;
    o.limit = a->limit;
    if (!a->locale.empty()) o.locale = parse_locale(a->locale);
    if (!a->customer.empty()) o.customer = customer_arg(store, a->customer);
    if (!a->arrivals.empty()) {
      std::ifstream f(a->arrivals);
      if (!f) throw Error(ErrorCode::io, "cannot read " + a->arrivals);
      std::stringstream ss;
      ss << f.rdbuf();
      o.arrivals = arrivals_from_json(ss.str());
    }
    auto list = store.reminders(o);
    if (a->json_out) {
      std::cout << reminders_to_json(list) << "\n";
      return;
    }
    if (list.empty()) std::cout << "no care reminders due\n";
    for (const auto& r : list) print_reminder(r);
  });
}

}  // namespace

void add_customer_commands(CLI::App& app, Globals& g) {
  add_customers(app, g);
  add_notes(app, g);
  add_reminders(app, g);
}

}  // namespace kefu::cli
