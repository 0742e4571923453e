// SPDX-License-Identifier: MulanPSL-2.0
// FakeImageInstaller: slot "devices" as strings; records invalidations, raw writes and tar
// extractions so tests can see exactly what touched which slot.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>

#include "core/ports/image_installer.h"

namespace kubeos::fakes {

class FakeImageInstaller final : public core::ImageInstaller {
 public:
  std::map<std::string, std::string> devices;  // device path → content
  uint64_t capacity = 1 << 20;
  bool report_same_device = false;
  std::optional<Error> write_error;
  bool corrupt_on_disk = false;  // the read-back sees different bytes than were written
  int invalidations = 0;
  int writes = 0;
  std::string last_label;

  Result<bool> SameDevice(std::string_view a, std::string_view b) override {
    return report_same_device || a == b;
  }
  Result<uint64_t> DeviceSize(const core::SlotDevice&) override { return capacity; }
  Status Invalidate(const core::SlotDevice& slot) override {
    ++invalidations;
    devices[slot.device] = "";
    return {};
  }
  Result<uint64_t> WriteRaw(const core::SlotDevice& slot, core::ByteSource& source) override {
    ++writes;
    KUBEOS_ASSIGN_OR_RETURN(std::string data, ReadAll(source));
    if (write_error) return std::unexpected(*write_error);
    if (data.size() > capacity) return Fail(Errc::kNoSpace, "fake device full");
    devices[slot.device] = corrupt_on_disk ? data + "x" : data;
    return data.size();
  }
  Status ReadBack(const core::SlotDevice& slot, uint64_t length, core::Sha256& hash) override {
    const std::string& d = devices[slot.device];
    const std::string_view part =
        std::string_view(d).substr(corrupt_on_disk ? 1 : 0, static_cast<size_t>(length));
    hash.Update(std::as_bytes(std::span(part.data(), part.size())));
    return {};
  }
  // Reads only the first half, like libarchive stopping at the archive's end marker.
  Status ExtractTar(const core::SlotDevice& slot,
                    std::string_view fs_label,
                    core::ByteSource& source) override {
    ++writes;
    last_label = fs_label;
    std::string data;
    const uint64_t half = source.TotalSize().value_or(0) / 2;
    std::array<std::byte, 512> buf;
    while (data.size() < half) {
      KUBEOS_ASSIGN_OR_RETURN(const size_t n, source.Read(buf));
      if (n == 0) break;
      data.append(reinterpret_cast<const char*>(buf.data()), n);
    }
    if (write_error) return std::unexpected(*write_error);
    devices[slot.device] = "extracted:" + data;
    return {};
  }

 private:
  static Result<std::string> ReadAll(core::ByteSource& source) {
    std::string data;
    std::array<std::byte, 4096> buf;
    for (;;) {
      KUBEOS_ASSIGN_OR_RETURN(const size_t n, source.Read(buf));
      if (n == 0) return data;
      data.append(reinterpret_cast<const char*>(buf.data()), n);
    }
  }
};

}  // namespace kubeos::fakes
