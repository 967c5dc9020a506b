/**
 * "The broker is down" as the box sees it, while the center stays connected: the box reaches mosquitto
 * through a TCP gate in its own process (../gate.ts); close() refuses new connections and cuts the open ones,
 * open() lets them through again. Restarting mosquitto itself would also drop the center's subscription, and
 * whatever the box publishes before the center has resubscribed would be lost to the test, not to the box.
 */
import { fileURLToPath } from 'node:url';
import { freePort } from '../../helpers/mosquitto.js';
import { tsxScript, type Child } from './child.js';
import { waitUntil, type Ctx } from './suite.js';

const GATE = fileURLToPath(new URL('../gate.ts', import.meta.url));

export class Gate {
  private opened = 0;
  private closed = 0;

  private constructor(private readonly child: Child, readonly port: number) {}

  static async start(ctx: Ctx, upstreamPort: number): Promise<Gate> {
    const port = await freePort();
    const child = tsxScript(GATE, { PORT: String(port), UPSTREAM: String(upstreamPort) });
    ctx.defer(() => child.kill());
    const gate = new Gate(child, port);
    await gate.open();
    return gate;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async open(): Promise<void> {
    this.child.send('open');
    await waitUntil(() => this.child.lines.filter((l) => l === 'opened').length > this.opened, 'gate open', 10_000);
    this.opened += 1;
  }

  async close(): Promise<void> {
    this.child.send('close');
    await waitUntil(() => this.child.lines.filter((l) => l === 'closed').length > this.closed, 'gate closed', 10_000);
    this.closed += 1;
  }
}
