// mta/core/cli.h — command lines parsed with Boost.Program_options, qmail style.
//
// qmail's programs take getopt-style flags: "-fsender" and "-f sender" are the
// same, "-nH" is "-n -H", and "--" ends the options. parse() configures Boost
// for exactly that and turns any Boost error into a UsageError (exit 100), so
// that a bad command line never looks like a temporary failure.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace mta::cli {

namespace po = boost::program_options;

struct Parsed {
  po::variables_map vars;
  std::vector<std::string> positional;  // the operands, in order
  // The short options in the order given (flags like qmail-inject's -a/-h/-A/-H
  // where the last one wins).
  std::vector<std::string> order;
};

// Where options may stand.
//   getopt:  as qmail's getopt: options end at the first operand or at "--";
//            an option's value is the next word even if it starts with '-'
//            ("-f -n" makes "-n" the sender; "qmail-inject joe -n" has two
//            recipients). For every program that replaces a qmail program.
//   permute: options anywhere among the operands (our own programs, such as
//            "qmail-setup DIR --sandbox").
enum class Order { getopt, permute };

// Parses argv[1..] against `options`; operands are collected into positional.
// Throws UsageError on unknown options or missing values.
Parsed parse(int argc, char** argv, const po::options_description& options,
             Order order = Order::getopt);

}  // namespace mta::cli
