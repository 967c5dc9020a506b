/** Runs a WS-Discovery responder as its own process (tests start it inside a network namespace). argv[2]: JSON Advertised[]. */
import { WsDiscoveryResponder, type Advertised } from './ws-discovery-responder.js';

const responder = new WsDiscoveryResponder(JSON.parse(process.argv[2] ?? '[]') as Advertised[]);
await responder.start();
process.stdout.write('READY\n');
process.on('SIGTERM', () => { responder.stop(); process.exit(0); });
