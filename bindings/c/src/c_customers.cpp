// C ABI: customers and notes (kefu.h, "customers and notes").
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "c_common.hpp"
#include "kefu/customer_json.hpp"
#include "kefu/customer_store.hpp"

using kefu::c::guard;
using kefu::c::require;

namespace {

kefu::CustomerId customer_ref(kefu::CustomerStore& store, const char* ref) {
  require(ref, "customer");
  return store.require(ref);
}

}  // namespace

extern "C" {

int kefu_customer_find(kefu_buf* out, kefu_engine* engine, const char* query, size_t limit) {
  return guard([&] {
    require(out, "out");
    *out = KEFU_BUF_INIT;
    require(engine, "engine");
    require(query, "query");
    kefu::c::fill(out, kefu::customers_to_json(engine->engine.customers().find(query, limit ? limit : 20)));
  });
}

int kefu_customer_upsert(kefu_buf* out, kefu_engine* engine, const char* customer_json) {
  return guard([&] {
    require(out, "out");
    *out = KEFU_BUF_INIT;
    require(engine, "engine");
    require(customer_json, "customer_json");
    auto& store = engine->engine.customers();
    kefu::CustomerId id = store.upsert(kefu::customer_fields_from_json(customer_json));
    kefu::c::fill(out, kefu::customer_to_json(*store.get(id)));
  });
}

int kefu_customer_show(kefu_buf* out, kefu_engine* engine, const char* customer, const char* today) {
  return guard([&] {
    require(out, "out");
    *out = KEFU_BUF_INIT;
    require(engine, "engine");
    auto& store = engine->engine.customers();
    kefu::ReminderOptions o;
    if (today) o.today = today;
    kefu::c::fill(out, kefu::profile_to_json(store.profile(customer_ref(store, customer), o)));
  });
}

int kefu_customer_add_record(kefu_buf* out, kefu_engine* engine, const char* customer, const char* record_json) {
  return guard([&] {
    require(out, "out");
    *out = KEFU_BUF_INIT;
    require(engine, "engine");
    require(record_json, "record_json");
    auto& store = engine->engine.customers();
    kefu::CustomerId id = customer_ref(store, customer);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(record_json);
    } catch (const nlohmann::json::parse_error& e) {
      throw kefu::Error(kefu::ErrorCode::parse, std::string("record is not valid JSON: ") + e.what());
    }
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
      throw kefu::Error(kefu::ErrorCode::parse, "record needs a \"type\": order, consultation or survey");
    std::string type = j["type"].get<std::string>();
    if (type != "order" && type != "purchase" && type != "consultation" && type != "survey" && type != "note")
      throw kefu::Error(kefu::ErrorCode::parse, "record type must be order, consultation or survey");
    j["customer"] = "kefu:" + std::to_string(id);
    // The import path reads records exactly as import files carry them.
    std::istringstream line(j.dump() + "\n");
    kefu::ImportOptions o;
    o.format = kefu::ImportOptions::Format::jsonl;
    auto r = store.import_stream(line, "record", o);
    if (r.failed) throw kefu::Error(kefu::ErrorCode::parse, r.problems.empty() ? "bad record" : r.problems.front().message);
    bool added = r.purchases_added + r.consultations_added + r.surveys_added + r.notes_added > 0;
    kefu::c::fill(out, nlohmann::json{{"added", added}}.dump());
  });
}

int kefu_customer_forget(kefu_buf* out, kefu_engine* engine, const char* customer) {
  return guard([&] {
    require(out, "out");
    *out = KEFU_BUF_INIT;
    require(engine, "engine");
    auto& store = engine->engine.customers();
    kefu::c::fill(out, kefu::forget_report_to_json(store.forget(customer_ref(store, customer))));
  });
}

int kefu_customer_import(kefu_buf* out, kefu_engine* engine, const char* path, const kefu_import_options* opts) {
  return guard([&] {
    require(out, "out");
    *out = KEFU_BUF_INIT;
    require(engine, "engine");
    require(path, "path");
    kefu::ImportOptions o;
    if (opts) {
      if (opts->version < 1 || opts->version > KEFU_IMPORT_OPTIONS_VERSION)
        throw kefu::Error(kefu::ErrorCode::unsupported, "unknown kefu_import_options version " + std::to_string(opts->version));
      if (opts->format && *opts->format) {
        std::string f = opts->format;
        if (f == "csv") o.format = kefu::ImportOptions::Format::csv;
        else if (f == "jsonl" || f == "json") o.format = kefu::ImportOptions::Format::jsonl;
        else throw kefu::Error(kefu::ErrorCode::invalid_argument, "format must be csv or jsonl");
      }
      if (opts->progress) {
        auto cb = opts->progress;
        void* payload = opts->payload;
        o.progress = [cb, payload](const kefu::ImportProgress& p) { cb(p.bytes_read, p.bytes_total, p.rows_committed, payload); };
      }
    }
    kefu::c::fill(out, kefu::import_report_to_json(engine->engine.customers().import_file(path, o)));
  });
}

int kefu_customer_export(kefu_buf* out, kefu_engine* engine, const char* path) {
  return guard([&] {
    require(out, "out");
    *out = KEFU_BUF_INIT;
    require(engine, "engine");
    require(path, "path");
    std::ofstream f(path, std::ios::binary);
    if (!f) throw kefu::Error(kefu::ErrorCode::io, std::string("cannot write ") + path);
    std::size_t n = engine->engine.customers().export_jsonl(f);
    f.close();
    if (!f) throw kefu::Error(kefu::ErrorCode::io, std::string("writing ") + path + " failed");
    kefu::c::fill(out, nlohmann::json{{"customers", n}}.dump());
  });
}

int kefu_note_add(kefu_buf* out, kefu_engine* engine, const char* customer, const char* text, const char* author,
                  int pinned) {
  return guard([&] {
    require(out, "out");
    *out = KEFU_BUF_INIT;
    require(engine, "engine");
    require(text, "text");
    auto& store = engine->engine.customers();
    kefu::NewNote n;
    n.text = text;
    if (author) n.author = author;
    n.pinned = pinned != 0;
    kefu::c::fill(out, kefu::note_to_json(store.add_note(customer_ref(store, customer), n)));
  });
}

int kefu_note_search(kefu_buf* out, kefu_engine* engine, const char* query, const kefu_search_options* opts) {
  return guard([&] {
    require(out, "out");
    *out = KEFU_BUF_INIT;
    require(engine, "engine");
    require(query, "query");
    auto& store = engine->engine.customers();
    kefu::SearchOptions o;
    if (opts) {
      if (opts->version < 1 || opts->version > KEFU_SEARCH_OPTIONS_VERSION)
        throw kefu::Error(kefu::ErrorCode::unsupported, "unknown kefu_search_options version " + std::to_string(opts->version));
      if (opts->limit) o.limit = opts->limit;
      o.offset = opts->offset;
      if (opts->customer) o.customer = store.require(opts->customer);
    }
    kefu::c::fill(out, kefu::search_to_json(store.search(query, o)));
  });
}

int kefu_reminder_list(kefu_buf* out, kefu_engine* engine, const char* options_json) {
  return guard([&] {
    require(out, "out");
    *out = KEFU_BUF_INIT;
    require(engine, "engine");
    kefu::ReminderOptions o;
    if (options_json) kefu::apply_reminder_options_json(options_json, o);
    kefu::c::fill(out, kefu::reminders_to_json(engine->engine.customers().reminders(o)));
  });
}

}  // extern "C"
