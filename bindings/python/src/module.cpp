// kefu._kefu — the compiled core of the Python package `kefu`. Long calls release the GIL;
// Python callables given as event or log handlers are called with the GIL held.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "kefu/engine.hpp"
#include "kefu/error.hpp"
#include "kefu/json.hpp"
#include "module.hpp"

namespace py = pybind11;
using namespace kefu;

PyCallable::PyCallable(py::object f)
    : fn(new py::object(std::move(f)), [](py::object* o) {
        py::gil_scoped_acquire gil;
        delete o;
      }) {}

LogLevel log_level_arg(const std::string& level) {
  static const std::map<std::string, LogLevel> levels = {
      {"trace", LogLevel::trace}, {"debug", LogLevel::debug}, {"info", LogLevel::info},
      {"warn", LogLevel::warn},   {"error", LogLevel::error}, {"off", LogLevel::off}};
  auto it = levels.find(level);
  if (it == levels.end()) throw Error(ErrorCode::invalid_argument, "unknown log level '" + level + "'");
  return it->second;
}

std::optional<Locale> locale_arg(const std::optional<std::string>& s) {
  if (!s || s->empty()) return std::nullopt;
  return parse_locale(*s);
}

Channel channel_arg(const std::string& s) {
  auto c = parse_channel(s);
  if (!c) throw Error(ErrorCode::unsupported, "unknown channel '" + s + "' (plain, markdown, html)");
  return *c;
}

Variables vars_arg(const std::optional<py::dict>& d) {
  Variables v;
  if (!d) return v;
  for (auto item : *d) {
    if (item.second.is_none()) continue;
    v[py::str(item.first)] = py::str(item.second);
  }
  return v;
}

namespace {

CustomerContext customer_arg(const py::object& c) {
  CustomerContext ctx;
  if (c.is_none()) return ctx;
  if (!py::isinstance<py::dict>(c)) throw Error(ErrorCode::invalid_argument, "customer must be a dict");
  py::dict d = c;
  auto str = [&](const char* k) { return d.contains(k) && !d[k].is_none() ? std::string(py::str(d[k])) : std::string(); };
  ctx.name = str("name");
  ctx.title = str("title");
  auto add_type = [&](const std::string& t) {
    auto ct = parse_customer_type(t);
    if (!ct) throw Error(ErrorCode::invalid_argument, "unknown customer type '" + t + "'");
    ctx.types.push_back(*ct);
  };
  for (const char* key : {"types", "type"}) {
    if (!d.contains(key) || d[key].is_none()) continue;
    if (py::isinstance<py::str>(d[key])) add_type(py::str(d[key]));
    else for (auto t : d[key]) add_type(py::str(t));
  }
  if (d.contains("tags") && !d["tags"].is_none())
    for (auto t : d["tags"]) ctx.tags.push_back(py::str(t));
  return ctx;
}

}  // namespace

