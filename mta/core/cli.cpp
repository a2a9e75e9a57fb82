#include "mta/core/cli.h"

#include "mta/core/exitcodes.h"

namespace mta::cli {

namespace {

bool takes_value(const po::options_description& options, const std::string& key) {
  const po::option_description* d = options.find_nothrow(key, false);
  return d && d->semantic()->max_tokens() > 0;
}

// Splits argv into option words and operands the way getopt does, and
// rewrites each short option with a value into the adjacent form ("-fVALUE"),
// so that Boost never has to guess whether "-f -n" means a missing value.
// Unknown options are passed on for Boost to reject.
void split_getopt(int argc, char** argv, const po::options_description& options,
                  std::vector<std::string>& words, std::vector<std::string>& operands) {
  int i = 1;
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') break;  // the first operand ends the options
    if (arg[1] == '-') {  // a long option of ours: --name[=value] or --name value
      words.push_back(arg);
      if (arg.find('=') == std::string::npos && takes_value(options, arg.substr(2)) && i + 1 < argc)
        words.emplace_back(argv[++i]);
      continue;
    }
    for (std::size_t k = 1; k < arg.size(); ++k) {
      std::string key = cat("-", std::string_view(&arg[k], 1));
      if (!takes_value(options, key)) {
        words.push_back(key);
        continue;
      }
      if (k + 1 < arg.size()) {
        words.push_back(key + arg.substr(k + 1));
      } else if (i + 1 < argc) {
        // An empty value ("-f ''": the null sender) cannot be written
        // adjacent; Boost takes it as the next word.
        std::string value = argv[++i];
        if (value.empty()) {
          words.push_back(key);
          words.emplace_back();
        } else {
          words.push_back(key + value);
        }
      } else {
        words.push_back(key);  // Boost reports the missing value
      }
      break;
    }
  }
  for (; i < argc; ++i) operands.emplace_back(argv[i]);
}

}  // namespace

Parsed parse(int argc, char** argv, const po::options_description& options, Order order) {
  if (order == Order::getopt) {
    std::vector<std::string> words, operands;
    split_getopt(argc, argv, options, words, operands);
    std::vector<char*> ptrs{argv[0]};
    for (auto& w : words) ptrs.push_back(w.data());
    Parsed out = parse(static_cast<int>(ptrs.size()), ptrs.data(), options, Order::permute);
    out.positional = std::move(operands);
    return out;
  }
  Parsed out;
  po::options_description all;
  all.add(options);
  all.add_options()("operand", po::value<std::vector<std::string>>(), "");
  po::positional_options_description pos;
  pos.add("operand", -1);
  // getopt style: short options only, sticky ("-nH"), adjacent values ("-fx"),
  // separate values ("-f x"); long "--help"/"--version" are handled by run_main.
  int style = po::command_line_style::allow_short | po::command_line_style::short_allow_adjacent |
              po::command_line_style::short_allow_next | po::command_line_style::allow_sticky |
              po::command_line_style::allow_dash_for_short | po::command_line_style::allow_long |
              po::command_line_style::long_allow_adjacent | po::command_line_style::long_allow_next;
  try {
    auto parsed = po::command_line_parser(argc, argv).options(all).positional(pos).style(style).run();
    for (const auto& opt : parsed.options)
      if (opt.position_key == -1) out.order.push_back(opt.string_key);
    po::store(parsed, out.vars);
    po::notify(out.vars);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  if (out.vars.count("operand")) out.positional = out.vars["operand"].as<std::vector<std::string>>();
  return out;
}

}  // namespace mta::cli
