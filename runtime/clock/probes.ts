/**
 * Is the wall clock trustworthy yet? Raspberry Pi boards have no RTC: they boot with fake-hwclock's last saved
 * time until systemd-timesyncd (Raspberry Pi OS default) or chrony syncs over NTP.
 *
 * - `timesyncFileProbe`: systemd-timesyncd touches /run/systemd/timesync/synchronized on every successful sync
 *   (systemd ≥ 239, man systemd-timesyncd.service); a stat, no fork.
 * - `timedatectlProbe`: `timedatectl show -p NTPSynchronized --value` prints `yes` when the kernel's adjtimex
 *   status has STA_UNSYNC clear, which both timesyncd and chrony maintain.
 * `defaultClockProbe` tries the file first and falls back to timedatectl.
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';

export type ClockProbe = () => Promise<boolean>;

export function timesyncFileProbe(path = '/run/systemd/timesync/synchronized'): ClockProbe {
  return async () => {
    try {
      await stat(path);
      return true;
    } catch {
      return false;
    }
  };
}

export function timedatectlProbe(bin = 'timedatectl', timeoutMs = 3000): ClockProbe {
  return () => new Promise((resolve) => {
    execFile(bin, ['show', '-p', 'NTPSynchronized', '--value'], { timeout: timeoutMs }, (err, stdout) => {
      resolve(!err && String(stdout).trim() === 'yes');
    });
  });
}

export function anyProbe(...probes: ClockProbe[]): ClockProbe {
  return async () => {
    for (const p of probes) if (await p()) return true;
    return false;
  };
}

export function defaultClockProbe(): ClockProbe {
  return anyProbe(timesyncFileProbe(), timedatectlProbe());
}
