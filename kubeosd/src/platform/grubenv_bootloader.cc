// SPDX-License-Identifier: MulanPSL-2.0
// Why an edit survives a power cut: the block is rewritten in place (same file, same size, no
// truncation, so the filesystem's metadata does not change) and every variable kubeosd writes
// fits in the first 512 bytes, while the second sector holds only '#' padding that an edit
// leaves byte-identical. A power cut therefore tears at most one sector write, which storage
// performs atomically: GRUB reads either the old or the new variables. The write is fsynced
// before the call returns. (GRUB's own save_env writes the same way.)
#include "platform/grubenv_bootloader.h"

#include "core/grubenv.h"

namespace kubeos::platform {
namespace {

constexpr size_t kSectorSize = 512;

std::optional<core::Slot> SlotVar(const core::GrubEnv& env, std::string_view key) {
  const std::string v = env.Get(key);
  if (v.empty()) return std::nullopt;
  return core::ParseSlot(v);
}

}  // namespace

Result<core::BootState> GrubEnvBootloader::Read() {
  auto content = fs_.Read(path_);
  if (!content) return Forward(std::move(content), "read GRUB environment");
  if (!content->has_value()) {
    return Fail(Errc::kBootloader, "GRUB environment " + path_ + " does not exist");
  }
  auto env = core::GrubEnv::Parse((*content)->data);
  if (!env) return Forward(std::move(env), path_);
  return core::BootState{SlotVar(*env, "saved_entry"), SlotVar(*env, "next_entry")};
}

Status GrubEnvBootloader::Edit(const std::function<Status(core::GrubEnv&)>& change) {
  auto content = fs_.Read(path_);
  if (!content) return Forward(std::move(content), "read GRUB environment");
  if (!content->has_value()) {
    return Fail(Errc::kBootloader, "GRUB environment " + path_ + " does not exist");
  }
  const std::string& old_block = (*content)->data;
  if (old_block.size() != core::kGrubEnvSize) {
    return Fail(Errc::kBootloader, "GRUB environment " + path_ + " is not 1024 bytes");
  }
  auto env = core::GrubEnv::Parse(old_block);
  if (!env) return Forward(std::move(env), path_);
  KUBEOS_TRY(change(*env));
  auto block = env->Format();
  if (!block) return Forward(std::move(block), path_);
  if (block->compare(kSectorSize, std::string::npos, old_block, kSectorSize) != 0) {
    return Fail(Errc::kBootloader, "GRUB environment " + path_ +
                                       ": variables would not fit in the first sector, refusing a "
                                       "write that could tear");
  }
  if (*block == old_block) return {};
  auto st = fs_.WriteInPlace(path_, *block);
  if (!st) return std::unexpected(Error{Errc::kBootloader, st.error().message});
  return {};
}

Status GrubEnvBootloader::ArmTrialBoot(core::Slot slot) {
  return Edit([&](core::GrubEnv& env) { return env.Set("next_entry", core::SlotName(slot)); });
}

Status GrubEnvBootloader::Commit(core::Slot slot) {
  return Edit([&](core::GrubEnv& env) -> Status {
    env.Unset("next_entry");
    return env.Set("saved_entry", core::SlotName(slot));
  });
}

Status GrubEnvBootloader::DisarmTrialBoot() {
  return Edit([](core::GrubEnv& env) -> Status {
    env.Unset("next_entry");
    return {};
  });
}

}  // namespace kubeos::platform
