/** Serial ports present and openable, a GPIO backend, ffmpeg. */
import { fail, ok, warn, type CheckContext, type CheckResult } from './types.js';

export async function checkSerial(ctx: CheckContext): Promise<CheckResult[]> {
  const lines = ctx.config?.serial ?? [];
  if (lines.length === 0) return [ok('serial', 'no RS-485 lines configured')];
  return Promise.all(lines.map(async (line): Promise<CheckResult> => {
    const id = `serial:${line.id}`;
    if (!ctx.probes.exists(line.path)) {
      return fail(id, `${line.id}: ${line.path} does not exist`, 'is the USB-RS485 adapter plugged in? ls -l /dev/qinhe/ /dev/serial/by-id/ (udev rules: /etc/udev/rules.d/99-qinhe-serial.rules)');
    }
    try {
      await ctx.probes.openSerial(line.path);
      return ok(id, `${line.id}: ${line.path} opens read/write (${line.baud} ${line.dataBits}${line.parity[0]?.toUpperCase()}${line.stopBits})`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      if (code === 'EACCES' || code === 'EPERM') {
        return fail(id, `${line.id}: ${line.path}: permission denied`, 'the qinhe user must be in group dialout: sudo usermod -aG dialout qinhe (run check as that user or with sudo)');
      }
      if (code === 'EBUSY') return warn(id, `${line.id}: ${line.path} is in use`, 'fine if the qinhe daemon holds it; else find the holder: sudo fuser -v ' + line.path);
      return fail(id, `${line.id}: ${line.path} does not open (${code})`, 'replug the adapter; dmesg | tail shows USB errors');
    }
  }));
}

export async function checkGpio(ctx: CheckContext): Promise<CheckResult[]> {
  const sysfs = ctx.probes.exists('/sys/class/gpio');
  const chips = ctx.probes.listDir('/dev').filter((n) => /^gpiochip\d+$/.test(n));
  const used = (ctx.config?.devices ?? []).filter((d) => d.address.startsWith('gpio:')).length;
  const backend = ctx.config?.gpio.backend ?? 'auto';
  const seen = [sysfs ? '/sys/class/gpio' : '', chips.length ? chips.map((c) => `/dev/${c}`).join(' ') : ''].filter(Boolean).join(', ');
  if (used === 0) return [ok('gpio', `no GPIO devices configured${seen ? ` (available: ${seen})` : ''}`)];
  if (backend === 'fake' || backend === 'none') return [warn('gpio', `${used} GPIO devices but gpio.backend is ${backend}`, 'set gpio.backend: auto on a real box')];
  const usable = (backend === 'sysfs' ? sysfs : backend === 'cdev' ? chips.length > 0 : sysfs || chips.length > 0);
  if (!usable) {
    return [fail('gpio', `${used} GPIO devices configured but no ${backend === 'auto' ? 'GPIO backend' : `${backend} backend`} here (no /sys/class/gpio, no /dev/gpiochip*)`,
      'on a Raspberry Pi check the kernel (gpio-cdev) and install gpiod: sudo apt install gpiod; qinhe gpio list explains what is seen')];
  }
  return [ok('gpio', `${used} GPIO devices; backend ${backend}: ${seen}`)];
}

export async function checkFfmpeg(ctx: CheckContext): Promise<CheckResult[]> {
  const cameras = (ctx.config?.devices ?? []).filter((d) => d.address.startsWith('onvif:')).length;
  const configured = ctx.config?.ffmpeg.path;
  const bin = configured ?? ctx.probes.which('ffmpeg');
  if (!bin) {
    return [cameras > 0
      ? fail('ffmpeg', `ffmpeg not found on PATH (${cameras} cameras need it for snapshots and clips)`, 'sudo apt install ffmpeg, or set ffmpeg.path in the config')
      : ok('ffmpeg', 'ffmpeg not found; not needed (no cameras)')];
  }
  const r = await ctx.probes.run(bin, ['-version'], ctx.timeoutMs);
  if (r.code !== 0) {
    const why = r.error === 'ENOENT' ? 'not found' : r.error === 'TIMEOUT' ? 'did not answer' : `exited ${r.code ?? r.error}`;
    const result = cameras > 0 ? fail : warn;
    return [result('ffmpeg', `${bin} -version ${why}`, configured ? 'fix ffmpeg.path in the config' : 'reinstall: sudo apt install --reinstall ffmpeg')];
  }
  const version = /ffmpeg version (\S+)/.exec(r.stdout)?.[1] ?? 'unknown version';
  return [ok('ffmpeg', `${bin} (${version})`)];
}
