/** The scenarios, in the order they run (issue 10's order of value). */
import type { Scenario } from '../lib/suite.js';
import { kill9 } from './kill9.js';
import { powercut } from './powercut.js';
import { corrupt } from './corrupt.js';

export const SCENARIOS: Scenario[] = [kill9, powercut, corrupt];
