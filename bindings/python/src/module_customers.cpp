// kefu._kefu: customers and notes — Engine(db_path=...), engine.customers (CustomerStore):
// find/get/upsert/show/add_note/notes/search (an iterator)/reminders/import_file/export (an
// iterator)/forget and the record adders. Database calls release the GIL.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "kefu/customer_json.hpp"
#include "kefu/customer_store.hpp"
#include "kefu/engine.hpp"
#include "kefu/error.hpp"
#include "kefu/text.hpp"
#include "module.hpp"

namespace py = pybind11;
using namespace kefu;

namespace {

py::object json_loads(const std::string& text) { return py::module_::import("json").attr("loads")(text); }

// A customer reference: an int (kefu id) or a str (kefu id, external id, phone, email).
CustomerId customer_ref(const CustomerStore& store, const py::object& ref) {
  if (py::isinstance<py::int_>(ref)) {
    auto id = ref.cast<CustomerId>();
    py::gil_scoped_release release;
    if (!store.get(id)) throw Error(ErrorCode::not_found, "no customer " + std::to_string(id));
    return id;
  }
  if (!py::isinstance<py::str>(ref))
    throw Error(ErrorCode::invalid_argument, "customer must be a kefu id (int) or a str (external id, phone, email)");
  std::string s = ref.cast<std::string>();
  py::gil_scoped_release release;
  return store.require(s);
}

std::vector<std::string> str_list(const py::object& o, const char* what) {
  std::vector<std::string> out;
  if (o.is_none()) return out;
  if (py::isinstance<py::str>(o)) {
    out.push_back(o.cast<std::string>());
    return out;
  }
  try {
    for (auto item : o) out.push_back(py::str(item).cast<std::string>());
  } catch (const py::error_already_set&) {
    throw Error(ErrorCode::invalid_argument, std::string(what) + " must be a str or a list of str");
  }
  return out;
}

Preferences prefs_arg(const py::object& o) {
  Preferences p;
  if (o.is_none()) return p;
  if (!py::isinstance<py::dict>(o)) throw Error(ErrorCode::invalid_argument, "preferences must be a dict");
  py::dict d = o;
  for (auto item : d) {
    std::string k = py::str(item.first);
    auto v = str_list(py::reinterpret_borrow<py::object>(item.second), "a preference");
    if (k == "sizes" || k == "size") p.sizes = v;
    else if (k == "colours" || k == "colors" || k == "colour" || k == "color") p.colours = v;
    else if (k == "brands" || k == "brand") p.brands = v;
    else if (k == "categories" || k == "category") p.categories = v;
    else throw Error(ErrorCode::invalid_argument, "unknown preference '" + k + "' (sizes, colours, brands, categories)");
  }
  return p;
}

std::optional<Timestamp> time_arg(const py::object& o) {
  if (o.is_none()) return std::nullopt;
  if (py::isinstance<py::int_>(o) || py::isinstance<py::float_>(o)) return static_cast<Timestamp>(o.cast<double>());
  if (py::hasattr(o, "timestamp")) return static_cast<Timestamp>(o.attr("timestamp")().cast<double>());  // datetime
  throw Error(ErrorCode::invalid_argument, "time must be seconds since 1970 or a datetime");
}

/// search() results, fetched a page at a time.
class SearchIterator {
 public:
  SearchIterator(const CustomerStore& store, std::string query, SearchOptions options, std::size_t total)
      : store_(store), query_(std::move(query)), options_(options), total_(total) {
    options_.offset = 0;
  }
  SearchHit next() {
    if (total_ && yielded_ >= total_) throw py::stop_iteration();
    while (pos_ >= page_.size()) {
      if (done_) throw py::stop_iteration();
      {
        py::gil_scoped_release release;
        page_ = store_.search(query_, options_);
      }
      pos_ = 0;
      options_.offset += options_.limit;
      if (page_.size() < options_.limit) done_ = true;
      // Later pages are ranked over a wider window: leave out what was already given.
      std::vector<SearchHit> fresh;
      for (auto& h : page_)
        if (seen_.insert({h.kind == SearchHit::Kind::note ? 0 : 1, h.id}).second) fresh.push_back(std::move(h));
      page_ = std::move(fresh);
      if (page_.empty() && done_) throw py::stop_iteration();
    }
    ++yielded_;
    return page_[pos_++];
  }

