// SPDX-License-Identifier: MulanPSL-2.0
// kubeosd: the production daemon. Everything — command line, settings, the real ports, the
// engine and the D-Bus service — is composed in daemon.cc; the real daemon decorates no port.
#include "daemon.h"

int main(int argc, char** argv) { return kubeos::DaemonMain(argc, argv, {}); }
