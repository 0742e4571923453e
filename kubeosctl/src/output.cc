// SPDX-License-Identifier: MulanPSL-2.0
#include "output.h"

#include <cstdio>
#include <sstream>
#include <vector>

namespace kubeos::ctl {
namespace {

std::string Str(const nlohmann::json& s, const char* key, const char* empty = "-") {
  if (!s.contains(key)) return empty;
  const auto& v = s.at(key);
  if (v.is_string()) return v.get<std::string>().empty() ? empty : v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  return v.dump();
}

}  // namespace

nlohmann::json ToJson(const VariantMap& values) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, v] : values) {
    if (v.containsValueOfType<std::string>()) {
      out[key] = v.get<std::string>();
    } else if (v.containsValueOfType<sdbus::ObjectPath>()) {
      out[key] = std::string(v.get<sdbus::ObjectPath>());
    } else if (v.containsValueOfType<bool>()) {
      out[key] = v.get<bool>();
    } else if (v.containsValueOfType<uint32_t>()) {
      out[key] = v.get<uint32_t>();
    } else if (v.containsValueOfType<uint64_t>()) {
      out[key] = v.get<uint64_t>();
    } else if (v.containsValueOfType<std::vector<std::string>>()) {
      out[key] = v.get<std::vector<std::string>>();
    }
  }
  return out;
}

std::string FormatStatus(const nlohmann::json& s) {
  std::ostringstream out;
  auto row = [&](const char* label, const std::string& value) {
    out << label << std::string(18 - std::string(label).size(), ' ') << value << "\n";
  };
  row("Booted slot:", Str(s, "booted-slot") + "  " + Str(s, "booted-version") + "  (" +
                          Str(s, "booted-device") + ")");
  std::string other = Str(s, "other-slot") + "  " + Str(s, "other-version");
  other += s.value("other-valid", false) ? "  (" + Str(s, "other-device") + ", valid)"
                                         : "  (" + Str(s, "other-device") + ", not bootable)";
  row("Other slot:", other);
  row("Default slot:", Str(s, "default-slot"));
  row("Next boot:", Str(s, "next-boot-slot"));
  row("State:", Str(s, "state"));
  std::string job = Str(s, "active-job");
  if (job == "/") job = "-";
  if (job != "-") job += "  " + Str(s, "job-stage") + " " + Str(s, "job-progress") + "%";
  row("Active job:", job);
  if (s.value("pending-reboot", false)) {
    row("Pending reboot:",
        "yes, into slot " + Str(s, "pending-slot") + " (" + Str(s, "pending-version") + ")");
  } else {
    row("Pending reboot:", "no");
  }
  row("Sysconfigs:", Str(s, "sysconfigs-version"));
  row("Upgradeconfigs:", Str(s, "upgradeconfigs-version"));
  std::string needs;
  if (s.contains("needs")) {
    for (const auto& n : s.at("needs")) needs += (needs.empty() ? "" : ", ") + n.get<std::string>();
  }
  row("Needs:", needs.empty() ? "-" : needs);
  row("Last error:", Str(s, "last-error"));
  return out.str();
}

std::string HumanBytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  size_t u = 0;
  while (v >= 1024.0 && u + 1 < std::size(units)) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

void ProgressPrinter::Update(const JobInfo& job) {
  if (!terminal_) {
    if (job.stage != last_stage_) std::fprintf(stderr, "%s\n", job.stage.c_str());
    last_stage_ = job.stage;
    return;
  }
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(job.progress * kWidth / 100);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kWidth, '-');
  std::string bytes;
  if (job.bytes_total > 0) {
    bytes = "  " + HumanBytes(job.bytes_done) + " / " + HumanBytes(job.bytes_total);
  } else if (job.bytes_done > 0) {
    bytes = "  " + HumanBytes(job.bytes_done);
  }
  std::fprintf(stderr, "\r\033[K[%s] %3u%%  %s%s", bar.c_str(), job.progress, job.stage.c_str(),
               bytes.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressPrinter::Finish() {
  if (drawn_) std::fprintf(stderr, "\n");
  drawn_ = false;
}

}  // namespace kubeos::ctl
