// The Catch2 main, compiled once for all unit test files.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
