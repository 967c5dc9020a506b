import type { LoadedConfig } from '../../config/load.js';
import type { ResolvedDevice } from '../../drivers/types.js';

/** Pairs every configured device with its profile (the loader has already checked that each exists). */
export function resolveDevices(loaded: LoadedConfig): ResolvedDevice[] {
  return loaded.config.devices.flatMap((config) => {
    const profile = loaded.profiles.get(config.profile);
    return profile ? [{ config, profile }] : [];
  });
}
