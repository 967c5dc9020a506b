import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isQinheError } from '../../../runtime/core/errors.js';
import { ModemSmsSender } from '../../../runtime/escalation/sms-modem.js';
import { ModemSimulator } from '../../simulators/modem/modem-sim.js';
import { heat, makeHarness } from '../../unit/incidents/harness.js';

const logger = pino({ level: 'silent' });
let sim: ModemSimulator | undefined;
let sender: ModemSmsSender | undefined;
afterEach(async () => {
  await sender?.close();
  await sim?.stop();
  sim = undefined;
  sender = undefined;
});

async function setup(opts: { commandTimeoutMs?: number; sendTimeoutMs?: number } = {}) {
  sim = await ModemSimulator.start();
  sender = new ModemSmsSender({ path: sim.path, logger, commandTimeoutMs: opts.commandTimeoutMs ?? 2000, sendTimeoutMs: opts.sendTimeoutMs ?? 2000 });
  return { sim, sender };
}

describe('SMS through a serial 4G modem (simulated on a PTY)', () => {
  it('sends a text with AT, ATE0, AT+CMGF=1, AT+CMGS and Ctrl-Z', async () => {
    const { sim, sender } = await setup();
    await sender.send('+8613800000001', 'QINHE caima-01: fire-risk in B3 port 7 72.5 °C 3幢');
    expect(sim.commands).toEqual(['AT', 'ATE0', 'AT+CMGF=1', 'AT+CMGS="+8613800000001"']);
    expect(sim.messages).toEqual([{ to: '+8613800000001', text: 'QINHE caima-01: fire-risk in B3 port 7 72.5 degC 3' }]);
    await sender.send('+8613800000002', 'second');
    expect(sim.messages.map((m) => m.to)).toEqual(['+8613800000001', '+8613800000002']);
  });

  it('reports +CMS ERROR as a coded failure and works again afterwards', async () => {
    const { sim, sender } = await setup();
    sim.behaviour.send = 'cms-error';
    const err = await sender.send('+8613800000001', 'x').catch((e: unknown) => e);
    expect(isQinheError(err, 'QH_SMS_FAILED')).toBe(true);
    expect((err as { details?: Record<string, unknown> }).details).toMatchObject({ type: 'CMS', code: '500' });
    sim.behaviour.send = 'ok';
    await sender.send('+8613800000001', 'retry');
    expect(sim.messages).toEqual([{ to: '+8613800000001', text: 'retry' }]);
  });

  it('reports ERROR on text mode as a coded failure naming the command', async () => {
    const { sim, sender } = await setup();
    sim.behaviour.errorOn = ['AT+CMGF=1'];
    const err = await sender.send('+8613800000001', 'x').catch((e: unknown) => e);
    expect(isQinheError(err, 'QH_SMS_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(/AT\+CMGF=1/);
  });

  it('times out on a silent modem with a coded error', async () => {
    const { sim, sender } = await setup({ commandTimeoutMs: 300 });
    sim.behaviour.silent = true;
    const err = await sender.send('+8613800000001', 'x').catch((e: unknown) => e);
    expect(isQinheError(err, 'QH_SMS_TIMEOUT')).toBe(true);
    expect((err as Error).message).toMatch(/AT /);
  });

  it('times out when the network never confirms the message', async () => {
    const { sim, sender } = await setup({ sendTimeoutMs: 300 });
    sim.behaviour.send = 'silent';
    const err = await sender.send('+8613800000001', 'x').catch((e: unknown) => e);
    expect(isQinheError(err, 'QH_SMS_TIMEOUT')).toBe(true);
  });

  it('an unacknowledged critical incident reaches the duty phone through the modem at 60 s', async () => {
    const { sim, sender } = await setup();
    const h = makeHarness({ evidence: false, smsSender: sender });
    h.engine.start();
    try {
      heat(h, 'cp-b3-07', { from: 30, perMin: 10, everyS: 5, seconds: 120 }, () => h.engine.open().length > 0);
      h.clock.advance(59_000);
      await h.flush();
      expect(sim.messages).toEqual([]);
      h.clock.advance(1_000);
      await vi.waitFor(() => expect(sim.messages).toHaveLength(1), { timeout: 5000 });
      expect(sim.messages[0]).toMatchObject({ to: '+8613800000001' });
      expect(sim.messages[0]?.text).toMatch(/CRITICAL fire-risk NOT ACKNOWLEDGED after 60s/);
    } finally {
      await h.engine.stop();
    }
  });
});