PYBIND11_MODULE(_kefu, m) {
  m.doc() = "kefu core (private module: use the `kefu` package)";
  m.attr("__version__") = version_string();

  static py::exception<Error> kefu_error(m, "KefuError");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      py::object type = py::reinterpret_borrow<py::object>(kefu_error);
      py::object err = type(py::str(e.what()));
      err.attr("code") = error_code_name(e.code());
      PyErr_SetObject(kefu_error.ptr(), err.ptr());
    }
  });

  py::class_<Analysis>(m, "Analysis")
      .def_property_readonly("intent", [](const Analysis& a) { return std::string(to_string(a.intent)); })
      .def_readonly("confidence", &Analysis::confidence)
      .def_property_readonly("intents", [](const Analysis& a) {
        std::vector<std::pair<std::string, double>> v;
        for (const auto& s : a.intents) v.emplace_back(std::string(to_string(s.intent)), s.score);
        return v;
      })
      .def_property_readonly("emotion", [](const Analysis& a) { return std::string(to_string(a.emotion)); })
      .def_readonly("emotion_score", &Analysis::emotion_score)
      .def_property_readonly("stage", [](const Analysis& a) { return std::string(to_string(a.stage)); })
      .def_property_readonly("locale", [](const Analysis& a) { return std::string(locale_name(a.locale)); })
      .def_readonly("cues", &Analysis::cues)
      .def("to_json", [](const Analysis& a) { return analysis_to_json(a); })
      .def("__repr__", [](const Analysis& a) {
        return "Analysis(intent='" + std::string(to_string(a.intent)) + "', emotion='" + std::string(to_string(a.emotion)) +
               "', stage='" + std::string(to_string(a.stage)) + "')";
      });

  py::class_<Suggestion>(m, "Suggestion")
      .def_readonly("template_id", &Suggestion::template_id)
      .def_property_readonly("intent", [](const Suggestion& s) { return std::string(to_string(s.intent)); })
      .def_readonly("text", &Suggestion::text)
      .def_readonly("score", &Suggestion::score)
      .def_readonly("missing", &Suggestion::missing)
      .def_readonly("shortcut", &Suggestion::shortcut)
      .def_readonly("tags", &Suggestion::tags)
      .def("__repr__", [](const Suggestion& s) {
        return "Suggestion(template_id='" + s.template_id + "', score=" + std::to_string(s.score) + ")";
      });

  py::class_<SuggestResult>(m, "SuggestResult")
      .def_readonly("analysis", &SuggestResult::analysis)
      .def_readonly("suggestions", &SuggestResult::suggestions)
      .def_property_readonly("intent", [](const SuggestResult& r) { return std::string(to_string(r.analysis.intent)); })
      .def_property_readonly("emotion", [](const SuggestResult& r) { return std::string(to_string(r.analysis.emotion)); })
      .def_property_readonly("stage", [](const SuggestResult& r) { return std::string(to_string(r.analysis.stage)); })
      .def("to_json", [](const SuggestResult& r) { return suggest_to_json(r); });

  py::class_<Rendered>(m, "Rendered")
      .def_readonly("text", &Rendered::text)
      .def_readonly("missing", &Rendered::missing)
      .def("__repr__", [](const Rendered& r) { return "Rendered(text=" + std::string(py::repr(py::str(r.text))) + ")"; });

  py::class_<Diagnostic>(m, "Diagnostic")
      .def_readonly("file", &Diagnostic::file)
      .def_readonly("line", &Diagnostic::line)
      .def_readonly("message", &Diagnostic::message)
      .def("__str__", &Diagnostic::to_string);

  py::class_<Engine>(m, "Engine")
      // One constructor for every option; the parts (tone, customers) add methods, not constructors.
      .def(py::init([](std::optional<std::string> template_dir, bool bundled, std::size_t max_text_bytes,
                       const std::string& log_level, const std::string& db_path, const std::string& tone_overrides) {
             EngineOptions o;
             if (template_dir) o.template_dir = *template_dir;
             o.bundled_templates = bundled;
             o.max_text_bytes = max_text_bytes;
             o.log_level = log_level_arg(log_level);
             o.db_path = db_path;
             o.tone_overrides = tone_overrides;
             py::gil_scoped_release release;
             return std::make_unique<Engine>(o);
           }),
           py::arg("template_dir") = py::none(), py::arg("bundled") = true, py::arg("max_text_bytes") = 64 * 1024,
           py::arg("log_level") = "warn", py::kw_only(), py::arg("db_path") = "", py::arg("tone_overrides") = "")
      .def(
          "analyze",
          [](const Engine& e, const std::string& text, std::optional<std::string> locale) {
            auto loc = locale_arg(locale);
            py::gil_scoped_release release;
            return e.analyze(text, loc);
          },
          py::arg("text"), py::arg("locale") = py::none())
      .def(
          "suggest",
          [](const Engine& e, const std::string& text, std::optional<std::string> locale, py::object customer,
             std::optional<py::dict> vars, const std::string& channel, std::size_t limit) {
            SuggestRequest req;
            auto loc = locale_arg(locale);
            req.locale = loc ? *loc : guess_locale(text);
            req.customer = customer_arg(customer);
            req.vars = vars_arg(vars);
            req.channel = channel_arg(channel);
            req.limit = limit;
            py::gil_scoped_release release;
            return e.suggest(text, req);
          },
          py::arg("text"), py::arg("locale") = py::none(), py::arg("customer") = py::none(),
          py::arg("vars") = py::none(), py::arg("channel") = "plain", py::arg("limit") = 3)
      .def(
          "render",
          [](const Engine& e, const std::string& id, std::optional<py::dict> vars, const std::string& locale,
             const std::string& channel) {
            auto v = vars_arg(vars);
            auto loc = parse_locale(locale);
            auto ch = channel_arg(channel);
            py::gil_scoped_release release;
            return e.render(id, v, loc, ch);
          },
          py::arg("template_id"), py::arg("vars") = py::none(), py::arg("locale") = "zh-CN", py::arg("channel") = "plain")
      .def(
          "templates",
          [](const Engine& e, std::optional<std::string> locale) {
            auto loc = locale_arg(locale);
            py::list out;
            for (const auto& t : e.templates().all()) {
              if (loc && t.locale != data_locale(*loc)) continue;
              py::list intents;
              for (auto i : t.intents) intents.append(std::string(to_string(i)));
              py::dict d;
              d["id"] = t.id;
              d["locale"] = locale_name(t.locale);
              d["pack"] = t.pack;
              d["intents"] = intents;
              d["shortcut"] = t.shortcut;
              d["tags"] = t.tags;
              d["use"] = t.outreach ? "outreach" : "reply";
              d["occasion"] = t.occasion;
              d["text"] = t.text;
              out.append(d);
            }
            return out;
          },
          py::arg("locale") = py::none())
      .def(
          "subscribe",
          [](Engine& e, const std::string& event, py::function fn) {
            PyCallable cb(std::move(fn));
            return e.events().subscribe(event, [cb](std::string_view name, std::string_view json) {
              py::gil_scoped_acquire gil;
              try {
                (*cb.fn)(std::string(name), std::string(json));
              } catch (py::error_already_set& err) {
                err.discard_as_unraisable("kefu event handler");
              }
            });
          },
          py::arg("event"), py::arg("callback"))
      .def("unsubscribe", [](Engine& e, std::uint64_t id) { return e.events().unsubscribe(id); }, py::arg("subscription"))
      .def(
          "set_log_handler",
          [](Engine& e, py::object fn, const std::string& level) {
            e.set_log_level(log_level_arg(level));
            if (fn.is_none()) {
              e.set_log_handler(nullptr);
              return;
            }
            PyCallable cb(std::move(fn));
            e.set_log_handler([cb](LogLevel lvl, std::string_view msg) {
              static const char* names[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
              py::gil_scoped_acquire gil;
              try {
                (*cb.fn)(names[static_cast<int>(lvl)], std::string(msg));
              } catch (py::error_already_set& err) {
                err.discard_as_unraisable("kefu log handler");
              }
            });
          },
          py::arg("handler"), py::arg("level") = "info");

  bind_tone(m);
  bind_customers(m);

  m.def(
      "lint",
      [](std::optional<std::string> dir) {
        auto files = dir ? read_pack_dir(*dir) : bundled_pack_files();
        return lint_packs(files);
      },
      py::arg("dir") = py::none());
}
