/**
 * Is the wall clock trustworthy yet? Raspberry Pi boards have no RTC: they boot with fake-hwclock's last saved
 * time until systemd-timesyncd (Raspberry Pi OS default) or chrony syncs over NTP.
 *
 * - `timesyncFileProbe`: systemd-timesyncd touches /run/systemd/timesync/synchronized on every successful sync
 *   (systemd ≥ 239, man systemd-timesyncd.service); a stat, no fork.
 * - `timedatectlProbe`: `timedatectl show -p NTPSynchronized --value` prints `yes` when the kernel's adjtimex
 *   status has STA_UNSYNC clear, which both timesyncd and chrony maintain; it gives up where it cannot run.
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

/**
 * After `giveUpAfter` failures in a row (the tool missing, or it cannot answer: "System has not been booted with
 * systemd", no D-Bus, a timeout) the probe stops forking and answers false: a box without systemd (a container)
 * would otherwise fork timedatectl every poll for as long as it runs. A plain "no" is an answer, not a failure.
 */
export function timedatectlProbe(bin = 'timedatectl', timeoutMs = 3000, giveUpAfter = 3): ClockProbe {
  let failures = 0;
  return () => new Promise((resolve) => {
    if (failures >= giveUpAfter) { resolve(false); return; }
    execFile(bin, ['show', '-p', 'NTPSynchronized', '--value'], { timeout: timeoutMs }, (err, stdout) => {
      failures = err ? failures + 1 : 0;
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
