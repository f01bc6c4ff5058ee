// kefu analyze | suggest | render | demo
#include <nlohmann/json.hpp>

#include <iostream>
#include <string>

#include "batch.hpp"
#include "cli.hpp"
#include "kefu/customer_store.hpp"
#include "kefu/error.hpp"
#include "kefu/json.hpp"
#include "kefu/text.hpp"

namespace kefu::cli {
namespace {

using nlohmann::json;

struct ReplyArgs {
  std::string text;
  std::string locale;
  std::string channel = "plain";
  std::string context;        // JSON: {"customer": {...}, "vars": {...}}
  std::string customer_type;
  std::string customer;       // a stored customer: kefu id or external id
  std::string name, title;
  std::vector<std::string> vars;
  std::size_t limit = 3;
  bool json_out = false;
  bool batch = false;
};

Variables parse_vars(const std::vector<std::string>& kvs) {
  Variables vars;
  for (const auto& kv : kvs) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error(ErrorCode::invalid_argument, "--var takes NAME=VALUE, got '" + kv + "'");
    vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return vars;
}

SuggestRequest make_request(const ReplyArgs& a, const std::string& text, const std::string& locale) {
  SuggestRequest req;
  req.locale = locale.empty() ? guess_locale(text) : parse_locale(locale);
  auto ch = parse_channel(a.channel);
  if (!ch) throw Error(ErrorCode::unsupported, "unknown channel '" + a.channel + "' (plain, markdown, html)");
  req.channel = *ch;
  req.limit = a.limit;
  if (!a.context.empty()) apply_context_json(a.context, req);
  if (!a.customer.empty()) req.customer_ref = a.customer;
  if (!a.customer_type.empty()) {
    auto ct = parse_customer_type(a.customer_type);
    if (!ct) throw Error(ErrorCode::invalid_argument, "unknown customer type '" + a.customer_type + "'");
    req.customer.types.push_back(*ct);
  }
  if (!a.name.empty()) req.customer.name = a.name;
  if (!a.title.empty()) req.customer.title = a.title;
  for (auto& [k, v] : parse_vars(a.vars)) req.vars[k] = v;
  return req;
}

void print_analysis(const Analysis& an) {
  std::cout << "intent:  " << to_string(an.intent) << " (" << static_cast<int>(an.confidence * 100 + 0.5) << "%)";
  if (an.intents.size() > 1)
    std::cout << "   next: " << to_string(an.intents[1].intent) << " (" << static_cast<int>(an.intents[1].score * 100 + 0.5) << "%)";
  std::cout << "\nemotion: " << to_string(an.emotion) << "\nstage:   " << to_string(an.stage) << "\n";
}

void print_suggestions(const SuggestResult& r) {
  int n = 0;
  for (const auto& s : r.suggestions) {
    std::cout << "  " << ++n << ". [" << s.template_id << ", " << static_cast<int>(s.score * 100 + 0.5) << "]"
              << (s.shortcut.empty() ? "" : " " + s.shortcut) << "\n     " << s.text << "\n";
    if (!s.missing.empty()) {
      std::cout << "     (fill in:";
      for (const auto& m : s.missing) std::cout << " " << m;
      std::cout << ")\n";
    }
  }
}

void add_common(CLI::App* cmd, ReplyArgs& a, bool suggest) {
  cmd->add_option("text", a.text, "the customer's message");
  cmd->add_option("-l,--locale", a.locale, "zh-CN, zh-TW, zh-HK or en (default: guessed from the text)");
  cmd->add_flag("--json", a.json_out, "print JSON");
  cmd->add_flag("--batch", a.batch, "read JSON Lines {\"text\", \"locale\"} from stdin, print one JSON result per line");
  if (!suggest) return;
  cmd->add_option("-n,--limit", a.limit, "how many suggestions")->capture_default_str();
  cmd->add_option("--channel", a.channel, "plain, markdown or html")->capture_default_str();
  cmd->add_option("--context", a.context, "JSON: {\"customer\": {\"name\", \"title\", \"types\"} or a stored customer's id, \"vars\": {...}}");
  cmd->add_option("--customer", a.customer,
                  "a customer of the --db archive (kefu id or external id such as taobao:nick): their profile "
                  "sets name, form of address, type and the variables last_product and order_id");
  cmd->add_option("--type", a.customer_type, "customer type: price_sensitive, quality_seeking, health_beauty");
  cmd->add_option("--name", a.name, "customer's name");
  cmd->add_option("--title", a.title, "form of address: 亲, 先生, 女士, Ms., Mr.");
  cmd->add_option("--var", a.vars, "template variable NAME=VALUE (repeatable)");
}

void demo(Globals& g) {
  Engine& e = g.engine();
  // Two sample customers in the local archive (--db); upsert finds them again on the next run, so
  // running the demo twice adds nothing.
  CustomerStore& archive = e.customers();
  CustomerFields wang;
  wang.name = "王芳";
  wang.title = "女士";
  wang.external_ids = {"demo:wangfang"};
  wang.tags = std::vector<std::string>{"quality_seeking"};
  wang.locale = "zh-CN";
  archive.upsert(wang);
  CustomerFields jane;
  jane.name = "Jane Doe";
  jane.title = "Ms.";
  jane.external_ids = {"demo:jane"};
  jane.locale = "en";
  archive.upsert(jane);

  struct Turn {
    const char* who;
    const char* text;
    const char* locale;
    const char* context;
  };
  const Turn turns[] = {
      {"顾客 王女士", "在吗？这款连衣裙是纯棉的吗，会不会起球", "zh-CN",
       R"({"customer": "demo:wangfang", "vars": {"shop": "优品旗舰店", "agent": "小美", "product": "碎花连衣裙"}})"},
      {"顾客 王女士", "有点贵，能便宜点吗", "zh-CN",
       R"({"customer": {"ref": "demo:wangfang", "types": ["price_sensitive"]}, "vars": {"shop": "优品旗舰店", "promotion": "满199减30"}})"},
      {"顧客（台灣）", "我的包裹怎麼還沒到？都一個禮拜了！！！", "zh-TW",
       R"({"customer": {"title": "小姐"}, "vars": {"order_id": "20261123001", "carrier": "黑貓宅急便"}})"},
      {"顾客", "不是要退货，就问下怎么洗", "zh-CN", R"({"vars": {"product": "羊毛衫"}})"},
      {"Customer Jane Doe", "The jacket I received has a broken zipper. This is ridiculous!", "en",
       R"({"customer": "demo:jane", "vars": {"order_id": "A-1042", "shop": "Acme Store"}})"},
      {"Customer", "hi, can I still change the delivery address for my order?", "en", R"({"vars": {"order_id": "A-1043"}})"},
  };
  std::cout << "kefu " << version_string() << " demo — " << e.templates().size()
            << " bundled templates; each customer message is analysed and answered with ranked replies.\n"
            << "Customer archive: " << e.options().db_path << " (sample customers demo:wangfang, demo:jane)\n";
  for (const auto& t : turns) {
    SuggestRequest req;
    req.locale = parse_locale(t.locale);
    req.limit = 2;
    apply_context_json(t.context, req);
    auto r = e.suggest(t.text, req);
    std::cout << "\n" << t.who << " [" << t.locale << "]: " << t.text << "\n";
    std::cout << "  → " << to_string(r.analysis.intent) << " · " << to_string(r.analysis.emotion) << " · "
              << to_string(r.analysis.stage) << "\n";
    print_suggestions(r);
  }

  // A draft the standard forbids, checked before it is sent.
  ToneContext ctx;
  ctx.locale = Locale::zh_CN;
  ctx.customer_message = "质量太差了，我要投诉！";
  const char* draft = "不知道，你自己看详情页吧";
  ToneReport tone = e.check_tone(draft, ctx);
  std::cout << "\nTone check of an agent's draft to 「" << ctx.customer_message << "」: " << draft << "\n  score "
            << tone.score << "\n";
  for (const auto& f : tone.findings) {
    std::cout << "  - " << to_string(f.category) << " [" << f.start << "," << f.end << ") " << f.message();
    if (!f.suggestions().empty()) std::cout << " → " << f.suggestions().front();
    std::cout << "\n";
  }
}

}  // namespace

void add_reply_commands(CLI::App& app, Globals& g) {
  auto analyze_args = std::make_shared<ReplyArgs>();
  auto* analyze = app.add_subcommand("analyze", "intent, emotion and purchase stage of a customer message");
  add_common(analyze, *analyze_args, false);
  analyze->callback([&g, analyze_args] {
    auto& a = *analyze_args;
    Engine& e = g.engine();
    if (a.batch) {
      int rc = run_batch([&](const json& in) {
        std::string text = in["text"].get<std::string>(), loc = json_field(in, "locale");
        return analysis_to_json(e.analyze(text, loc.empty() ? std::nullopt : std::optional(parse_locale(loc))));
      });
      if (rc) throw CLI::RuntimeError(rc);
      return;
    }
    if (a.text.empty()) throw Error(ErrorCode::empty, "no message given (or use --batch)");
    auto an = e.analyze(a.text, a.locale.empty() ? std::nullopt : std::optional(parse_locale(a.locale)));
    if (a.json_out) std::cout << analysis_to_json(an) << "\n";
    else print_analysis(an);
  });

  auto suggest_args = std::make_shared<ReplyArgs>();
  auto* suggest = app.add_subcommand("suggest", "ranked, rendered reply templates for a customer message");
  add_common(suggest, *suggest_args, true);
  suggest->callback([&g, suggest_args] {
    auto& a = *suggest_args;
    Engine& e = g.engine();
    if (a.batch) {
      int rc = run_batch([&](const json& in) {
        std::string text = in["text"].get<std::string>();
        SuggestRequest req = make_request(a, text, json_field(in, "locale").empty() ? a.locale : json_field(in, "locale"));
        if (in.contains("customer") || in.contains("vars")) apply_context_json(in.dump(), req);
        return suggest_to_json(e.suggest(text, req));
      });
      if (rc) throw CLI::RuntimeError(rc);
      return;
    }
    if (a.text.empty()) throw Error(ErrorCode::empty, "no message given (or use --batch)");
    auto r = e.suggest(a.text, make_request(a, a.text, a.locale));
    if (a.json_out) {
      std::cout << suggest_to_json(r) << "\n";
    } else {
      print_analysis(r.analysis);
      print_suggestions(r);
    }
  });

  auto render_args = std::make_shared<ReplyArgs>();
  auto* render = app.add_subcommand("render", "render one template by id or shortcut");
  render->add_option("template", render_args->text, "template id or shortcut (/size)")->required();
  render->add_option("-l,--locale", render_args->locale, "zh-CN, zh-TW, zh-HK or en")->default_str("zh-CN");
  render->add_option("--var", render_args->vars, "variable NAME=VALUE (repeatable)");
  render->add_option("--channel", render_args->channel, "plain, markdown or html")->capture_default_str();
  render->add_flag("--json", render_args->json_out, "print JSON");
  render->callback([&g, render_args] {
    auto& a = *render_args;
    auto ch = parse_channel(a.channel);
    if (!ch) throw Error(ErrorCode::unsupported, "unknown channel '" + a.channel + "'");
    auto r = g.engine().render(a.text, parse_vars(a.vars), parse_locale(a.locale.empty() ? "zh-CN" : a.locale), *ch);
    if (a.json_out) std::cout << rendered_to_json(a.text, r) << "\n";
    else std::cout << r.text << "\n";
  });

  app.add_subcommand("demo", "a short sample conversation in Chinese and English")->callback([&g] { demo(g); });
}

}  // namespace kefu::cli