 private:
  const CustomerStore& store_;
  std::string query_;
  SearchOptions options_;
  std::size_t total_;
  std::vector<SearchHit> page_;
  std::size_t pos_ = 0, yielded_ = 0;
  bool done_ = false;
  std::set<std::pair<int, std::int64_t>> seen_;
};

/// export(): one JSON line per customer (with all their records), fetched a page at a time.
class ExportIterator {
 public:
  ExportIterator(const CustomerStore& store, py::object owner) : store_(store), owner_(std::move(owner)) {}
  std::string next() {
    if (pos_ >= page_.size()) {
      {
        py::gil_scoped_release release;
        page_ = store_.export_page(after_, 500);
      }
      pos_ = 0;
      if (page_.empty()) throw py::stop_iteration();
      // The page's last customer: the id is the "kefu_id" of its line.
      auto j = nlohmann_json_id(page_.back());
      after_ = j;
    }
    return page_[pos_++];
  }

 private:
  static CustomerId nlohmann_json_id(const std::string& line) {
    auto k = line.find("\"kefu_id\":");
    return k == std::string::npos ? 0 : std::stoll(line.substr(k + 10));
  }
  const CustomerStore& store_;
  py::object owner_;  // keeps the store (and its engine) alive
  std::vector<std::string> page_;
  std::size_t pos_ = 0;
  CustomerId after_ = 0;
};

}  // namespace

