// The Catch2 runner for the bench tool's unit tests (tools/ is built before tests/, so
// it has its own).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
