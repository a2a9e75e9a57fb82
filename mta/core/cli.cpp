#include "mta/core/cli.h"

#include "mta/core/exitcodes.h"

namespace mta::cli {

Parsed parse(int argc, char** argv, const po::options_description& options) {
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
