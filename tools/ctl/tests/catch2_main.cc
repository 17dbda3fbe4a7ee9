// The Catch2 main of ctl_tests (the tree's shared one is defined after tools/).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
