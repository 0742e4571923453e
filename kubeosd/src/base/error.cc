// SPDX-License-Identifier: MulanPSL-2.0
#include "base/error.h"

#include <array>
#include <cstring>

namespace kubeos {
namespace {

struct NameEntry {
  Errc code;
  std::string_view name;
};

constexpr std::array kNames{
    NameEntry{Errc::kFailed, "org.openeuler.KubeOS1.Error.Failed"},
    NameEntry{Errc::kInvalidArgs, "org.freedesktop.DBus.Error.InvalidArgs"},
    NameEntry{Errc::kAccessDenied, "org.freedesktop.DBus.Error.AccessDenied"},
    NameEntry{Errc::kInteractiveAuthRequired,
              "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"},
    NameEntry{Errc::kBusy, "org.openeuler.KubeOS1.Error.Busy"},
    NameEntry{Errc::kNotSupported, "org.openeuler.KubeOS1.Error.NotSupported"},
    NameEntry{Errc::kUnsafeUrl, "org.openeuler.KubeOS1.Error.UnsafeUrl"},
    NameEntry{Errc::kDownloadFailed, "org.openeuler.KubeOS1.Error.DownloadFailed"},
    NameEntry{Errc::kChecksumMismatch, "org.openeuler.KubeOS1.Error.ChecksumMismatch"},
    NameEntry{Errc::kNoSpace, "org.openeuler.KubeOS1.Error.NoSpace"},
    NameEntry{Errc::kNoStandbySlot, "org.openeuler.KubeOS1.Error.NoStandbySlot"},
    NameEntry{Errc::kBootloader, "org.openeuler.KubeOS1.Error.Bootloader"},
    NameEntry{Errc::kConfigRejected, "org.openeuler.KubeOS1.Error.ConfigRejected"},
    NameEntry{Errc::kCancelled, "org.openeuler.KubeOS1.Error.Cancelled"},
    NameEntry{Errc::kNotCancellable, "org.openeuler.KubeOS1.Error.NotCancellable"},
    NameEntry{Errc::kNoSuchJob, "org.openeuler.KubeOS1.Error.NoSuchJob"},
    NameEntry{Errc::kIo, "org.openeuler.KubeOS1.Error.Io"},
    NameEntry{Errc::kImagePull, "org.openeuler.KubeOS1.Error.ImagePull"},
    NameEntry{Errc::kInvalidImage, "org.openeuler.KubeOS1.Error.InvalidImage"},
    NameEntry{Errc::kHealthCheck, "org.openeuler.KubeOS1.Error.HealthCheck"},
};

}  // namespace

std::string_view ErrorName(Errc code) {
  for (const auto& e : kNames) {
    if (e.code == code) return e.name;
  }
  return kNames[0].name;
}

Errc ErrcFromName(std::string_view name) {
  for (const auto& e : kNames) {
    if (e.name == name) return e.code;
  }
  return Errc::kFailed;
}

std::unexpected<Error> FailErrno(Errc code, int errnum, std::string_view context) {
  return Fail(code, std::string(context) + ": " + std::strerror(errnum));
}

}  // namespace kubeos