void bind_customers(py::module_& m) {
  py::class_<Customer>(m, "Customer")
      .def_readonly("id", &Customer::id)
      .def_readonly("name", &Customer::name)
      .def_readonly("title", &Customer::title)
      .def_readonly("external_ids", &Customer::external_ids)
      .def_readonly("phones", &Customer::phones)
      .def_readonly("emails", &Customer::emails)
      .def_property_readonly("phone", [](const Customer& c) -> py::object {
        return c.phones.empty() ? py::object(py::none()) : py::object(py::str(c.phones.front()));
      })
      .def_property_readonly("email", [](const Customer& c) -> py::object {
        return c.emails.empty() ? py::object(py::none()) : py::object(py::str(c.emails.front()));
      })
      .def_readonly("birthday", &Customer::birthday)
      .def_readonly("tags", &Customer::tags)
      .def_property_readonly("types", [](const Customer& c) {
        std::vector<std::string> out;
        for (auto t : c.types()) out.emplace_back(to_string(t));
        return out;
      })
      .def_property_readonly("preferences", [](const Customer& c) {
        py::dict d;
        d["sizes"] = c.preferences.sizes;
        d["colours"] = c.preferences.colours;
        d["brands"] = c.preferences.brands;
        d["categories"] = c.preferences.categories;
        return d;
      })
      .def_readonly("locale", &Customer::locale)
      .def_readonly("created_at", &Customer::created_at)
      .def_readonly("updated_at", &Customer::updated_at)
      .def("to_dict", [](const Customer& c) { return json_loads(customer_to_json(c)); })
      .def("to_json", [](const Customer& c) { return customer_to_json(c); })
      .def("__repr__", [](const Customer& c) {
        return "Customer(id=" + std::to_string(c.id) + ", name=" + std::string(py::repr(py::str(c.name))) + ")";
      });

  py::class_<Note>(m, "Note")
      .def_readonly("id", &Note::id)
      .def_readonly("customer_id", &Note::customer_id)
      .def_readonly("author", &Note::author)
      .def_readonly("created_at", &Note::created_at)
      .def_readonly("text", &Note::text)
      .def_readonly("pinned", &Note::pinned)
      .def("to_dict", [](const Note& n) { return json_loads(note_to_json(n)); })
      .def("__repr__", [](const Note& n) {
        return "Note(id=" + std::to_string(n.id) + ", customer_id=" + std::to_string(n.customer_id) + ")";
      });

  py::class_<SearchHit>(m, "SearchHit")
      .def_property_readonly("kind", [](const SearchHit& h) { return h.kind == SearchHit::Kind::note ? "note" : "consultation"; })
      .def_readonly("id", &SearchHit::id)
      .def_readonly("customer_id", &SearchHit::customer_id)
      .def_readonly("text", &SearchHit::text)
      .def_readonly("author", &SearchHit::author)
      .def_readonly("time", &SearchHit::time)
      .def_readonly("pinned", &SearchHit::pinned)
      .def_readonly("score", &SearchHit::score)
      .def("__repr__", [](const SearchHit& h) {
        return std::string("SearchHit(kind='") + (h.kind == SearchHit::Kind::note ? "note" : "consultation") +
               "', id=" + std::to_string(h.id) + ", customer_id=" + std::to_string(h.customer_id) + ")";
      });

  py::class_<SearchIterator>(m, "SearchIterator")
      .def("__iter__", [](SearchIterator& it) -> SearchIterator& { return it; })
      .def("__next__", &SearchIterator::next);
  py::class_<ExportIterator>(m, "ExportIterator")
      .def("__iter__", [](ExportIterator& it) -> ExportIterator& { return it; })
      .def("__next__", &ExportIterator::next);

  py::class_<CustomerStore, std::unique_ptr<CustomerStore, py::nodelete>> store(m, "CustomerStore");
  store
      .def(
          "find",
          [](const CustomerStore& s, const std::string& query, std::size_t limit) {
            py::gil_scoped_release release;
            return s.find(query, limit);
          },
          py::arg("query"), py::arg("limit") = 20)
      .def(
          "get",
          [](const CustomerStore& s, const py::object& ref) -> std::optional<Customer> {
            if (py::isinstance<py::int_>(ref)) {
              auto id = ref.cast<CustomerId>();
              py::gil_scoped_release release;
              return s.get(id);
            }
            std::string r = py::str(ref);
            py::gil_scoped_release release;
            auto id = s.resolve(r);
            return id ? s.get(*id) : std::nullopt;
          },
          py::arg("customer"))
      .def(
          "resolve",
          [](const CustomerStore& s, const std::string& ref) {
            py::gil_scoped_release release;
            return s.resolve(ref);
          },
          py::arg("ref"))
      .def(
          "upsert",
          [](CustomerStore& s, const std::string& name, const std::string& title, const py::object& external_ids,
             const py::object& phones, const py::object& emails, const std::string& birthday, const py::object& tags,
             const py::object& preferences, const std::string& locale) {
            CustomerFields f;
            f.name = name;
            f.title = title;
            f.external_ids = str_list(external_ids, "external_ids");
            f.phones = str_list(phones, "phones");
            f.emails = str_list(emails, "emails");
            f.birthday = birthday;
            f.locale = locale;
            if (!tags.is_none()) f.tags = str_list(tags, "tags");
            if (!preferences.is_none()) f.preferences = prefs_arg(preferences);
            py::gil_scoped_release release;
            return s.upsert(f);
          },
          py::arg("name") = "", py::kw_only(), py::arg("title") = "", py::arg("external_ids") = py::none(),
          py::arg("phones") = py::none(), py::arg("emails") = py::none(), py::arg("birthday") = "",
          py::arg("tags") = py::none(), py::arg("preferences") = py::none(), py::arg("locale") = "")
      .def(
          "show",
          [](const CustomerStore& s, const py::object& customer, std::optional<std::string> today) {
            CustomerId id = customer_ref(s, customer);
            ReminderOptions o;
            if (today) o.today = *today;
            std::string j;
            {
              py::gil_scoped_release release;
              j = profile_to_json(s.profile(id, o));
            }
            return json_loads(j);
          },
          py::arg("customer"), py::arg("today") = py::none())
      .def(
          "add_note",
          [](CustomerStore& s, const py::object& customer, const std::string& text, const std::string& author,
             bool pinned) {
            CustomerId id = customer_ref(s, customer);
            NewNote n;
            n.text = text;
            n.author = author;
            n.pinned = pinned;
            py::gil_scoped_release release;
            return s.add_note(id, n);
          },
          py::arg("customer"), py::arg("text"), py::arg("author") = "", py::arg("pinned") = false)
      .def(
          "notes",
          [](const CustomerStore& s, const py::object& customer, std::size_t limit) {
            CustomerId id = customer_ref(s, customer);
            py::gil_scoped_release release;
            return s.notes(id, limit);
          },
          py::arg("customer"), py::arg("limit") = 50)
      .def(
          "search",
          [](const CustomerStore& s, const std::string& query, std::size_t limit, const py::object& customer,
             std::size_t page_size) {
            SearchOptions o;
            o.limit = page_size ? page_size : 50;
            if (!customer.is_none()) o.customer = customer_ref(s, customer);
            check_text(query, 1024, false, "query");  // errors now, not at the first next()
            return SearchIterator(s, query, o, limit);
          },
          py::arg("query"), py::arg("limit") = 0, py::arg("customer") = py::none(), py::arg("page_size") = 50,
          py::keep_alive<0, 1>())
      .def(
          "add_purchase",
          [](CustomerStore& s, const py::object& customer, const std::string& order_id, const py::object& items,
             std::optional<double> amount, const std::string& currency, const py::object& time, const std::string& status) {
            CustomerId id = customer_ref(s, customer);
            Purchase p;
            p.order_id = order_id;
            p.items = str_list(items, "items");
            p.amount = amount;
            p.currency = currency;
            p.time = time_arg(time).value_or(0);
            p.status = status;
            std::string j;
            {
              py::gil_scoped_release release;
              j = purchase_to_json(s.add_purchase(id, p));
            }
            return json_loads(j);
          },
          py::arg("customer"), py::arg("order_id"), py::arg("items") = py::none(), py::arg("amount") = py::none(),
          py::arg("currency") = "", py::arg("time") = py::none(), py::arg("status") = "")
      .def(
          "add_consultation",
          [](CustomerStore& s, const py::object& customer, const std::string& summary, const std::string& intent,
             const std::string& channel, std::optional<int> satisfaction, bool resolved, const py::object& time) {
            CustomerId id = customer_ref(s, customer);
            Consultation v;
            v.summary = summary;
            auto i = parse_intent(intent);
            if (!i) throw Error(ErrorCode::invalid_argument, "unknown intent '" + intent + "'");
            v.intent = *i;
            v.channel = channel;
            v.satisfaction = satisfaction;
            v.resolved = resolved;
            v.time = time_arg(time).value_or(0);
            std::string j;
            {
              py::gil_scoped_release release;
              j = consultation_to_json(s.add_consultation(id, v));
            }
            return json_loads(j);
          },
          py::arg("customer"), py::arg("summary"), py::arg("intent") = "other", py::arg("channel") = "",
          py::arg("satisfaction") = py::none(), py::arg("resolved") = true, py::arg("time") = py::none())
      .def(
          "add_survey_answer",
          [](CustomerStore& s, const py::object& customer, const std::string& answer, std::optional<int> score,
             const std::string& survey, const std::string& question, const py::object& time) {
            CustomerId id = customer_ref(s, customer);
            SurveyAnswer a;
            a.answer = answer;
            a.score = score;
            a.survey = survey;
            a.question = question;
            a.time = time_arg(time).value_or(0);
            py::gil_scoped_release release;
            return s.add_survey_answer(id, a).id;
          },
          py::arg("customer"), py::arg("answer") = "", py::arg("score") = py::none(), py::arg("survey") = "",
          py::arg("question") = "", py::arg("time") = py::none())
      .def(
          "reminders",
          [](const CustomerStore& s, std::optional<std::string> today, int birthday_days, int holiday_days,
             int churn_after_days, int win_back_days, const py::object& arrivals, std::size_t limit,
             const py::object& customer, std::optional<std::string> locale) {
            ReminderOptions o;
            if (today) o.today = *today;
            o.birthday_days = birthday_days;
            o.holiday_days = holiday_days;
            o.churn_after_days = churn_after_days;
            o.win_back_days = win_back_days;
            o.limit = limit;
            if (locale) o.locale = parse_locale(*locale);
            if (!customer.is_none()) o.customer = customer_ref(s, customer);
            if (!arrivals.is_none())
              o.arrivals = arrivals_from_json(py::module_::import("json").attr("dumps")(arrivals).cast<std::string>());
            std::string j;
            {
              py::gil_scoped_release release;
              j = reminders_to_json(s.reminders(o));
            }
            py::object all = json_loads(j);
            return py::object(all["reminders"]);
          },
          py::arg("today") = py::none(), py::arg("birthday_days") = 7, py::arg("holiday_days") = 7,
          py::arg("churn_after_days") = 90, py::arg("win_back_days") = 30, py::arg("arrivals") = py::none(),
          py::arg("limit") = 200, py::arg("customer") = py::none(), py::arg("locale") = py::none())
      .def(
          "import_file",
          [](CustomerStore& s, const std::string& path, std::optional<std::string> format, py::object progress) {
            ImportOptions o;
            if (format) {
              if (*format == "csv") o.format = ImportOptions::Format::csv;
              else if (*format == "jsonl" || *format == "json") o.format = ImportOptions::Format::jsonl;
              else throw Error(ErrorCode::invalid_argument, "format must be 'csv' or 'jsonl'");
            }
            if (!progress.is_none()) {
              o.progress = [&progress](const ImportProgress& p) {
                py::gil_scoped_acquire gil;
                try {
                  progress(p.bytes_read, p.bytes_total, p.rows_committed);
                } catch (py::error_already_set& err) {
                  err.discard_as_unraisable("kefu import progress");
                }
              };
            }
            std::string j;
            {
              py::gil_scoped_release release;
              j = import_report_to_json(s.import_file(path, o));
            }
            return json_loads(j);
          },
          py::arg("path"), py::arg("format") = py::none(), py::arg("progress") = py::none())
      .def(
          "export",
          [](py::object self, std::optional<std::string> path) -> py::object {
            const CustomerStore& s = self.cast<const CustomerStore&>();
            if (!path) return py::cast(ExportIterator(s, self));
            std::size_t n = 0;
            {
              py::gil_scoped_release release;
              std::ofstream f(*path, std::ios::binary);
              if (!f) throw Error(ErrorCode::io, "cannot write " + *path);
              n = s.export_jsonl(f);
              f.close();
              if (!f) throw Error(ErrorCode::io, "writing " + *path + " failed");
            }
            return py::int_(n);
          },
          py::arg("path") = py::none())
      .def(
          "forget",
          [](CustomerStore& s, const py::object& customer) {
            CustomerId id = customer_ref(s, customer);
            std::string j;
            {
              py::gil_scoped_release release;
              j = forget_report_to_json(s.forget(id));
            }
            return json_loads(j);
          },
          py::arg("customer"))
      .def("__len__", [](const CustomerStore& s) {
        py::gil_scoped_release release;
        return s.customer_count();
      })
      .def_property_readonly("note_count", [](const CustomerStore& s) {
        py::gil_scoped_release release;
        return s.note_count();
      });

  // engine.customers (Engine(..., db_path=PATH) names the database).
  auto engine = py::reinterpret_borrow<py::class_<Engine>>(m.attr("Engine"));
  engine.def_property_readonly(
      "customers",
      [](const Engine& e) -> CustomerStore& {
        py::gil_scoped_release release;  // opening the database may wait for another process
        return e.customers();
      },
      py::return_value_policy::reference_internal);
  engine.def_property_readonly("db_path", [](const Engine& e) { return e.options().db_path; });
  engine.def(
      "suggest_for_customer",
      [](const Engine& e, const std::string& text, const py::object& customer, std::optional<std::string> locale,
         std::optional<py::dict> vars, const std::string& channel, std::size_t limit) {
        SuggestRequest req;
        req.customer_ref = py::str(customer);
        auto loc = locale_arg(locale);
        req.locale = loc ? *loc : guess_locale(text);
        req.vars = vars_arg(vars);
        req.channel = channel_arg(channel);
        req.limit = limit;
        py::gil_scoped_release release;
        return e.suggest(text, req);
      },
      py::arg("text"), py::arg("customer"), py::arg("locale") = py::none(), py::arg("vars") = py::none(),
      py::arg("channel") = "plain", py::arg("limit") = 3);
}
