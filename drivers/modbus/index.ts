/** Modbus RTU driver: public surface for the runtime, the CLI and the bench. */
export { createModbusDriver, ModbusDriver, type ModbusDriverOptions } from './driver.js';
export { LineScheduler, type LineSchedulerOptions, type LineTiming, type RequestOptions } from './line-scheduler.js';
export { LinePoller, type PolledDevice, type CycleStats } from './line-poller.js';
export type { Priority } from './job-queue.js';
export { encodeRequest, decodeReply, describeRequest, EXCEPTION_NAMES, type ModbusRequest, type ModbusReply } from './pdu.js';
export { RtuFramer, type FramerEvent } from './rtu-framer.js';
export { crc16, withCrc, crcOk } from './crc.js';
export { planBlocks, type Block } from './plan.js';
export { decodePoint, encodePoint } from './codec.js';
export { writeRequest } from './outputs.js';
