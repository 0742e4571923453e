// SPDX-License-Identifier: MulanPSL-2.0
// main() of the GoogleTest binaries that need scripts/sandbox (a private bus, polkitd, the loop
// disk and kubeosd): outside it they skip (77) instead of failing against the host.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  if (std::getenv("KUBEOS_SANDBOX_DIR") == nullptr) {
    std::fprintf(stderr, "run me inside scripts/sandbox\n");
    return 77;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
