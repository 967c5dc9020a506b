/** The scenarios, in the order they run (issue 10's order of value). */
import type { Scenario } from '../lib/suite.js';
import { kill9 } from './kill9.js';
import { e2e } from './e2e.js';
import { powercut } from './powercut.js';
import { corrupt } from './corrupt.js';
import { diskFull, quota } from './quota.js';
import { backoffHour, fleet } from './pacing.js';
import { commands } from './commands.js';
import { configs } from './configs.js';
import { secrets } from './secrets.js';
import { clockJump } from './clockjump.js';
import { modbus } from './modbus.js';
import { watchdog } from './watchdog.js';
import { serial } from './serial.js';
import { cameras } from './cameras.js';
import { halfOpen } from './halfopen.js';
import { hostileCameras } from './hostile-cameras.js';
import { soak } from './soak.js';
import { outage, outageEscalations } from './outage.js';

export const SCENARIOS: Scenario[] = [kill9, e2e, powercut, outage, outageEscalations, corrupt, quota, diskFull, backoffHour, fleet, commands, configs, secrets, clockJump, modbus, watchdog, serial, cameras, halfOpen, hostileCameras, soak];
