// SPDX-License-Identifier: MulanPSL-2.0
// Error values shared by every layer: one Errc per public D-Bus error name, plus context text.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace kubeos {

// Append-only: each value maps to exactly one D-Bus error name (ErrorName below), and those names
// are a public contract that is never renamed once released.
enum class Errc {
  kFailed,                   // org.openeuler.KubeOS1.Error.Failed (internal or unexpected)
  kInvalidArgs,              // org.freedesktop.DBus.Error.InvalidArgs
  kAccessDenied,             // org.freedesktop.DBus.Error.AccessDenied
  kInteractiveAuthRequired,  // org.freedesktop.DBus.Error.InteractiveAuthorizationRequired
  kBusy,
  kNotSupported,
  kUnsafeUrl,
  kDownloadFailed,
  kChecksumMismatch,
  kNoSpace,
  kNoStandbySlot,
  kBootloader,
  kConfigRejected,
  kCancelled,
  kNotCancellable,
  kNoSuchJob,
  kIo,
  kImagePull,
  kInvalidImage,
  kHealthCheck,
};

// The full D-Bus error name of |code|, e.g. "org.openeuler.KubeOS1.Error.Busy".
[[nodiscard]] std::string_view ErrorName(Errc code);
// The reverse of ErrorName; unknown names map to kFailed.
[[nodiscard]] Errc ErrcFromName(std::string_view name);

struct Error {
  Errc code = Errc::kFailed;
  std::string message;

  // Adds context while keeping the code: "write slot B: open /dev/vda3: Permission denied".
  [[nodiscard]] Error Wrap(std::string_view context) && {
    message.insert(0, std::string(context) + ": ");
    return std::move(*this);
  }
};

// std::expected that warns when dropped (libstdc++ 12 does not mark it [[nodiscard]]).
template <typename T>
class [[nodiscard]] Result : public std::expected<T, Error> {
 public:
  using std::expected<T, Error>::expected;
  // Allows `return Fail(...)` and `return result.error()` paths without spelling the type.
  Result(std::unexpected<Error> e) : std::expected<T, Error>(std::move(e)) {}  // NOLINT
};
using Status = Result<void>;

[[nodiscard]] inline std::unexpected<Error> Fail(Errc code, std::string message) {
  return std::unexpected(Error{code, std::move(message)});
}
// "context: strerror(errnum)", with the given code.
[[nodiscard]] std::unexpected<Error> FailErrno(Errc code, int errnum, std::string_view context);
// Re-raises an error with context added: `return Forward(std::move(r), "read state")`.
template <typename T>
[[nodiscard]] std::unexpected<Error> Forward(Result<T>&& r, std::string_view context) {
  return std::unexpected(std::move(r).error().Wrap(context));
}

}  // namespace kubeos

// GCC 12 has no std::expected::and_then(): these two macros do the propagation.
#define KUBEOS_CONCAT_INNER(a, b) a##b
#define KUBEOS_CONCAT(a, b) KUBEOS_CONCAT_INNER(a, b)

#define KUBEOS_TRY(expr)                                      \
  do {                                                        \
    if (auto kubeos_try_ = (expr); !kubeos_try_)              \
      return std::unexpected(std::move(kubeos_try_).error()); \
  } while (false)

#define KUBEOS_ASSIGN_OR_RETURN(decl, expr)                                        \
  auto KUBEOS_CONCAT(kubeos_r_, __LINE__) = (expr);                                \
  if (!KUBEOS_CONCAT(kubeos_r_, __LINE__))                                         \
    return std::unexpected(std::move(KUBEOS_CONCAT(kubeos_r_, __LINE__)).error()); \
  decl = std::move(*KUBEOS_CONCAT(kubeos_r_, __LINE__))
