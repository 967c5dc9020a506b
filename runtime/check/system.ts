/** The clock (NTP) and the free disk for the store. */
import { fail, ok, warn, type CheckContext, type CheckResult } from './types.js';

export async function checkClock(ctx: CheckContext): Promise<CheckResult[]> {
  const r = await ctx.probes.run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], ctx.timeoutMs);
  const value = r.stdout.trim();
  if (r.code === 0 && value === 'yes') return [ok('clock', 'clock synchronized (NTP)')];
  if (r.code === 0 && value === 'no') {
    return [fail('clock', 'clock NOT synchronized: incidents go out with clockSynced=false and TLS may reject certificates',
      'check NTP: timedatectl timesync-status; the box needs UDP 123 or a reachable NTP server (add an RTC HAT for boxes often offline)')];
  }
  return [warn('clock', `clock sync unknown (${r.error === 'ENOENT' ? 'no timedatectl here' : r.stderr.trim().replace(/\s+/g, ' ') || `timedatectl exited ${r.code ?? r.error}`})`,
    'check by hand: chronyc tracking, or ntpq -p; compare date -u with a phone')];
}

const MIB = 1024 * 1024;

export async function checkDisk(ctx: CheckContext): Promise<CheckResult[]> {
  const storage = ctx.config?.storage;
  if (!storage) return [warn('disk', 'skipped: no storage settings (config invalid)', 'fix the config first')];
  let space: { free: number; total: number };
  try {
    space = await ctx.probes.diskSpace(storage.dataDir);
  } catch (err) {
    return [fail('disk', `cannot stat ${storage.dataDir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'check storage.dataDir')];
  }
  const quota = storage.quotaMb * MIB;
  const all = quota + storage.evidenceRetentionMb * MIB;
  const free = `${(space.free / MIB).toFixed(0)} MiB free`;
  if (space.free < quota) {
    return [fail('disk', `${storage.dataDir}: ${free}, below the store quota of ${storage.quotaMb} MiB`,
      'free space (sudo journalctl --vacuum-size=100M; remove old files) or lower storage.quotaMb; a full disk stops buffering alarms')];
  }
  if (space.free < all) {
    return [warn('disk', `${storage.dataDir}: ${free}; quota ${storage.quotaMb} MiB + evidence ${storage.evidenceRetentionMb} MiB would not fit`,
      'lower storage.evidenceRetentionMb or use a larger SD card / SSD')];
  }
  return [ok('disk', `${storage.dataDir}: ${free} (quota ${storage.quotaMb} MiB + evidence ${storage.evidenceRetentionMb} MiB fit)`)];
}
